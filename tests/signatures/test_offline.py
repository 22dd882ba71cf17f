"""Paper batches: validated, broken down by country, counted, routed, audited, and checked
against milestones in the same transaction."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.campaigns import services
from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import sources
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting, milestones, offline
from organizer.signatures.countries import UNKNOWN_COUNTRY
from organizer.signatures.models import Milestone, OfflineBatch
from tests.factories import UserFactory
from tests.support.services import wait_for
from tests.support.web import submit

from .conftest import confirm_now, login, make_campaign, setup, sign

URL = "/organize/paper/signatures/offline"


def _entry(count, breakdown=None, collected_on=date(2024, 5, 1), note=""):
    return offline.BatchInput(count, collected_on, note, breakdown or {})


def _owner(app, goal=1000):
    with setup(app):
        owner = UserFactory()
        make_campaign(owner, slug="paper", goal=goal)
        return owner.email


def _error_under(html, field):
    match = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("count", ["5000000", "100001", "0", "-3"])
def test_a_count_out_of_range_is_refused_under_its_field(app, client, count):
    login(client, _owner(app))
    response = submit(client, URL, {"count": count, "collected_on": "2024-05-01"})
    assert response.status_code == 400
    error = _error_under(response.get_data(as_text=True), "count")
    assert error is not None and "100,000" in error
    with app.app_context():
        assert db.session.scalars(select(OfflineBatch)).all() == []


def test_the_maximum_is_a_setting(app, client):
    login(client, _owner(app))
    saved = app.config["PAPER_BATCH_MAX"]
    app.config["PAPER_BATCH_MAX"] = 50
    try:
        refused = submit(client, URL, {"count": "51", "collected_on": "2024-05-01"})
        accepted = submit(client, URL, {"count": "50", "collected_on": "2024-05-01"})
    finally:
        app.config["PAPER_BATCH_MAX"] = saved
    assert refused.status_code == 400 and accepted.status_code == 302


def test_a_date_in_the_future_is_refused_under_its_field(app, client):
    login(client, _owner(app))
    later = (utcnow().date() + timedelta(days=2)).isoformat()
    response = submit(client, URL, {"count": "10", "collected_on": later})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert _error_under(html, "collected_on") == "The date cannot be in the future."
    assert _error_under(html, "count") is None


def test_a_breakdown_that_does_not_add_up_is_refused_under_its_field(app, client):
    login(client, _owner(app))
    response = submit(
        client, URL, {"count": "100", "collected_on": "2024-05-01", "countries": "FR 60\nDE 30"}
    )
    assert response.status_code == 400
    error = _error_under(response.get_data(as_text=True), "countries")
    assert error == "The countries add up to 90 signatures, not 100."


def test_an_unknown_country_is_refused_with_its_line(app, client):
    login(client, _owner(app))
    response = submit(
        client, URL, {"count": "5", "collected_on": "2024-05-01", "countries": "FR 2\nAtlantis 3"}
    )
    error = _error_under(response.get_data(as_text=True), "countries")
    assert error == "Line 2: “Atlantis” is not a country we know."


def test_breakdown_lines_take_codes_names_and_grouped_digits(ctx):
    text = "FR 1 200\nGermany: 30\n\nfr=5\nAllemagne, 2"
    assert offline.parse_breakdown(text, "fr") == {"FR": 1205, "DE": 32}


def test_paper_with_countries_counts_by_country_and_is_routed(campaign, owner):
    confirm_now(sign(campaign, "ada@example.org", country="FR")[1])
    counting.fold()
    offline.add_batch(campaign, owner, _entry(70, {"FR": 50, "BE": 20}))
    offline.add_batch(campaign, owner, _entry(30))  # nobody noted the countries
    assert counting.by_country(campaign.id) == [("FR", 51), (UNKNOWN_COUNTRY, 30), ("BE", 20)]
    totals = counting.totals(campaign.id, None)
    assert (totals.online, totals.offline, totals.total) == (1, 100, 101)
    assert sources.confirmed_counts_by_country(campaign) == {"FR": 51, "BE": 20}
    assert sources.unrouted_paper_total(campaign) == 30
    # The nightly reconcile knows paper is in the country counters: no drift.
    assert counting.reconcile([campaign.id]) == {}
    assert counting.by_country(campaign.id)[0] == ("FR", 51)


def test_reconcile_corrects_a_paper_counter_edited_by_hand(campaign, owner):
    offline.add_batch(campaign, owner, _entry(40, {"DE": 40}))
    counting.add_offline(campaign.id, {"DE": 5})
    counting.reconcile([campaign.id])
    assert counting.totals(campaign.id, None).offline == 40
    assert counting.by_country(campaign.id) == [("DE", 40)]


def test_a_batch_reaches_a_milestone_at_once_with_the_number_including_it(campaign, owner):
    milestones.add_milestone(campaign, owner, 30)
    confirm_now(sign(campaign, "ada@example.org")[1])
    counting.fold()
    offline.add_batch(campaign, owner, _entry(40))
    milestone = db.session.scalar(select(Milestone).where(Milestone.threshold == 30))
    assert milestone.reached_at is not None
    email = db.session.scalar(
        select(OutboundEmail).where(OutboundEmail.kind == "milestone_organizers")
    )
    assert email is not None and "(41 " in email.text_body


def test_editing_and_deleting_a_batch_move_the_counters_and_are_audited(campaign, owner):
    batch = offline.add_batch(campaign, owner, _entry(40, {"FR": 40}, note="Market"))
    offline.update_batch(campaign, owner, batch.id, _entry(25, {"FR": 20, "IT": 5}))
    assert counting.totals(campaign.id, None).offline == 25
    assert dict(counting.by_country(campaign.id)) == {"FR": 20, "IT": 5}
    offline.delete_batch(campaign, owner, batch.id)
    assert counting.totals(campaign.id, None).offline == 0
    assert counting.by_country(campaign.id) == []
    entries = db.session.scalars(
        select(AuditLog).where(AuditLog.action.like("signatures.offline_%")).order_by(AuditLog.id)
    ).all()
    assert [e.action for e in entries] == [
        "signatures.offline_added",
        "signatures.offline_edited",
        "signatures.offline_deleted",
    ]
    assert entries[1].details["before"]["countries"] == {"FR": 40}
    assert entries[1].details["after"] == {
        "count": 25,
        "collected_on": "2024-05-01",
        "note": "",
        "countries": {"FR": 20, "IT": 5},
    }
    assert entries[2].details["count"] == 25


def test_the_edit_page_shows_the_batch_and_saves_it(app, client):
    login(client, _owner(app))
    submit(client, URL, {"count": "12", "collected_on": "2024-05-01", "countries": "FR 12"})
    with app.app_context():
        batch_id = db.session.scalar(select(OfflineBatch.id))
    edit = f"/organize/paper/signatures/offline/{batch_id}/edit"
    page = client.get(edit).get_data(as_text=True)
    assert 'value="12"' in page and "FR 12" in page
    response = submit(client, edit, {"count": "15", "collected_on": "2024-05-02", "countries": ""})
    assert response.status_code == 302
    listing = client.get(URL).get_data(as_text=True)
    assert "Country unknown (paper) 15" in listing
    with app.app_context():
        campaign = services.get_by_slug("paper")
        assert counting.totals(campaign.id, None).offline == 15
    assert client.get("/organize/paper/signatures/offline/999999/edit").status_code == 404


@pytest.mark.integration
def test_the_milestone_email_gives_the_total_with_the_batch(app, services, committed_db, worker):
    with app.app_context():
        owner = UserFactory(email="olive@example.org")
        campaign = make_campaign(owner, slug="paper", goal=None)
        milestones.add_milestone(campaign, owner, 500)
        db.session.commit()
    client = app.test_client()
    login(client, "olive@example.org")
    response = submit(client, URL, {"count": "700", "collected_on": "2024-05-01"})
    assert response.status_code == 302
    message = services.smtp.wait_for_message("olive@example.org", timeout=60)
    assert "(700 " in message.get_body(("plain",)).get_content()
    with app.app_context():
        wait_for(lambda: db.session.rollback() or _reached(500), what="the milestone row")


def _reached(threshold: int) -> bool:
    row = db.session.scalar(select(Milestone).where(Milestone.threshold == threshold))
    return row is not None and row.reached_at is not None


# --- The migration: existing batches become "country unknown" ----------------------------


@pytest.fixture(params=["postgresql", "sqlite"])
def fresh_app(request, make_app, services, tmp_path):
    import secrets

    if request.param == "postgresql":
        url = services.postgres.create_database(f"paper_{secrets.token_hex(4)}")
    else:
        url = f"sqlite:///{tmp_path / 'paper.db'}"
    return make_app({"TESTING": True}, DATABASE_URL=url)


def test_the_migration_makes_existing_batches_country_unknown_and_back(fresh_app):
    import flask_migrate
    from sqlalchemy import text

    at = "2026-11-03T09:30:00+00:00"
    with fresh_app.app_context():
        flask_migrate.upgrade(revision="0007")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO user_account (id, email, display_name, password_hash, locale,"
                    " session_version, is_admin, created_at)"
                    " VALUES (1, 'o@example.org', 'O', 'x', 'en', 0, false, :at)"
                ),
                {"at": at},
            )
            connection.execute(
                text(
                    "INSERT INTO campaign (id, slug, title, summary, language, status, preamble,"
                    " created_by_id, created_at, updated_at)"
                    " VALUES (1, 'c', 'C', 'S', 'en', 'published', '', 1, :at, :at)"
                ),
                {"at": at},
            )
            for batch_id, count in ((1, 40), (2, 2)):
                connection.execute(
                    text(
                        "INSERT INTO offline_signature_batch (id, campaign_id, count,"
                        " collected_on, note, created_by_id, created_at)"
                        " VALUES (:id, 1, :count, '2026-05-01', '', 1, :at)"
                    ),
                    {"id": batch_id, "count": count, "at": at},
                )
        flask_migrate.upgrade(revision="0008")
        with db.engine.connect() as connection:
            parts = connection.execute(
                text("SELECT batch_id, country, count FROM offline_signature_batch_country"
                     " ORDER BY batch_id")
            ).all()  # fmt: skip
            counters = connection.execute(
                text("SELECT campaign_id, country, confirmed FROM signature_country_count")
            ).all()
        assert [tuple(p) for p in parts] == [(1, "ZZ", 40), (2, "ZZ", 2)]
        assert [tuple(c) for c in counters] == [(1, "ZZ", 42)]
        flask_migrate.downgrade(revision="0007")
        with db.engine.connect() as connection:
            left = connection.execute(text("SELECT count(*) FROM signature_country_count"))
            assert left.scalar() == 0
            kept = connection.execute(text("SELECT sum(count) FROM offline_signature_batch"))
            assert kept.scalar() == 42
        db.session.remove()
