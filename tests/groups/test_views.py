"""The group pages: who opens which, the team and settings forms, "your groups", and that
every organizer page of a group is reached from its dashboard by following links."""

from __future__ import annotations

from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.extensions import db
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.supporters.models import Supporter, SupporterStatus
from tests.factories import UserFactory
from tests.support.web import csrf_token, submit

from .conftest import SLUG, login, setup

BASE = f"/organize/groups/{SLUG}"
PAGES = {"": "groups.dashboard", "/team": "groups.team", "/settings": "groups.settings"}
# Who may open which organizer page of the group (the rest get 403; outsiders 404).
ALLOWED = {
    "owner@example.org": {"", "/team", "/settings"},
    "organizer@example.org": {"", "/settings"},
    "viewer@example.org": {""},
}


@pytest.mark.parametrize("email", [*ALLOWED, "outsider@example.org"])
def test_each_role_opens_its_pages_and_no_other(app, client, team, email):
    login(client, email)
    for path in PAGES:
        status = client.get(BASE + path).status_code
        if path in ALLOWED.get(email, set()):
            assert status == 200, (email, path)
        else:
            assert status == (403 if email in ALLOWED else 404), (email, path)


@pytest.mark.parametrize("email", list(ALLOWED))
def test_the_navigation_links_only_what_the_role_opens(app, client, team, email):
    login(client, email)
    hrefs = set(links(client.get(BASE).get_data(as_text=True)))
    for path in PAGES:
        assert ((BASE + path) in hrefs) == (path in ALLOWED[email]), path


def test_anonymous_visitors_are_sent_to_log_in(client, team):
    response = client.get(BASE)
    assert response.status_code == 302 and "/account/login" in response.headers["Location"]


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links(html):
    parser = Links()
    parser.feed(html)
    return parser.hrefs


def test_every_organizer_page_of_a_group_is_reached_from_its_dashboard(app, client, team):
    login(client, "owner@example.org")
    seen, queue = {BASE}, deque([BASE])
    while queue:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code == 200, url
        for href in links(response.get_data(as_text=True)):
            path = urlsplit(href).path
            if path.startswith(BASE) and path not in seen:
                seen.add(path)
                queue.append(path)
    adapter = app.url_map.bind("localhost")
    reached = {adapter.match(url, method="GET", return_rule=True)[0].rule for url in seen}
    expected = {
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ())
        and rule.rule.startswith("/organize/groups/<slug>")
        and set(rule.arguments) == {"slug"}
    }
    assert {"/organize/groups/<slug>/team", "/organize/groups/<slug>/settings"} <= expected
    assert expected - reached == set()


def test_the_dashboard_counts_supporters_and_warns_of_a_missing_address(app, client, team):
    with setup(app):
        group = db.session.scalar(select(Group).where(Group.slug == SLUG))
        group.postal_address = ""
        for n, status in enumerate(
            [SupporterStatus.SUBSCRIBED, SupporterStatus.SUBSCRIBED, SupporterStatus.UNSUBSCRIBED]
        ):
            db.session.add(Supporter(group_id=group.id, canonical_email=f"s{n}@example.org",
                                     email=f"s{n}@example.org", name=f"S {n}", language="en",
                                     status=status))  # fmt: skip
    login(client, "viewer@example.org")
    html = client.get(BASE).get_data(as_text=True)
    assert "2 subscribed supporters" in html
    assert "Out of 3 supporters in all." in html
    assert "0 mailings sent in the last 30 days." in html
    assert "no mailing can be sent until one is set" in html
    assert "Fair pay for riders" in html
    # Viewers see counts, never the people behind them.
    assert "s0@example.org" not in html and "S 0" not in html


def test_the_public_page_lists_only_published_campaigns(app, client, team):
    html = client.get(f"/groups/{SLUG}").get_data(as_text=True)
    assert "Riders&#39; Union" in html or "Riders' Union" in html
    assert "Fair pay for riders" not in html  # still a draft
    assert "This group has no published campaign yet." in html
    assert client.get("/groups/nobody-here").status_code == 404


def test_settings_save_the_name_description_and_address(app, client, team):
    login(client, "organizer@example.org")
    response = submit(client, f"{BASE}/settings", {
        "name": "Riders United", "description": "We deliver.",
        "postal_address": "1 Rue X\n\n75001 Paris\n",
    })  # fmt: skip
    assert response.status_code == 302
    with app.app_context():
        group = db.session.scalar(select(Group).where(Group.slug == SLUG))
        assert (group.name, group.description, group.postal_address) == (
            "Riders United", "We deliver.", "1 Rue X\n75001 Paris"
        )  # fmt: skip
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "group").order_by(AuditLog.id)
        ).all()
        assert [describe(e) for e in entry][-1] == "Oscar saved the group's settings."


def test_settings_refuse_an_empty_name(app, client, team):
    login(client, "owner@example.org")
    response = submit(client, f"{BASE}/settings", {"name": "", "postal_address": ""})
    assert response.status_code == 200
    assert "This field is required." in response.get_data(as_text=True)


def _role_of(app, email):
    with app.app_context():
        return db.session.scalar(
            select(GroupMembership.role)
            .join(GroupMembership.user)
            .where(GroupMembership.group.has(Group.slug == SLUG))
            .where(GroupMembership.user.has(email=email))
        )


def _membership_id(app, email):
    with app.app_context():
        return db.session.scalar(
            select(GroupMembership.id)
            .where(GroupMembership.group.has(Group.slug == SLUG))
            .where(GroupMembership.user.has(email=email))
        )


def test_an_owner_adds_an_existing_verified_user_by_email(app, client, team):
    login(client, "owner@example.org")
    response = submit(client, f"{BASE}/team", {"email": "Outsider@Example.org", "role": "viewer"})
    assert response.status_code == 302
    assert _role_of(app, "outsider@example.org") == GroupRole.VIEWER
    with app.app_context():
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "group.member_added")
        ).one()
        assert describe(entry) == "Olive Owner added Otto to the group as viewer."


def test_adding_an_unknown_or_unverified_address_is_a_form_error(app, client, team):
    with setup(app):
        UserFactory(email="unverified@example.org", email_verified_at=None)
    login(client, "owner@example.org")
    for email in ("nobody@example.org", "unverified@example.org", "viewer@example.org"):
        response = submit(client, f"{BASE}/team", {"email": email, "role": "viewer"})
        assert response.status_code == 200, email
        html = response.get_data(as_text=True)
        assert "No Cahier account with a verified address" in html or "already on the team" in html
    assert _role_of(app, "viewer@example.org") == GroupRole.VIEWER


def test_an_owner_changes_a_role_and_removes_a_member(app, client, team):
    login(client, "owner@example.org")
    page = client.get(f"{BASE}/team").get_data(as_text=True)
    token = csrf_token(page)
    vera = _membership_id(app, "viewer@example.org")
    response = client.post(
        f"{BASE}/team/{vera}/role", data={"role": "organizer", "csrf_token": token}
    )
    assert response.status_code == 302
    assert _role_of(app, "viewer@example.org") == GroupRole.ORGANIZER
    response = client.post(f"{BASE}/team/{vera}/remove", data={"csrf_token": token})
    assert response.status_code == 302
    assert _role_of(app, "viewer@example.org") is None
    with app.app_context():
        codes = db.session.scalars(
            select(AuditLog.action).where(AuditLog.object_type == "group").order_by(AuditLog.id)
        ).all()
        assert codes[-2:] == ["group.role_changed", "group.member_removed"]


def test_the_last_owner_can_be_neither_demoted_nor_removed(app, client, team):
    login(client, "owner@example.org")
    token = csrf_token(client.get(f"{BASE}/team").get_data(as_text=True))
    olive = _membership_id(app, "owner@example.org")
    for url, data in ((f"{BASE}/team/{olive}/role", {"role": "viewer"}),
                      (f"{BASE}/team/{olive}/remove", {})):  # fmt: skip
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code == 400
        assert "A group needs an owner. Make someone else owner first." in response.get_data(
            as_text=True
        )
    assert _role_of(app, "owner@example.org") == GroupRole.OWNER


def test_with_a_second_owner_the_first_may_step_down(app, client, team):
    login(client, "owner@example.org")
    token = csrf_token(client.get(f"{BASE}/team").get_data(as_text=True))
    oscar, olive = (
        _membership_id(app, "organizer@example.org"),
        _membership_id(app, "owner@example.org"),
    )
    client.post(f"{BASE}/team/{oscar}/role", data={"role": "owner", "csrf_token": token})
    response = client.post(
        f"{BASE}/team/{olive}/role", data={"role": "viewer", "csrf_token": token}
    )
    assert response.status_code == 302 and response.headers["Location"] == BASE
    assert _role_of(app, "owner@example.org") == GroupRole.VIEWER


def test_organizers_and_viewers_cannot_manage_the_team(app, client, team):
    login(client, "organizer@example.org")
    token = csrf_token(client.get(f"{BASE}/settings").get_data(as_text=True))
    vera = _membership_id(app, "viewer@example.org")
    response = client.post(f"{BASE}/team/{vera}/role", data={"role": "owner", "csrf_token": token})
    assert response.status_code == 403
    assert _role_of(app, "viewer@example.org") == GroupRole.VIEWER


def test_your_groups_lists_them_and_creates_a_new_one(app, client, team):
    login(client, "viewer@example.org")
    page = client.get("/organize/groups").get_data(as_text=True)
    assert f'href="{BASE}"' in page and "Viewer" in page
    assert 'href="/organize/groups"' in page  # the header's "My groups"
    response = submit(client, "/organize/groups", {"name": "Couriers' Collective"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/organize/groups/couriers-collective"
    assert _role_in(app, "couriers-collective", "viewer@example.org") == GroupRole.OWNER


def test_the_header_links_my_groups_only_for_members(app, client, team):
    with setup(app):
        UserFactory(email="loner@example.org")
    login(client, "loner@example.org")
    page = client.get("/organize").get_data(as_text=True)
    assert 'href="/organize/groups"' not in page


def _role_in(app, slug, email):
    with app.app_context():
        return db.session.scalar(
            select(GroupMembership.role)
            .where(GroupMembership.group.has(Group.slug == slug))
            .where(GroupMembership.user.has(email=email))
        )


def test_groups_is_a_reserved_campaign_address(app):
    from organizer.campaigns.services import is_reserved_slug

    with app.test_request_context():
        assert is_reserved_slug("groups")
