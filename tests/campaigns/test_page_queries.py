"""SQL statements per render of the public campaign page: a fixed ceiling, and none per item.

Every reader with a session, every language and every miss of nginx's micro-cache gets the
page rendered by gunicorn (issue 18), so its queries are counted here, at the engine, the
way PostgreSQL sees them. A new per-item lazy load (one query per demand, amendment,
letter...) fails the "does not grow" tests; a new per-page query fails the ceiling, and
then the ceiling is raised on purpose, with a reason, or the query is folded into another.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from organizer.campaigns import amendments
from organizer.campaigns.models import AmendmentKind
from organizer.extensions import db
from tests.factories import UserFactory

from .conftest import build_campaign, login, publish, setup

# What the page needs after issue 18, for an anonymous reader: the campaign with its group,
# the published revisions, the organizers' names, the open amendments and (when there are
# any) their endorsements, the signature
# settings, the counters, the partners, the milestones, the pledges, the screenings (1) and
# the letters; plus, on a process's first render of a revision, its snapshot, and once per
# REVISION_COUNTS_CACHE_SECONDS the counts per revision. The counts by country and per day
# come from the per-process breakdown while no fold has moved the counters.
ANONYMOUS_CEILING = 12
# A logged-in organizer's page adds what any session costs (the user, the server-side
# session) and what the navigation asks (a group membership, screenings hosted).
ORGANIZER_CEILING = 16
# Transaction control is not a query the page asked for.
NOT_COUNTED = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


@pytest.fixture(autouse=True)
def _no_counts_from_other_tests(app):
    """The per-process breakdowns are keyed by campaign id and the counters' stamp: a test
    database whose ids started over (a migration test) could hand this campaign another's,
    one query fewer, and the comparisons below would count the cache, not the page."""
    from organizer.signatures.memo import app_cache

    with app.app_context():
        for name in ("cahier_count_breakdown", "cahier_chart_svg", "cahier_revision_counts"):
            app_cache(name).clear()


@contextmanager
def statements(app: Any) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:
        if not statement.lstrip().upper().startswith(NOT_COUNTED):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def a_campaign(app: Any, slug: str, sections: int, demands: int, proposals: int = 0) -> str:
    """A published campaign of ``sections`` of ``demands`` each, and ``proposals`` open amendments
    (each endorsed once); returns the owner's email."""
    text = {
        f"Section {s}": [f"Demand {s}.{d}, with *some* Markdown." for d in range(demands)]
        for s in range(sections)
    }
    with setup(app):
        owner = UserFactory(display_name="Olive Owner")
        campaign = build_campaign(owner, slug=slug, sections=text)
        publish(campaign, owner, "First text.")
        for n in range(proposals):
            proposer = UserFactory(display_name=f"Proposer {n}")
            amendment = amendments.propose(
                campaign, proposer, AmendmentKind.REWORD, "A1", f"Reworded {n}.", "Clearer."
            )
            amendments.endorse(amendment, UserFactory(display_name=f"Endorser {n}"))
        return str(owner.email)


def count_render(app: Any, client: Any, path: str) -> list[str]:
    with statements(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return seen


def test_an_anonymous_page_stays_under_the_ceiling(app, client):
    a_campaign(app, "page-queries", sections=3, demands=4, proposals=1)
    first = count_render(app, client, "/c/page-queries")
    again = count_render(app, client, "/c/page-queries")
    # The second render takes the grievance list from the cache: no snapshot to load.
    assert len(again) < len(first)
    assert not any("snapshot" in s.split("FROM")[0] for s in again), again
    assert len(again) <= ANONYMOUS_CEILING, "\n".join(again)


def test_an_anonymous_page_only_reads(app, client):
    """So that it may read outside a transaction (organizer.db_reads), as count.json does."""
    a_campaign(app, "page-reads", sections=2, demands=2, proposals=1)
    for _ in range(2):  # the first render of a process, then one from its caches
        seen = count_render(app, client, "/c/page-reads")
        assert seen and all(s.lstrip().upper().startswith(("SELECT", "WITH")) for s in seen), seen


def test_a_logged_in_organizers_page_stays_under_the_ceiling(app, client):
    owner = a_campaign(app, "page-queries-team", sections=3, demands=4, proposals=1)
    login(client, owner)
    count_render(app, client, "/c/page-queries-team")
    seen = count_render(app, client, "/c/page-queries-team")
    assert len(seen) <= ORGANIZER_CEILING, "\n".join(seen)


def test_the_count_does_not_grow_with_sections_demands_or_amendments(app, client, monkeypatch):
    # The per-revision and per-partner counts are kept per process for a few seconds: with
    # them cached for one campaign and not the other, the two renders would differ by the
    # clock, not by the page's size.
    monkeypatch.setitem(app.config, "REVISION_COUNTS_CACHE_SECONDS", 0.0)
    a_campaign(app, "page-queries-small", sections=1, demands=1, proposals=1)
    a_campaign(app, "page-queries-large", sections=8, demands=6, proposals=6)
    # First renders of each (grievance list not cached yet), then cached ones.
    small = count_render(app, client, "/c/page-queries-small")
    large = count_render(app, client, "/c/page-queries-large")
    assert len(large) == len(small), "\n".join(large)
    small = count_render(app, client, "/c/page-queries-small")
    large = count_render(app, client, "/c/page-queries-large")
    assert len(large) == len(small), "\n".join(large)
