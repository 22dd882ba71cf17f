"""The fast MIME builder: its bytes, parsed back by the standard library, say what they must."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default
from email.utils import parsedate_to_datetime

import pytest

from organizer.mail.mime import Attachment, Outgoing, build_bytes, build_message, fast_path

MAIL_FROM = "Cahier Éditions <noreply@cahier.example>"
TEXT = (
    "Bonjour Zoë,\n\nMerci d'avoir signé « Données » — voici le lien :\n"
    "https://cahier.example/s/confirm?token=abc&x=1\n"
    ". a line that starts with a dot\nFrom the start of a line\ntrailing spaces   \n"
    "tab\tand = equals\n" + "a very long line " * 30 + "\n"
    "\u0395\u03bb\u03bb\u03b7\u03bd\u03b9\u03ba\u03ac 中文 🙂"  # Greek, escaped for the linter
)
HTML = '<!doctype html><html lang="fr"><body><p style="x">Merci, Zoë</p>' + "<p>x</p>" * 200


def _email(**overrides) -> Outgoing:
    fields = {
        "id": 1, "to_addr": "zoe@example.org", "subject": "Confirmez votre signature « Données »",
        "text_body": TEXT, "html_body": HTML, "message_id": "<1.2.3@cahier.example>",
        "headers": {
            "List-Unsubscribe": "<https://cahier.example/u/tok>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Reply-To": "Zoë Durand <zoe.durand@example.org>",
        },
        "kind": "confirm_signature", "locale": "fr", "attempts": 1,
    }  # fmt: skip
    fields.update(overrides)
    return Outgoing(**fields)


def _content(part) -> str:
    # As on the wire, lines end in CRLF; the text is the same once they are read as lines.
    return part.get_content().replace("\r\n", "\n")


def _parsed(email: Outgoing):
    assert fast_path(email)
    data = build_bytes(email, MAIL_FROM)
    assert data.isascii()
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF only, as SMTP wants
    assert max(len(line) for line in data.split(b"\r\n")) <= 78
    return message_from_bytes(data, policy=default)


def test_headers_parse_back_with_their_unicode():
    message = _parsed(_email())
    assert message["Subject"] == "Confirmez votre signature « Données »"
    assert message["From"].addresses[0].display_name == "Cahier Éditions"
    assert message["From"].addresses[0].addr_spec == "noreply@cahier.example"
    assert message["To"] == "zoe@example.org"
    assert message["Reply-To"].addresses[0].display_name == "Zoë Durand"
    assert message["Reply-To"].addresses[0].addr_spec == "zoe.durand@example.org"
    assert message["Message-ID"] == "<1.2.3@cahier.example>"
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "fr"
    assert message["List-Unsubscribe"] == "<https://cahier.example/u/tok>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["MIME-Version"] == "1.0"


def test_text_and_html_parts_round_trip_in_utf8():
    message = _parsed(_email())
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    for part in (plain, html):
        assert part.get_content_charset() == "utf-8"
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
    assert _content(plain) == TEXT + "\n"
    assert _content(html) == HTML + "\n"
    assert message.get_body(("plain",)) is plain and message.get_body(("html",)) is html


def test_it_carries_the_same_headers_as_the_general_builder():
    email = _email()
    fast = _parsed(email)
    general = message_from_bytes(build_message(email, MAIL_FROM).as_bytes(), policy=default)
    assert sorted(fast.keys()) == sorted(general.keys())
    for name in ("Subject", "From", "To", "Reply-To", "Message-ID", "Content-Language"):
        assert str(fast[name]) == str(general[name])
    assert _content(fast.get_body(("plain",))) == _content(general.get_body(("plain",)))


@pytest.mark.parametrize(
    "subject",
    [
        "Plain",
        "A subject long enough to be folded over more than one line of the header block, twice",
        "Looks like an encoded word =?utf-8?q?x?= but is text",
        "日本語の件名はエンコードされます、とても長い件名でも正しく折り返されるべきです",
    ],
)
def test_subjects_fold_and_decode_to_what_was_written(subject):
    assert _parsed(_email(subject=subject))["Subject"] == subject


def test_a_mailings_list_unsubscribe_folds_between_its_two_addresses():
    both = (
        "<https://cahier.example/unsubscribe/s/123456-62ffd6974d0b1d2191c7237418>, "
        "<mailto:unsubscribe+123456-62ffd6974d0b1d2191c7237418@cahier.example"
        "?subject=unsubscribe>"
    )
    data = build_bytes(_email(headers={"List-Unsubscribe": both}), MAIL_FROM)
    # The mailto address is one word longer than 78 columns: a line of its own, then.
    assert b"\r\n <mailto:" in data
    assert max(len(line) for line in data.split(b"\r\n")) <= 998
    assert message_from_bytes(data, policy=default)["List-Unsubscribe"] == both


def test_text_without_a_final_newline_or_with_crlf_is_normalised():
    message = _parsed(_email(text_body="one\r\ntwo\rthree", html_body="<p>x</p>\n"))
    assert _content(message.get_body(("plain",))) == "one\ntwo\nthree\n"
    assert _content(message.get_body(("html",))) == "<p>x</p>\n"


@pytest.mark.parametrize(
    "overrides",
    [
        {"attachments": (Attachment("a.pdf", "application/pdf", b"%PDF"),)},
        {"to_addr": "zoë@exämple.org"},
        {"headers": {"X-Evil": "a\r\nBcc: victim@example.org"}},
        {"headers": {"Subject": "a second subject"}},
        {"headers": {"Bad Name": "x"}},
        {"headers": {"Reply-To": "Zoë <zoë@exämple.org>"}},
    ],
)
def test_anything_unusual_takes_the_general_builder(overrides):
    assert not fast_path(_email(**overrides))
