"""Role checks: every campaign page asks the campaign's own team, never another's."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from organizer.campaigns import services
from organizer.campaigns.models import Role
from organizer.campaigns.permissions import Permission, can, role_for
from tests.factories import MembershipFactory, UserFactory
from tests.support.web import csrf_token

from .conftest import build_campaign, login, publish, setup

DRAFT_PAGES = ["", "/revisions", "/preview", "/export.json", "/team"]
EDIT_PAGES = ["/settings", "/import", "/publish"]


def make_world(app, publish_y=False):
    """X and Y, each with its own owner; an organizer and a moderator of X only."""
    with setup(app):
        owner_x, owner_y, organizer_x, moderator_x = (UserFactory() for _ in range(4))
        x = build_campaign(owner_x, title="Campaign X", slug="campaign-x")
        y = build_campaign(owner_y, title="Campaign Y", slug="campaign-y")
        MembershipFactory(campaign=x, user=organizer_x, role=Role.ORGANIZER)
        MembershipFactory(campaign=x, user=moderator_x, role=Role.MODERATOR)
        if publish_y:
            publish(y, owner_y)
        return SimpleNamespace(
            organizer_x=organizer_x.email,
            moderator_x=moderator_x.email,
            x_demand=x.sections[0].demands[0].id,
            y_demand=y.sections[0].demands[0].id,
            y_section=y.sections[0].id,
        )


@pytest.mark.parametrize("page", DRAFT_PAGES + EDIT_PAGES)
def test_an_organizer_of_x_gets_404_on_an_unpublished_y(app, client, page):
    world = make_world(app)
    login(client, world.organizer_x)
    assert client.get(f"/organize/campaign-x{page}").status_code == 200
    assert client.get(f"/organize/campaign-y{page}").status_code == 404


@pytest.mark.parametrize("page", DRAFT_PAGES + EDIT_PAGES)
def test_on_a_published_y_the_answer_is_403(app, client, page):
    world = make_world(app, publish_y=True)
    login(client, world.organizer_x)
    assert client.get(f"/organize/campaign-y{page}").status_code == 403
    assert client.get("/c/campaign-y").status_code == 200


def test_an_organizer_of_x_cannot_edit_y(app, client):
    world = make_world(app)
    login(client, world.organizer_x)
    token = csrf_token(client.get("/organize/campaign-x").get_data(as_text=True))
    attempts = [
        (f"/organize/campaign-y/demands/{world.y_demand}/edit", {"text": "Hijacked."}),
        (f"/organize/campaign-y/demands/{world.y_demand}/move", {"direction": "up"}),
        (f"/organize/campaign-y/demands/{world.y_demand}/delete", {}),
        (f"/organize/campaign-y/sections/{world.y_section}/delete", {}),
        ("/organize/campaign-y/sections", {"title": "Hijack"}),
        ("/organize/campaign-y/preamble", {"preamble": "Hijacked."}),
        ("/organize/campaign-y/publish", {}),
        ("/organize/campaign-y/team", {"email": "spy@example.org", "role": "organizer"}),
    ]
    for url, data in attempts:
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 404, url
    # The same token does work on X: the refusals above are the role check, not CSRF.
    response = client.post(
        "/organize/campaign-x/preamble", data={"preamble": "Ours.", "csrf_token": token}
    )
    assert response.status_code == 302
    with app.app_context():
        y = services.get_by_slug("campaign-y")
        assert y.preamble == ""
        assert next(d.text for s in y.sections for d in s.demands) != "Hijacked."
        assert len(y.sections) == 2


def test_ids_of_another_campaign_are_404_even_on_ones_own(app, client):
    world = make_world(app)
    login(client, world.organizer_x)
    assert client.get(f"/organize/campaign-x/demands/{world.y_demand}/edit").status_code == 404
    assert client.get(f"/organize/campaign-x/sections/{world.y_section}/edit").status_code == 404


def test_a_moderator_reads_the_draft_but_cannot_edit_it(app, client):
    world = make_world(app)
    login(client, world.moderator_x)
    page = client.get("/organize/campaign-x/text")
    assert page.status_code == 200
    assert "Add a section" not in page.get_data(as_text=True)
    for url in (
        "/organize/campaign-x/settings",
        "/organize/campaign-x/import",
        "/organize/campaign-x/publish",
        f"/organize/campaign-x/demands/{world.x_demand}/edit",
    ):
        assert client.get(url).status_code == 403, url


def test_an_organizer_cannot_manage_the_team(app, client):
    world = make_world(app)
    login(client, world.organizer_x)
    page = client.get("/organize/campaign-x/team").get_data(as_text=True)
    assert "Invite someone" not in page
    token = csrf_token(page)
    response = client.post(
        "/organize/campaign-x/team",
        data={"email": "friend@example.org", "role": "organizer", "csrf_token": token},
    )
    assert response.status_code == 200
    assert "invitation is on its way" not in response.get_data(as_text=True)


def test_anonymous_visitors_are_sent_to_log_in(app, client):
    make_world(app)
    response = client.get("/organize/campaign-x")
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


def test_unpublished_campaigns_are_not_public(app, client):
    make_world(app)
    assert client.get("/c/campaign-x").status_code == 404
    assert client.get("/c/campaign-x/changes").status_code == 404
    assert client.get("/c/campaign-x/grievances.json").status_code == 404
    assert "Campaign X" not in client.get("/campaigns").get_data(as_text=True)


def test_the_permission_table(ctx):
    owner_x, owner_y, organizer = UserFactory(), UserFactory(), UserFactory()
    x = build_campaign(owner_x, slug="table-x")
    y = build_campaign(owner_y, slug="table-y")
    MembershipFactory(campaign=x, user=organizer, role=Role.ORGANIZER)
    assert role_for(x, organizer) == Role.ORGANIZER
    assert role_for(y, organizer) is None
    assert can(organizer, x, Permission.EDIT_TEXT)
    assert can(organizer, x, Permission.MANAGE_LETTERS)
    assert not can(organizer, x, Permission.MANAGE_TEAM)
    assert not can(organizer, y, Permission.VIEW_DRAFT)
    assert can(owner_y, y, Permission.MANAGE_TEAM)
