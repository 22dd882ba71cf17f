"""Sharing a campaign: share links, QR codes, the printed flyer and sign-up sheet, and the
preview images that link previews show."""
