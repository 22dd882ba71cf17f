"""Embeds: the sign form and the counter in other sites' pages, the badge and oEmbed."""
