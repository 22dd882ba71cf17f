"""POST /hooks/inbound-mail: DSNs (RFC 3464), ARF complaints (RFC 5965) and mailto
unsubscribes, built with the email package as Gmail, Postfix and a mailbox provider send them."""

from __future__ import annotations

from email.message import Message
from email.mime.message import MIMEMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail import listmail
from organizer.mail.models import EmailStatus, OutboundEmail, Suppression, SuppressionReason
from organizer.mailings.models import Mailing, MailingRecipient, RecipientStatus
from organizer.supporters.models import Supporter, SupporterStatus
from tests.factories import GroupFactory, SupporterFactory

TOKEN = "s3cret-inbound-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def hook(app, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAIL_TOKEN", TOKEN)


def _sent_mailing(app, address="ada@example.org", **supporter):
    """A supporter, a mailing and the outbox row that took it to them; ids and headers."""
    with app.app_context():
        group = GroupFactory(slug="rivers")
        person = SupporterFactory(group=group, email=address, **supporter)
        mailing = Mailing(group_id=group.id)
        db.session.add(mailing)
        db.session.flush()
        recipient = MailingRecipient(mailing_id=mailing.id, supporter_id=person.id)
        db.session.add(recipient)
        db.session.flush()
        email = OutboundEmail(
            to_addr=address, subject="Next week", text_body="…", html_body="…",
            headers=listmail.list_headers(group=group, supporter_id=person.id,
                                          list_id_suffix="mailings"),
            message_id=f"<m{recipient.id}@cahier.invalid>", kind="mailing", locale="en",
            related_type="mailing_recipient", related_id=recipient.id, status=EmailStatus.SENT,
        )  # fmt: skip
        db.session.add(email)
        db.session.flush()
        recipient.email_id = email.id
        ids = {"group": group.id, "supporter": person.id, "recipient": recipient.id,
               "email": email.id, "bounce_to": listmail.bounce_address(email.id),
               "headers": dict(email.headers), "message_id": email.message_id}  # fmt: skip
        db.session.commit()
        return ids


def _original(sent, address="ada@example.org") -> Message:
    original = MIMEText("Next week we march.")
    original["From"] = "Cahier <noreply@cahier.invalid>"
    original["To"] = address
    original["Subject"] = "Next week"
    original["Message-ID"] = sent["message_id"]
    original["Return-Path"] = f"<{sent['bounce_to']}>"
    for name, value in sent["headers"].items():
        original[name] = value
    return original


def _status_part(*blocks: dict[str, str]) -> Message:
    part = Message()
    part.set_type("message/delivery-status")
    fields = []
    for block in blocks:
        item = Message()
        for name, value in block.items():
            item[name] = value
        fields.append(item)
    part.set_payload(fields)
    return part


def _report(report_type: str, to: str, sender: str, parts: list[Message]) -> bytes:
    report = MIMEMultipart("report", report_type=report_type)
    report["From"] = sender
    report["To"] = to
    report["Subject"] = "Delivery Status Notification (Failure)"
    for part in parts:
        report.attach(part)
    return report.as_bytes()


def gmail_dsn(sent, address="ada@example.org") -> bytes:
    headers = MIMEText(str(_original(sent, address)).split("\n\n", 1)[0] + "\n", "rfc822-headers")
    return _report("delivery-status", sent["bounce_to"],
                   "Mail Delivery Subsystem <mailer-daemon@googlemail.com>", [
        MIMEText(f"Address not found\n\nYour message wasn't delivered to {address} because the "
                 "address couldn't be found, or is unable to receive mail."),
        _status_part(
            {"Reporting-MTA": "dns; googlemail.com",
             "Arrival-Date": "Mon, 1 Dec 2026 10:00:00 -0800"},
            {"Final-Recipient": f"rfc822; {address}", "Action": "failed", "Status": "5.1.1",
             "Remote-MTA": "dns; gmail-smtp-in.l.google.com. (142.250.1.26, the server for the "
                           "domain gmail.com.)",
             "Diagnostic-Code": "smtp; 550-5.1.1 The email account that you tried to reach does "
                                "not exist.",
             "Last-Attempt-Date": "Mon, 1 Dec 2026 10:00:01 -0800"},
        ),
        headers,
    ])  # fmt: skip


def postfix_dsn(sent, address="ada@example.org", action="failed", status="5.1.1") -> bytes:
    return _report("delivery-status", sent["bounce_to"],
                   "MAILER-DAEMON@mx.example.org (Mail Delivery System)", [
        MIMEText("This is the mail system at host mx.example.org.\n\nI'm sorry to have to inform "
                 "you that your message could not\nbe delivered to one or more recipients.\n"),
        _status_part(
            {"Reporting-MTA": "dns; mx.example.org", "X-Postfix-Queue-ID": "4ZQk2x0abc",
             "X-Postfix-Sender": f"rfc822; {sent['bounce_to']}"},
            {"Final-Recipient": f"rfc822; {address}", "Original-Recipient": f"rfc822;{address}",
             "Action": action, "Status": status,
             "Diagnostic-Code": f"smtp; 550 {status} <{address}>: Recipient address rejected"},
        ),
        MIMEMessage(_original(sent, address)),
    ])  # fmt: skip


def arf_report(sent, address="ada@example.org", redacted=False) -> bytes:
    feedback = Message()
    feedback.set_type("message/feedback-report")
    fields = ("Feedback-Type: abuse\nUser-Agent: SomeISP-FBL/1.0\nVersion: 1\n"
              f"Original-Mail-From: <{sent['bounce_to']}>\n"
              f"Original-Rcpt-To: <{'redacted@example.org' if redacted else address}>\n"
              "Arrival-Date: Mon, 1 Dec 2026 10:00:00 +0000\n")  # fmt: skip
    feedback.set_payload(fields)
    original = _original(sent, "redacted@example.org" if redacted else address)
    if redacted:
        del original["Message-ID"], original["Return-Path"]
    return _report("feedback-report", "fbl@cahier.invalid", "FBL <fbl@isp.example>", [
        MIMEText("This is an email abuse report for an email message received from IP "
                 "192.0.2.25 on Mon, 1 Dec 2026 10:00:00 +0000."),
        feedback,
        MIMEMessage(original),
    ])  # fmt: skip


def _post(client, body: bytes, headers=AUTH, **query):
    return client.post("/hooks/inbound-mail", data=body, headers=headers,
                       content_type="message/rfc822", query_string=query)  # fmt: skip


def _state(app, ids):
    with app.app_context():
        supporter = db.session.get(Supporter, ids["supporter"])
        recipient = db.session.get(MailingRecipient, ids["recipient"])
        rows = db.session.scalars(select(Suppression).order_by(Suppression.id)).all()
        return (supporter.status, supporter.soft_bounces, recipient.status,
                [(s.email, s.group_id, s.reason) for s in rows])  # fmt: skip


def test_a_gmail_dsn_is_a_hard_bounce_suppressed_everywhere(app, db_session, client, hook):
    ids = _sent_mailing(app)
    response = _post(client, gmail_dsn(ids))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.json["result"] == "hard_bounce" and response.json["email"] == ids["email"]
    suppressed = [("ada@example.org", None, SuppressionReason.HARD_BOUNCE)]
    assert _state(app, ids) == (SupporterStatus.BOUNCING, 0, RecipientStatus.BOUNCED, suppressed)


def test_a_postfix_dsn_is_a_hard_bounce(app, db_session, client, hook):
    ids = _sent_mailing(app)
    response = _post(client, postfix_dsn(ids), recipient=ids["bounce_to"])
    assert response.json["result"] == "hard_bounce"
    assert _state(app, ids)[0] == SupporterStatus.BOUNCING


def test_a_sparse_dsn_finds_its_row_through_the_verp_address_alone(app, db_session, client, hook):
    ids = _sent_mailing(app)
    sparse = MIMEMultipart("report", report_type="delivery-status")
    sparse.attach(MIMEText("Undeliverable."))
    sparse.attach(_status_part({"Reporting-MTA": "dns; old.example"},
                               {"Action": "failed", "Status": "5.0.0"}))  # fmt: skip
    # No To, no original, no Final-Recipient: only the envelope recipient Postfix passes.
    response = _post(client, sparse.as_bytes(), recipient=ids["bounce_to"])
    assert response.json["result"] == "hard_bounce" and response.json["email"] == ids["email"]
    assert _state(app, ids)[0] == SupporterStatus.BOUNCING


def test_three_soft_bounces_make_a_supporter_bouncing(app, db_session, client, hook):
    ids = _sent_mailing(app)
    for count in (1, 2):
        body = postfix_dsn(ids, action="delayed", status="4.2.2")
        assert _post(client, body).json["result"] == "soft_bounce"
        assert _state(app, ids)[:2] == (SupporterStatus.SUBSCRIBED, count)
    _post(client, postfix_dsn(ids, action="failed", status="4.4.7"))
    status, soft, _recipient, suppressed = _state(app, ids)
    assert (status, soft) == (SupporterStatus.BOUNCING, 3)
    assert suppressed == [("ada@example.org", ids["group"], SuppressionReason.SOFT_BOUNCES)]


def test_an_arf_complaint_unsubscribes_and_suppresses_for_the_group(app, db_session, client, hook):
    ids = _sent_mailing(app)
    response = _post(client, arf_report(ids))
    assert response.status_code == 200 and response.json["result"] == "complaint"
    suppressed = [("ada@example.org", ids["group"], SuppressionReason.COMPLAINT)]
    expected = (SupporterStatus.COMPLAINED, 0, RecipientStatus.COMPLAINED, suppressed)
    assert _state(app, ids) == expected


def test_a_redacted_arf_still_finds_the_row_through_the_verp_sender(app, db_session, client, hook):
    ids = _sent_mailing(app)
    assert _post(client, arf_report(ids, redacted=True)).json["result"] == "complaint"
    assert _state(app, ids)[0] == SupporterStatus.COMPLAINED


def test_a_mail_to_the_unsubscribe_address_unsubscribes_from_the_group(
    app, db_session, client, hook
):
    ids = _sent_mailing(app)
    with app.app_context():
        mailto = listmail.unsubscribe_address(ids["supporter"])
    message = MIMEText("")
    message["From"] = "ada@example.org"
    message["To"] = mailto
    message["Subject"] = "unsubscribe"
    response = _post(client, message.as_bytes())
    assert response.json == {"result": "unsubscribe", "done": ["unsubscribed"]}
    assert _state(app, ids)[0] == SupporterStatus.UNSUBSCRIBED
    with app.app_context():
        assert db.session.get(MailingRecipient, ids["recipient"]).unsubscribed_at is not None


def test_a_forged_dsn_naming_none_of_our_messages_changes_nothing(app, db_session, client, hook):
    ids = _sent_mailing(app)
    forged = (
        postfix_dsn(ids)
        .replace(ids["bounce_to"].encode(), b"bounce@cahier.invalid")
        .replace(ids["message_id"].encode(), b"<forged@elsewhere>")
    )
    response = _post(client, forged)
    assert response.status_code == 202 and response.json["result"] == "ignored"
    assert _state(app, ids)[0] == SupporterStatus.SUBSCRIBED


def test_the_hook_needs_its_bearer_token(app, db_session, client, hook):
    ids = _sent_mailing(app)
    body = gmail_dsn(ids)
    assert _post(client, body, headers={}).status_code == 401
    wrong = _post(client, body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["WWW-Authenticate"].startswith("Bearer")
    assert _state(app, ids)[0] == SupporterStatus.SUBSCRIBED


def test_an_unconfigured_hook_says_so_with_a_503(app, db_session, client, monkeypatch):
    monkeypatch.setitem(app.config, "INBOUND_MAIL_TOKEN", "")
    response = _post(client, b"Subject: x\r\n\r\nhello\r\n")
    assert response.status_code == 503 and "INBOUND_MAIL_TOKEN" in response.json["error"]


def test_an_empty_or_oversized_body_is_a_4xx(app, db_session, client, hook, monkeypatch):
    assert _post(client, b"").status_code == 400
    monkeypatch.setitem(app.config, "INBOUND_MAIL_MAX_BYTES", 1000)
    assert _post(client, b"Subject: x\r\n\r\n" + b"x" * 70_000).status_code == 413


def test_a_provider_webhook_posting_a_form_field_works(app, db_session, client, hook):
    ids = _sent_mailing(app)
    response = client.post("/hooks/inbound-mail", headers=AUTH,
                           data={"email": gmail_dsn(ids).decode()})  # fmt: skip
    assert response.json["result"] == "hard_bounce"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        st.binary(min_size=1, max_size=400),
        st.text(min_size=1, max_size=400).map(str.encode),
        st.sampled_from(
            [
                b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\r\n"
                b"\r\n--x",
                b"Content-Type: multipart/report; report-type=feedback-report\r\n\r\n\xff\xfe",
                b"Content-Type: message/delivery-status\r\n\r\nAction: failed\r\nStatus: 5.9.999",
                b"To: bounce+1-aaaaaaaaaaaaaaaaaaaa@cahier.invalid\r\nFrom: MAILER-DAEMON\r\n\r\n",
                b"To: =?utf-8?b?/w==?= <unsubscribe+\x00@x>\r\n\r\n",
            ]
        ),
    )
)
def test_garbage_is_ignored_never_a_500(app, db_session, client, hook, body):
    if not body.strip():
        return
    response = _post(client, body)
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.json["result"] == "ignored"


def test_leaving_the_list_drops_the_rows_of_a_mailing_still_draining(app, db_session, client, hook):
    ids = _sent_mailing(app)
    with app.app_context():
        later = Mailing(group_id=ids["group"])
        db.session.add(later)
        db.session.flush()
        waiting = MailingRecipient(mailing_id=later.id, supporter_id=ids["supporter"])
        db.session.add(waiting)
        db.session.flush()
        queued = OutboundEmail(
            to_addr="ada@example.org", subject="Later", text_body="…", html_body="…",
            headers={}, message_id="<later@cahier.invalid>", kind="mailing", locale="en",
            related_type="mailing_recipient", related_id=waiting.id,
        )  # fmt: skip
        db.session.add(queued)
        db.session.flush()
        waiting.email_id = queued.id
        later_ids = (waiting.id, queued.id)
        db.session.commit()
    assert _post(client, arf_report(ids)).json["result"] == "complaint"
    with app.app_context():
        assert db.session.get(OutboundEmail, later_ids[1]).status == EmailStatus.FAILED
        assert db.session.get(MailingRecipient, later_ids[0]).status == RecipientStatus.CANCELLED


def test_a_complaint_about_signer_mail_reaches_the_signatures_supporter(
    app, db_session, client, hook
):
    from organizer.supporters.status import supporter_for
    from tests.factories import UserFactory
    from tests.signatures.conftest import confirm_now, make_campaign, sign

    with app.app_context():
        campaign = make_campaign(UserFactory(), slug="signer-mail")
        signature = confirm_now(sign(campaign, "ada@example.org", receive_updates=True)[1])
        person = supporter_for(campaign.group_id, "ada@example.org") or SupporterFactory(
            group_id=campaign.group_id, email="ada@example.org"
        )
        elsewhere = SupporterFactory(group=GroupFactory(), email="ada@example.org")
        signature.supporter_id = person.id
        email = OutboundEmail(
            to_addr="ada@example.org", subject="Milestone", text_body="…", html_body="…",
            headers={}, message_id="<milestone@cahier.invalid>", kind="milestone_signers",
            locale="en", related_type="signature", related_id=signature.id,
            status=EmailStatus.SENT,
        )  # fmt: skip
        db.session.add(email)
        db.session.flush()
        sent = {"message_id": email.message_id, "bounce_to": "noreply@cahier.invalid",
                "headers": {}}  # fmt: skip
        ids = (person.id, elsewhere.id, campaign.group_id)
        db.session.commit()
    assert _post(client, arf_report(sent)).json["result"] == "complaint"
    with app.app_context():
        assert db.session.get(Supporter, ids[0]).status == SupporterStatus.COMPLAINED
        assert db.session.get(Supporter, ids[1]).status == SupporterStatus.SUBSCRIBED
        (row,) = db.session.scalars(select(Suppression)).all()
        assert (row.group_id, row.reason) == (ids[2], SuppressionReason.COMPLAINT)
