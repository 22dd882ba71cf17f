"""List headers (RFC 8058, RFC 2919), their signed tokens, and the supporter's one-click
unsubscribe from a whole group."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail import listmail
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from tests.factories import GroupFactory, SupporterFactory


def _supporter(app, **kwargs) -> tuple[int, str]:
    with app.app_context():
        supporter = SupporterFactory(group=GroupFactory(slug="rivers", name="Friends of Rivers"),
                                     **kwargs)  # fmt: skip
        db.session.commit()
        return supporter.id, urlsplit(listmail.supporter_unsubscribe_url(supporter.id)).path


def _status(app, supporter_id):
    with app.app_context():
        return db.session.get(Supporter, supporter_id).status


def test_tokens_round_trip_survive_lower_casing_and_refuse_tampering(app, db_session):
    with app.app_context():
        token = listmail.supporter_token(42)
        assert listmail.supporter_for_token(token) == 42
        assert listmail.supporter_for_token(token.upper()) == 42
        assert listmail.supporter_for_token(token.replace("42-", "43-")) is None
        assert listmail.supporter_for_token("garbage") is None
        bounce = listmail.bounce_address(7)
        assert len(bounce.split("@")[0]) <= 64
        assert listmail.outbox_id_for_bounce_address(f"<{bounce.upper()}>") == 7
        # A bounce token is no unsubscribe token, and the reverse.
        assert listmail.supporter_for_unsubscribe_address(bounce) is None
        assert listmail.outbox_id_for_bounce_address(listmail.unsubscribe_address(7)) is None


def test_list_headers_carry_one_click_https_mailto_and_list_id(app, db_session):
    with app.app_context():
        group = GroupFactory(slug="rivers", name="Friends of Rivers")
        headers = listmail.list_headers(group=group, supporter_id=5, list_id_suffix="mailings")
        https, mailto = headers["List-Unsubscribe"].split(", ")
        assert https == f"<{listmail.supporter_unsubscribe_url(5)}>"
        address = mailto.removeprefix("<mailto:").split("?")[0]
        assert listmail.supporter_for_unsubscribe_address(address) == 5
        assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert headers["List-Id"] == '"Friends of Rivers" <rivers.mailings.cahier.invalid>'
        group.name = "Amis des rivières"
        assert listmail.list_id(group, "mailings") == "<rivers.mailings.cahier.invalid>"


def test_one_click_post_unsubscribes_from_the_group_with_no_session(app, db_session):
    supporter_id, path = _supporter(app)
    mail_provider = app.test_client(use_cookies=False)
    response = mail_provider.post(
        path,
        data={"List-Unsubscribe": "One-Click"},
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert "Friends of Rivers" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers
    assert _status(app, supporter_id) == SupporterStatus.UNSUBSCRIBED
    with app.app_context():
        events = db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.supporter_id == supporter_id)
        ).all()
        assert [(e.granted, e.source_type) for e in events] == [(False, "unsubscribe")]


def test_the_get_only_shows_a_confirm_button(app, client):
    supporter_id, path = _supporter(app)
    page = client.get(path)
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and '<form method="post"' in body
    assert _status(app, supporter_id) == SupporterStatus.SUBSCRIBED


def test_a_forged_token_is_a_404_and_changes_nothing(app, client):
    supporter_id, path = _supporter(app)
    forged = path.rsplit("/", 1)[0] + f"/{supporter_id}-{'a' * 26}"
    response = client.post(forged)
    assert response.status_code == 404
    assert _status(app, supporter_id) == SupporterStatus.SUBSCRIBED


def test_the_per_signature_one_click_leaves_the_whole_group(app, db_session):
    from organizer.signatures.mailing import email_signer, unsubscribe_url
    from organizer.supporters.status import supporter_for
    from tests.factories import UserFactory
    from tests.signatures.conftest import confirm_now, make_campaign, sign

    with app.app_context():
        campaign = make_campaign(UserFactory(), slug="rivers-now")
        signature = confirm_now(sign(campaign, "ada@example.org", receive_updates=True)[1])
        supporter = supporter_for(campaign.group_id, "ada@example.org") or SupporterFactory(
            group_id=campaign.group_id, email="ada@example.org"
        )
        signature.supporter_id = supporter.id
        email = email_signer(signature, "signature_already", {"campaign": campaign}, updates=True)
        assert email is not None
        assert email.headers["List-Id"].endswith(".updates.cahier.invalid>")
        assert (
            f"mailto:{listmail.unsubscribe_address(supporter.id)}"
            in (email.headers["List-Unsubscribe"])
        )
        ids = (supporter.id, urlsplit(unsubscribe_url(signature)).path)
        db.session.commit()
    response = app.test_client(use_cookies=False).post(ids[1])
    assert response.status_code == 200
    assert _status(app, ids[0]) == SupporterStatus.UNSUBSCRIBED
