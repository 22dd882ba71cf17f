"""Bodies shared by many outbox rows: stored once, filled per row as the message is built."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default

from organizer.extensions import db
from organizer.mail import bodies
from organizer.mail import services as outbox
from organizer.mail.mime import build_bytes
from organizer.mail.models import OutboundEmail

TEXT = f"Hello {bodies.slot(0)}, see {bodies.slot(1)}\n"
HTML = f'<p>Hello {bodies.slot(0)}, <a href="{bodies.slot(1)}">see</a></p>'


def _row(body_id: int, to: str, values: list[str] | None) -> OutboundEmail:
    row = OutboundEmail(
        to_addr=to, subject="News", text_body="", html_body="", headers={},
        message_id=f"<{to}>", kind="mailing", locale="en", body_id=body_id, merge_values=values,
    )  # fmt: skip
    db.session.add(row)
    db.session.flush()
    return row


def test_a_key_stores_one_body_and_the_first_one_stays(ctx):
    first = bodies.store("mailing:1:en", TEXT, HTML)
    assert bodies.store("mailing:1:en", "other", "<p>other</p>") == first
    assert bodies.store("mailing:1:fr", TEXT, HTML) != first
    assert bodies.load([first])[first].fill(["Ada", "https://x.example/m"])[0] == (
        "Hello Ada, see https://x.example/m\n"
    )


def test_each_claimed_row_gets_its_own_values_escaped_in_html(ctx, app):
    body = bodies.store("mailing:7:en", TEXT, HTML)
    ada = _row(body, "ada@example.org", ["Ada", "https://x.example/a?b=1&c=2"])
    eve = _row(body, "eve@example.org", ['<b>Eve</b> "E"', "https://x.example/e"])
    by_id = {e.id: e for e in outbox.claim_batch([ada.id, eve.id])}
    assert by_id[ada.id].text_body == "Hello Ada, see https://x.example/a?b=1&c=2\n"
    assert 'href="https://x.example/a?b=1&amp;c=2"' in by_id[ada.id].html_body
    assert by_id[eve.id].text_body.startswith('Hello <b>Eve</b> "E", see')
    assert "Hello &lt;b&gt;Eve&lt;/b&gt; &#34;E&#34;," in by_id[eve.id].html_body
    # What goes on the wire is the filled body.
    message = message_from_bytes(
        build_bytes(by_id[ada.id], app.config["MAIL_FROM"]), policy=default
    )
    assert message.get_body(("plain",)).get_content().replace("\r\n", "\n") == (
        by_id[ada.id].text_body
    )


def test_a_row_whose_values_were_erased_builds_with_empty_slots(ctx):
    body = bodies.store("mailing:8:en", TEXT, HTML)
    row = _row(body, "gone@example.org", None)
    assert bodies.bodies_of(row) == ("Hello , see \n", '<p>Hello , <a href="">see</a></p>')
    message = outbox.build_message(row)
    assert message.get_body(("plain",)).get_content() == "Hello , see \n"
