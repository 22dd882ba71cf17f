"""Signer self-service through the manage link, and RFC 8058 one-click unsubscribe."""

from __future__ import annotations

import re

from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.consents import Purpose, has_consent, text_version
from organizer.signatures.mailing import manage_url, unsubscribe_url
from organizer.signatures.models import (
    PostalCodeMode,
    Signature,
    SignatureConsent,
    SignatureStatus,
)
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


def _updates(app, signature_id):
    with app.app_context():
        return has_consent(db.session.get(Signature, signature_id), Purpose.UPDATES)


def test_the_manage_page_shows_what_is_stored_without_a_session(app, client):
    _id, manage, _unsub = _signed(app)
    page = client.get(manage)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "ada@example.org" in html and "D02" in html
    assert "Revision 1" in html and page.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in page.headers
    data = client.get(manage + "/data.json")
    assert data.status_code == 200 and data.json["email"] == "ada@example.org"
    consents = data.json["consents"]
    assert consents["updates"]["given"] is True and consents["updates"]["given_at"]
    assert consents["public_list"]["text_version"] == text_version(Purpose.PUBLIC_LIST)
    assert consents["name_to_authorities"] == {
        "given": False, "text_version": None, "given_at": None, "withdrawn_at": None,
    }  # fmt: skip
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
    assert _updates(app, signature_id) is False
    signature = _signature(app, signature_id)
    assert signature.status == SignatureStatus.CONFIRMED  # the signature stays


def test_the_unsubscribe_get_only_shows_a_button(app, client):
    signature_id, _manage, unsub = _signed(app)
    page = client.get(unsub)
    assert page.status_code == 200 and '<form method="post"' in page.get_data(as_text=True)
    assert _updates(app, signature_id) is True


def test_stop_updates_from_the_manage_page(app, client):
    signature_id, manage, _unsub = _signed(app)
    client.post(manage + "/stop-updates", headers=ORIGIN)
    assert _updates(app, signature_id) is False


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


def _consent_rows(app, signature_id):
    with app.app_context():
        rows = db.session.scalars(
            select(SignatureConsent).where(SignatureConsent.signature_id == signature_id)
        )
        return {c.purpose: (c.text_version, c.withdrawn_at is None) for c in rows}


def test_the_manage_page_shows_each_consent_ticked_as_given(app, client):
    _id, manage, _unsub = _signed(app)
    html = client.get(manage).get_data(as_text=True)
    boxes = {
        name: "checked" in tag
        for tag in re.findall(r'<input[^>]*type="checkbox"[^>]*>', html)
        for name in re.findall(r'name="(\w+)"', tag)
    }
    assert boxes == {"show_name": True, "receive_updates": True, "name_to_authorities": False}


def test_changing_choices_withdraws_and_grants_each_consent_and_is_audited(app, client):
    signature_id, manage, _unsub = _signed(app)
    # Naming granted, public list and updates withdrawn (their boxes left unticked).
    response = client.post(manage + "/consents", data={"name_to_authorities": "y"}, headers=ORIGIN)
    assert response.status_code == 200 and "Your choices are saved." in response.get_data(
        as_text=True
    )
    assert _consent_rows(app, signature_id) == {
        Purpose.PUBLIC_LIST: (text_version(Purpose.PUBLIC_LIST), False),
        Purpose.UPDATES: (text_version(Purpose.UPDATES), False),
        Purpose.NAME_TO_AUTHORITIES: (text_version(Purpose.NAME_TO_AUTHORITIES), True),
    }
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        withdrawn = db.session.scalars(
            select(SignatureConsent.withdrawn_at).where(
                SignatureConsent.signature_id == signature_id,
                SignatureConsent.purpose == Purpose.UPDATES,
            )
        ).one()
        assert withdrawn is not None and withdrawn.tzinfo is not None
        assert not has_consent(signature, Purpose.PUBLIC_LIST)
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "signature.consents_changed")
        ).one()
        assert entry.details["granted"] == [Purpose.NAME_TO_AUTHORITIES]
        assert entry.details["withdrawn"] == [Purpose.PUBLIC_LIST, Purpose.UPDATES]
    # Granting again revives the same row, with no withdrawal left on it.
    client.post(manage + "/consents", data={"receive_updates": "y"}, headers=ORIGIN)
    assert _consent_rows(app, signature_id)[Purpose.UPDATES] == (
        text_version(Purpose.UPDATES),
        True,
    )
    assert _updates(app, signature_id) is True
    unchanged = client.post(manage + "/consents", data={"receive_updates": "y"}, headers=ORIGIN)
    assert "Your choices are unchanged." in unchanged.get_data(as_text=True)


def test_a_withdrawn_public_list_consent_takes_the_name_off_the_wall(app, client):
    _id, manage, _unsub = _signed(app)
    assert "Ada Lovelace" in client.get("/c/privacy/signers").get_data(as_text=True)
    client.post(manage + "/consents", data={"receive_updates": "y"}, headers=ORIGIN)
    assert "Ada Lovelace" not in client.get("/c/privacy/signers").get_data(as_text=True)


def test_a_cross_site_post_cannot_change_consents_or_details(app, client):
    signature_id, manage, _unsub = _signed(app)
    evil = {"Origin": "https://evil.example"}
    assert client.post(manage + "/consents", data={}, headers=evil).status_code == 403
    details = {"name": "Mallory", "country": "FR"}
    assert client.post(manage + "/details", data=details, headers=evil).status_code == 403
    assert _updates(app, signature_id) is True
    assert _signature(app, signature_id).name == "Ada Lovelace"


def test_signers_correct_their_name_and_country_and_the_counts_follow(app, client):
    signature_id, manage, _unsub = _signed(app)
    details = {"name": "  Ada King  ", "country": "FR", "postal_code": "D02"}
    response = client.post(manage + "/details", data=details, headers=ORIGIN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Your details are corrected." in html
    signature = _signature(app, signature_id)
    assert (signature.name, signature.country) == ("Ada King", "FR")
    assert signature.postal_code == "D02"
    with app.app_context():
        counting.fold()
        assert counting.by_country(signature.campaign_id) == [("FR", 1)]
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "signature.details_corrected")
        ).one()
        assert entry.details["fields"] == ["country", "name"]
        assert "Ada King" not in str(entry.details)  # the audit log names fields, not values


def test_a_postal_code_given_once_can_be_removed_even_when_no_longer_asked(app, client):
    signature_id, manage, _unsub = _signed(app)
    assert 'name="postal_code"' in client.get(manage).get_data(as_text=True)
    data = {"name": "Ada Lovelace", "country": "GB", "postal_code": ""}
    client.post(manage + "/details", data=data, headers=ORIGIN)
    assert _signature(app, signature_id).postal_code is None
    assert 'name="postal_code"' not in client.get(manage).get_data(as_text=True)


def test_details_are_validated_like_the_sign_form(app, client):
    signature_id, manage, _unsub = _signed(app)
    for bad in ({"name": " ", "country": "GB"}, {"name": "Ada", "country": "XX"},
                {"name": "A" * 121, "country": "GB"}):  # fmt: skip
        response = client.post(manage + "/details", data=bad, headers=ORIGIN)
        assert response.status_code == 422
        assert "Please correct the fields marked below." in response.get_data(as_text=True)
    signature = _signature(app, signature_id)
    assert (signature.name, signature.country) == ("Ada Lovelace", "GB")


def test_a_required_postal_code_is_required_when_corrected_too(app, client):
    from organizer.signatures.settings import save_settings

    signature_id, manage, _unsub = _signed(app)
    with setup(app):
        signature = db.session.get(Signature, signature_id)
        save_settings(signature.campaign, PostalCodeMode.REQUIRED, False)
    missing = {"name": "Ada", "country": "GB", "postal_code": ""}
    assert client.post(manage + "/details", data=missing, headers=ORIGIN).status_code == 422
    given = {"name": "Ada", "country": "GB", "postal_code": " NW1 "}
    assert client.post(manage + "/details", data=given, headers=ORIGIN).status_code == 200
    assert _signature(app, signature_id).postal_code == "NW1"


def test_a_withdrawn_signature_cannot_be_corrected(app, client):
    signature_id, manage, _unsub = _signed(app)
    client.post(manage + "/withdraw", headers=ORIGIN)
    assert "Correct your details" not in client.get(manage).get_data(as_text=True)
    response = client.post(
        manage + "/details", data={"name": "Ada", "country": "FR"}, headers=ORIGIN
    )
    assert response.status_code == 409
    assert _signature(app, signature_id).country == "GB"
