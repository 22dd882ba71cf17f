from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.campaigns import revisions, services
from organizer.db import utcnow
from organizer.extensions import db
from organizer.signatures import counting
from organizer.signatures.models import PostalCodeMode, SignatureSettings, SignatureStatus
from tests.factories import MembershipFactory, SignatureFactory, UserFactory
from tests.support.web import submit

from .conftest import ORIGIN, login, make_campaign, setup


def _team(app):
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="team", goal=1000)
        moderator = MembershipFactory(campaign=campaign, user=UserFactory(), role="moderator").user
        return owner.email, moderator.email


def test_settings_turn_the_postal_code_on_for_the_public_form(app, client):
    owner, _moderator = _team(app)
    login(client, owner)
    response = submit(
        client,
        "/organize/team/signatures/settings",
        {"postal_code": "required", "notify_signers_on_milestones": "y"},
    )
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(SignatureSettings, services.get_by_slug("team").id)
        assert settings.postal_code == PostalCodeMode.REQUIRED
    anonymous = app.test_client()
    assert 'name="postal_code"' in anonymous.get("/c/team").get_data(as_text=True)
    response = anonymous.post(
        "/c/team/sign",
        headers=ORIGIN,
        data={"name": "Ada", "email": "ada@example.org", "country": "FR"},
    )
    assert "Enter your postal code." in response.get_data(as_text=True)


def test_organizers_add_milestones_and_see_them(app, client):
    owner, _moderator = _team(app)
    login(client, owner)
    assert submit(client, "/organize/team/signatures/settings", {}).status_code in (200, 302)
    from tests.support.web import csrf_token

    page = client.get("/organize/team/signatures/settings").get_data(as_text=True)
    response = client.post(
        "/organize/team/signatures/milestones",
        data={"threshold": "333", "csrf_token": csrf_token(page)},
    )
    assert response.status_code == 302
    html = client.get("/organize/team/signatures/settings").get_data(as_text=True)
    assert "333" in html and "250" in html  # 25 % of the 1,000 goal
    again = client.post(
        "/organize/team/signatures/milestones",
        data={"threshold": "333", "csrf_token": csrf_token(page)},
    )
    assert again.status_code == 400 and "already a milestone" in again.get_data(as_text=True)


def test_paper_batches_count_toward_the_goal(app, client):
    owner, _moderator = _team(app)
    login(client, owner)
    response = submit(
        client,
        "/organize/team/signatures/offline",
        {"count": "120", "collected_on": "2024-05-01", "note": "Market"},
    )
    assert response.status_code == 302
    count = app.test_client().get("/c/team/count.json").json
    assert (count["offline"], count["total"], count["percent"]) == (120, 120, 12)
    page = client.get("/organize/team/signatures/offline").get_data(as_text=True)
    assert "Market" in page
    with app.app_context():
        assert db.session.scalars(
            select(AuditLog.action).where(AuditLog.action == "signatures.offline_added")
        ).one()


def test_organizers_add_pledges(app, client):
    owner, moderator = _team(app)
    login(client, owner)
    deadline = (utcnow().date() + timedelta(days=10)).isoformat()
    response = submit(
        client,
        "/organize/team/signatures/pledges",
        {"text": "I will log out", "threshold": "10000", "deadline": deadline},
    )
    assert response.status_code == 302
    assert "I will log out" in app.test_client().get("/c/team").get_data(as_text=True)
    past = submit(
        client,
        "/organize/team/signatures/pledges",
        {"text": "Too late", "threshold": "10", "deadline": "2001-01-01"},
    )
    assert "cannot be in the past" in past.get_data(as_text=True)
    other = app.test_client()
    login(other, moderator)
    assert other.get("/organize/team/signatures/pledges").status_code == 403


def test_the_dashboard_counts_signatures_by_state(app, client):
    owner, _moderator = _team(app)
    with setup(app):
        campaign = services.get_by_slug("team")
        revision = revisions.published_revision(campaign)
        SignatureFactory.create_batch(
            3, campaign=campaign, revision=revision, status=SignatureStatus.CONFIRMED
        )
        SignatureFactory(campaign=campaign, revision=revision, suspect=True)
    login(client, owner)
    html = client.get("/organize/team/signatures").get_data(as_text=True)
    assert '<td class="num">3</td>' in html and "Suspect, not counted" in html
    assert "export.csv" in html
    with app.app_context():
        assert counting.real_count(services.get_by_slug("team").id) == 3


def test_the_wall_pages_through_signers(app, client):
    _team(app)
    with setup(app):
        campaign = services.get_by_slug("team")
        revision = revisions.published_revision(campaign)
        now = utcnow()
        for i in range(55):
            SignatureFactory(
                campaign=campaign,
                revision=revision,
                name=f"Person {i:02d}",
                status=SignatureStatus.CONFIRMED,
                confirmed_at=now - timedelta(minutes=i),
            )
    first = client.get("/c/team/signers").get_data(as_text=True)
    assert "Person 00" in first and "Person 54" not in first and "page=2" in first
    second = client.get("/c/team/signers?page=2").get_data(as_text=True)
    assert "Person 54" in second and "Person 00" not in second
    assert client.get("/c/team/signers?page=abc").status_code == 200
