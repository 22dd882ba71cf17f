"""Signer self-service through the manage link, and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

from sqlalchemy import select

from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.mailing import manage_url, unsubscribe_url
from organizer.signatures.models import Signature, SignatureStatus
from tests.factories import UserFactory
from tests.signatures.conftest import ORIGIN, confirm_now, make_campaign, setup, sign


def _signed(app, receive_updates=True):
    with setup(app):
        campaign = make_campaign(UserFactory(), slug="privacy")
        signature = confirm_now(
            sign(campaign, "ada@example.org", postal_code="D02", receive_updates=receive_updates)[1]
        )
        counting.fold()
        path = lambda url: url.split("127.0.0.1", 1)[-1].split(":", 1)[-1].lstrip("0123456789")  # noqa: E731
        return signature.id, path(manage_url(signature)), path(unsubscribe_url(signature))


def _signature(app, signature_id):
    with app.app_context():
        return db.session.get(Signature, signature_id)


def test_the_manage_page_shows_what_is_stored_without_a_session(app, client):
    _id, manage, _unsub = _signed(app)
    page = client.get(manage)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ada@example.org" in html and "D02" in html
    assert "Revision 1" in html and page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers
    data = client.get(manage + "/data.json")
    assert data.status_code == 200 and data.json["email"] == "ada@example.org"
    assert data.json["consents"]["receive_updates"]["given"] is True
    assert data.json["consents"]["show_name"]["text_version"]
    assert "attachment" in data.headers["Content-Disposition"]


def test_withdrawing_through_the_manage_link_lowers_the_count(app, client):
    signature_id, manage, _unsub = _signed(app)
    assert client.get("/c/privacy/count.json").json["signatures"] == 1
    response = client.post(manage + "/withdraw", headers=ORIGIN)
    assert response.status_code == 200 and "withdrawn" in response.get_data(as_text=True)
    assert _signature(app, signature_id).status == SignatureStatus.WITHDRAWN
    with app.app_context():
        counting.fold()
        db.session.commit()
    assert client.get("/c/privacy/count.json").json["signatures"] == 0


def test_a_tampered_link_is_refused(app, client):
    _id, manage, unsub = _signed(app)
    assert client.get(manage[:-3] + "abc").status_code == 404
    assert (
        client.post(unsub[:-3] + "abc", data={"List-Unsubscribe": "One-Click"}).status_code == 404
    )
    # A manage token does not unsubscribe, nor the other way round.
    token = manage.rsplit("/", 1)[1]
    assert client.post(f"/s/unsubscribe/{token}").status_code == 404


def test_one_click_unsubscribe_works_with_no_session_cookie_or_origin(app, db_session):
    signature_id, _manage, unsub = _signed(app)
    mail_provider = app.test_client(use_cookies=False)
    response = mail_provider.post(
        unsub,
        data={"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    signature = _signature(app, signature_id)
    assert signature.receive_updates is False
    assert signature.status == SignatureStatus.CONFIRMED  # the signature stays


def test_the_unsubscribe_get_only_shows_a_button(app, client):
    signature_id, _manage, unsub = _signed(app)
    page = client.get(unsub)
    assert page.status_code == 200 and '<form method="post"' in page.get_data(as_text=True)
    assert _signature(app, signature_id).receive_updates is True


def test_stop_updates_from_the_manage_page(app, client):
    signature_id, manage, _unsub = _signed(app)
    client.post(manage + "/stop-updates", headers=ORIGIN)
    assert _signature(app, signature_id).receive_updates is False


def test_every_email_to_a_signer_carries_the_manage_link(app, db_session):
    from organizer.mail.models import OutboundEmail

    with setup(app):
        campaign = make_campaign(UserFactory(), slug="links")
        signature = sign(campaign, "ada@example.org")[1]
        confirm_now(signature)
        sign(campaign, "ada@example.org")
        mails = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.to_addr == "ada@example.org")
        ).all()
        assert {m.kind for m in mails} == {"signature_confirm", "signature_already"}
        assert all("/s/manage/" in m.text_body and "/s/manage/" in m.html_body for m in mails)
