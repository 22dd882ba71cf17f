"""'Manage my data with this group': see it all, export it, unsubscribe, erase."""

from __future__ import annotations

from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.mailing import manage_url
from organizer.signatures.models import Signature, SignatureStatus
from organizer.supporters.models import ConsentEvent, ErasedSupporter, Supporter
from tests.events.conftest import confirmed_guest
from tests.factories import EventFactory, UserFactory
from tests.signatures.conftest import ORIGIN, confirm_now, make_campaign, setup, sign


def _path(url):
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _signed(app, receive_updates=True):
    """Ada signed two campaigns of one group and RSVPed to a screening of one of them."""
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="mydata")
        campaign.group.name = "Fair Platforms Collective"
        other = make_campaign(owner, slug="mydata-two", title="Second campaign")
        other.group_id = campaign.group_id
        db.session.flush()
        signature = confirm_now(
            sign(campaign, "ada@example.org", postal_code="D02", receive_updates=receive_updates)[1]
        )
        confirm_now(sign(other, "ada@example.org", ip="192.0.2.90")[1])
        confirmed_guest(
            EventFactory(campaign=campaign, title="Screening in Lyon"), "ada@example.org"
        )
        counting.fold()
        return signature.id, _path(manage_url(signature))


def _supporter(app, signature_id):
    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        return db.session.get(Supporter, signature.supporter_id)


def test_the_manage_page_shows_what_the_group_holds(app, client):
    _id, manage = _signed(app)
    html = client.get(manage).get_data(as_text=True)
    assert "Your data with Fair Platforms Collective" in html
    assert "Receives the group&#39;s updates" in html
    # Actions across the group's campaigns, and the consent history.
    assert "Second campaign" in html and "Screening in Lyon" in html
    assert "given, through signing a campaign" in html
    assert "Send me updates from Fair Platforms Collective." in html


def test_the_export_holds_the_supporter_the_history_and_the_actions(app, client):
    _id, manage = _signed(app)
    data = client.get(manage + "/data.json").json
    group = data["group_data"]
    assert group["group"]["name"] == "Fair Platforms Collective"
    assert group["supporter"]["email"] == "ada@example.org"
    assert group["supporter"]["email_status"] == "subscribed"
    assert [e["granted"] for e in group["consent_history"]] == [True]
    assert sorted(a["kind"] for a in group["actions"]) == ["rsvp", "signature", "signature"]


def test_unsubscribing_leaves_the_whole_groups_list(app, client):
    signature_id, manage = _signed(app)
    response = client.post(manage + "/stop-updates", headers=ORIGIN)
    html = response.get_data(as_text=True)
    assert "You will receive no more updates from Fair Platforms Collective." in html
    supporter = _supporter(app, signature_id)
    assert supporter.status == "unsubscribed"
    with app.app_context():
        last = db.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.supporter_id == supporter.id)
            .order_by(ConsentEvent.id.desc())
        ).first()
        assert (last.granted, last.source_type) == (False, "manage")


def test_ticking_updates_again_resubscribes_with_the_current_wording(app, client):
    signature_id, manage = _signed(app, receive_updates=False)
    assert _supporter(app, signature_id).status == "unsubscribed"
    client.post(manage + "/consents", data={"receive_updates": "y"}, headers=ORIGIN)
    assert _supporter(app, signature_id).status == "subscribed"


def test_the_one_click_unsubscribe_leaves_the_group_too(app, db_session):
    from organizer.signatures.mailing import unsubscribe_url

    signature_id, _manage = _signed(app)
    with app.app_context():
        url = _path(unsubscribe_url(db.session.get(Signature, signature_id)))
    app.test_client(use_cookies=False).post(url, data={"List-Unsubscribe": "One-Click"})
    assert _supporter(app, signature_id).status == "unsubscribed"


def test_erasing_asks_first_then_says_what_was_erased_and_kept(app, client):
    signature_id, manage = _signed(app)
    confirm = client.get(manage + "/erase")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "What is erased" in html and "What is kept" in html
    assert _supporter(app, signature_id).erased_at is None  # asking erased nothing

    done = client.post(manage + "/erase", headers=ORIGIN)
    html = done.get_data(as_text=True)
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert "Your data with Fair Platforms Collective is erased" in html
    assert "postal code on 2 signatures." in html and "on 1 RSVP." in html
    assert "2 signatures of yours still count" in html
    assert "ada@example.org" not in html

    with app.app_context():
        signature = db.session.get(Signature, signature_id)
        assert signature.status == SignatureStatus.CONFIRMED and signature.name == ""
        assert db.session.scalars(select(ErasedSupporter)).all()
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "supporter.erased")
        ).one()
        assert entry.actor_id is None and "ada" not in str(entry.details)
    assert client.get("/c/mydata/count.json").json["signatures"] == 1
    # The link died with the data.
    assert client.get(manage).status_code == 404


def test_a_cross_site_post_cannot_erase(app, client):
    signature_id, manage = _signed(app)
    response = client.post(manage + "/erase", headers={"Origin": "https://evil.example"})
    assert response.status_code == 403
    assert _supporter(app, signature_id).erased_at is None


def test_a_pending_signer_is_told_they_are_not_on_the_list_yet(app, client):
    with setup(app):
        campaign = make_campaign(UserFactory(), slug="mydata-pending")
        signature = sign(campaign, "new@example.org", ip="192.0.2.91")[1]
        manage = _path(manage_url(signature))
    html = client.get(manage).get_data(as_text=True)
    assert "you become one of its supporters once" in html
