"""Tokens: stored hashed, shown once, made on the group's API page or by the CLI, revoked."""

from __future__ import annotations

import re

from sqlalchemy import select

from organizer.api.models import ApiToken
from organizer.api.tokens import create_token, hash_token
from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from tests.api.conftest import api_get
from tests.campaigns.conftest import login, setup
from tests.factories import CampaignFactory, GroupFactory, UserFactory
from tests.support.web import csrf_token, submit

TOKEN = re.compile(r'value="(cah_[A-Za-z0-9_-]{43})"')


def test_only_a_hash_is_kept_and_read_comes_with_every_scope(app, db_session):
    with app.app_context():
        group = GroupFactory()
        token, plaintext = create_token(group, "  Parsons  ", ["write"])
        assert plaintext.startswith("cah_") and len(plaintext) >= 40
        assert token.token_hash == hash_token(plaintext) != plaintext
        assert plaintext not in (token.token_prefix + token.label)
        assert token.label == "Parsons"
        assert token.scopes == ["read", "write"]
        audit = db.session.scalar(select(AuditLog).where(AuditLog.action == "api.token_created"))
        assert audit.details == {"label": "Parsons", "scopes": ["read", "write"]}
        assert plaintext not in str(audit.details)


def _owner_and_organizer(app):
    with setup(app):
        owner = UserFactory(email="owner@example.org")
        group = GroupFactory(owner=owner, slug="riders")
        organizer = UserFactory(email="organizer@example.org")
        db.session.add(GroupMembership(group_id=group.id, user_id=organizer.id,
                                       role=GroupRole.ORGANIZER))  # fmt: skip
    return "/organize/groups/riders/api"


def test_an_owner_creates_a_token_shown_once_that_works(app, client):
    page = _owner_and_organizer(app)
    login(client, "owner@example.org")
    dashboard = client.get("/organize/groups/riders").get_data(as_text=True)
    assert f'href="{page}"' in dashboard
    response = submit(client, page, {"label": "Parsons sync", "write": "y"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    (plaintext,) = TOKEN.findall(html)
    assert "shown this once" in html
    assert api_get(client, "/people", plaintext).status_code == 200
    again = client.get(page).get_data(as_text=True)
    assert plaintext not in again
    assert "Parsons sync" in again and plaintext[:10] in again
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row.scopes == ["read", "write"]


def test_an_owner_revokes_a_token(app, client):
    page = _owner_and_organizer(app)
    login(client, "owner@example.org")
    html = submit(client, page, {"label": "Old script"}).get_data(as_text=True)
    (plaintext,) = TOKEN.findall(html)
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    listing = client.get(page).get_data(as_text=True)
    revoke_url = f"{page}/{token_id}/revoke"
    assert f'action="{revoke_url}"' in listing
    response = client.post(revoke_url, data={"csrf_token": csrf_token(listing)},
                           follow_redirects=True)  # fmt: skip
    assert "is revoked" in response.get_data(as_text=True)
    assert api_get(client, "/people", plaintext).status_code == 401


def test_organizers_and_outsiders_cannot_manage_tokens(app, client):
    page = _owner_and_organizer(app)
    login(client, "organizer@example.org")
    assert client.get(page).status_code == 403
    assert 'href="/organize/groups/riders/api"' not in client.get(
        "/organize/groups/riders"
    ).get_data(as_text=True)
    with setup(app):
        UserFactory(email="outsider@example.org")
    client.post("/account/logout")
    other = app.test_client()
    login(other, "outsider@example.org")
    assert other.get(page).status_code == 404


def test_the_cli_prints_the_token_alone_on_its_last_line(app, db_session):
    with setup(app):
        campaign = CampaignFactory(slug="strike")
        group_id = campaign.group_id
        group_slug = db.session.get(Group, group_id).slug
    runner = app.test_cli_runner()
    by_group = runner.invoke(args=[
        "api-tokens", "create", "--group", group_slug, "--name", "Parsons",
        "--scope", "write", "--scope", "import",
    ])  # fmt: skip
    assert by_group.exit_code == 0, by_group.output
    last = by_group.output.rstrip("\n").splitlines()[-1]
    assert re.fullmatch(r"cah_[A-Za-z0-9_-]{43}", last)
    by_campaign = runner.invoke(args=["api-tokens", "create", "--campaign", "strike",
                                      "--name", "Reader"])  # fmt: skip
    assert by_campaign.exit_code == 0, by_campaign.output
    with app.app_context():
        rows = {t.label: t for t in db.session.scalars(select(ApiToken))}
        assert rows["Parsons"].scopes == ["read", "write", "import"]
        assert rows["Reader"].scopes == ["read"]
        assert rows["Reader"].group_id == group_id
        assert rows["Parsons"].token_hash == hash_token(last)


def test_the_cli_explains_a_wrong_call(app, db_session):
    runner = app.test_cli_runner()
    neither = runner.invoke(args=["api-tokens", "create", "--name", "X"])
    assert neither.exit_code != 0 and "--group or --campaign" in neither.output
    unknown = runner.invoke(args=["api-tokens", "create", "--group", "nope", "--name", "X"])
    assert unknown.exit_code != 0 and "No group has the slug nope" in unknown.output
