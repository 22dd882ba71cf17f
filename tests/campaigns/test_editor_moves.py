"""The editor never loses a demand: random edits through the real views, on PostgreSQL and
on SQLite, and the exact case of issue 12 (the last demand of a section moved down)."""

from __future__ import annotations

import itertools
import json
import re
from contextlib import contextmanager

import pytest
from flask import url_for
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from organizer.accounts.models import User
from organizer.extensions import db
from tests.factories import UserFactory
from tests.support.web import csrf_token

from .conftest import build_campaign, login

ANCHOR = re.compile(r"#(section|demand)-(\d+)$")


@contextmanager
def committed(app):
    with app.app_context():
        yield
        db.session.commit()


class Editor:
    """An organizer's browser: real GETs and POSTs with the editor page's CSRF token."""

    def __init__(self, app, client, slug):
        self.app, self.client, self.slug = app, client, slug
        self.token = csrf_token(self.get(self.url("campaign_editor.editor")).get_data(as_text=True))

    def url(self, endpoint, **values):
        with self.app.test_request_context():
            return url_for(endpoint, slug=self.slug, **values)

    def get(self, path):
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def post(self, endpoint, data=None, **values):
        response = self.client.post(
            self.url(endpoint, **values), data={**(data or {}), "csrf_token": self.token}
        )
        assert response.status_code == 302, (endpoint, response.get_data(as_text=True)[:500])
        return response.headers["Location"]

    def add_section(self, title):
        location = self.post("campaign_editor.add_section", {"title": title, "topics": ["privacy"]})
        return int(ANCHOR.search(location).group(2))

    def add_demand(self, section_id, text):
        data = {"text": text, "topics": ["privacy"], "jurisdictions": ""}
        location = self.post("campaign_editor.add_demand", data, section_id=section_id)
        return int(ANCHOR.search(location).group(2))

    def edit_demand(self, demand_id, text):
        data = {"text": text, "topics": ["privacy"], "jurisdictions": ""}
        self.post("campaign_editor.edit_demand", data, demand_id=demand_id)

    def move_demand(self, demand_id, direction):
        self.post("campaign_editor.move_demand", {"direction": direction}, demand_id=demand_id)

    def delete_demand(self, demand_id):
        self.post("campaign_editor.delete_demand", demand_id=demand_id)

    def move_section(self, section_id, direction):
        self.post("campaign_editor.move_section", {"direction": direction}, section_id=section_id)

    def delete_section(self, section_id):
        self.post("campaign_editor.delete_section", section_id=section_id)

    def exported(self):
        """The draft as the export button gives it: sections of demand texts, in order."""
        document = json.loads(self.get(self.url("campaign_editor.export")).get_data())
        return [[d["text"] for d in s["demands"]] for s in document["sections"]]


def stored(app, slug):
    """What the database holds: (section id, [(demand id, position, text)]) by position."""
    from organizer.campaigns import services

    with app.app_context():
        campaign = services.get_by_slug(slug)
        sections = sorted(campaign.sections, key=lambda s: s.position)
        assert [s.position for s in sections] == list(range(len(sections)))
        result = []
        for section in sections:
            demands = sorted(section.demands, key=lambda d: d.position)
            assert [d.position for d in demands] == list(range(len(demands))), section.title
            result.append((section.id, [(d.id, d.text) for d in demands]))
        db.session.remove()
        return result


def moved(model, section_index, demand_index, offset):
    """Where the editor promises a demand goes: within its section, else across into the
    neighbour (first of the next, last of the previous), else nowhere."""
    demands = model[section_index][1]
    target = demand_index + offset
    if 0 <= target < len(demands):
        demands.insert(target, demands.pop(demand_index))
        return
    neighbour = section_index + offset
    if 0 <= neighbour < len(model):
        item = demands.pop(demand_index)
        arriving = model[neighbour][1]
        arriving.insert(len(arriving) if offset < 0 else 0, item)


class EditorMachine(RuleBasedStateMachine):
    """Set up by ``run_editor_machine``: ``app`` and a logged-in ``client`` and ``owner``."""

    app = client = owner_id = None
    counter = itertools.count()

    @initialize()
    def new_campaign(self):
        with committed(self.app):
            owner = db.session.get(User, self.owner_id)
            campaign = build_campaign(
                owner, title=f"Machine {next(self.counter)}", sections={"First": []}
            )
            slug = campaign.slug
        self.editor = Editor(self.app, self.client, slug)
        self.model = [(section_id, []) for section_id, _demands in stored(self.app, slug)]
        self.texts = itertools.count()

    def _demands(self):
        return [
            (s_index, d_index)
            for s_index, (_id, demands) in enumerate(self.model)
            for d_index in range(len(demands))
        ]

    @rule()
    def add_section(self):
        self.model.append((self.editor.add_section(f"Section {next(self.texts)}"), []))

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def add_demand(self, data):
        s_index = data.draw(st.integers(0, len(self.model) - 1))
        text = f"Demand {next(self.texts)}"
        demand_id = self.editor.add_demand(self.model[s_index][0], text)
        self.model[s_index][1].append((demand_id, text))

    @precondition(lambda self: any(demands for _id, demands in self.model))
    @rule(data=st.data())
    def edit_demand(self, data):
        s_index, d_index = data.draw(st.sampled_from(self._demands()))
        demand_id, _text = self.model[s_index][1][d_index]
        text = f"Reworded {next(self.texts)}"
        self.editor.edit_demand(demand_id, text)
        self.model[s_index][1][d_index] = (demand_id, text)

    @precondition(lambda self: any(demands for _id, demands in self.model))
    @rule(data=st.data(), direction=st.sampled_from(["up", "down"]))
    def move_demand(self, data, direction):
        # Ends of sections are where demands got lost: draw them more often.
        ends = [(s, d) for s, d in self._demands() if d in (0, len(self.model[s][1]) - 1)]
        s_index, d_index = data.draw(st.sampled_from(ends) | st.sampled_from(self._demands()))
        self.editor.move_demand(self.model[s_index][1][d_index][0], direction)
        moved(self.model, s_index, d_index, -1 if direction == "up" else 1)

    @precondition(lambda self: any(demands for _id, demands in self.model))
    @rule(data=st.data())
    def delete_demand(self, data):
        s_index, d_index = data.draw(st.sampled_from(self._demands()))
        self.editor.delete_demand(self.model[s_index][1].pop(d_index)[0])

    @precondition(lambda self: self.model)
    @rule(data=st.data(), direction=st.sampled_from(["up", "down"]))
    def move_section(self, data, direction):
        index = data.draw(st.integers(0, len(self.model) - 1))
        self.editor.move_section(self.model[index][0], direction)
        target = index + (-1 if direction == "up" else 1)
        if 0 <= target < len(self.model):
            self.model.insert(target, self.model.pop(index))

    @precondition(lambda self: len(self.model) > 1)
    @rule(data=st.data())
    def delete_section(self, data):
        index = data.draw(st.integers(0, len(self.model) - 1))
        self.editor.delete_section(self.model.pop(index)[0])

    @invariant()
    def nothing_is_lost_and_numbering_is_contiguous(self):
        if not hasattr(self, "editor"):
            return
        assert stored(self.app, self.editor.slug) == self.model
        assert self.editor.exported() == [[t for _i, t in d] for _s, d in self.model]


def run_editor_machine(app, client):
    with committed(app):
        owner = UserFactory(display_name="Olive Owner")
        email, owner_id = owner.email, owner.id
    login(client, email)
    EditorMachine.app, EditorMachine.client, EditorMachine.owner_id = app, client, owner_id
    EditorMachine.TestCase.settings = settings(
        max_examples=12,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    try:
        EditorMachine.TestCase().runTest()
    finally:
        EditorMachine.app = EditorMachine.client = EditorMachine.owner_id = None


def test_random_edits_never_lose_a_demand_on_postgresql(app, client):
    run_editor_machine(app, client)


@pytest.fixture
def sqlite_app(make_app, migrated_sqlite_url):
    lite = make_app({"TESTING": True}, DATABASE_URL=migrated_sqlite_url)
    with lite.app_context():
        assert db.engine.dialect.name == "sqlite"
    return lite


def test_random_edits_never_lose_a_demand_on_sqlite(sqlite_app):
    run_editor_machine(sqlite_app, sqlite_app.test_client())
