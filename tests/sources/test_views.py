"""The team's sources page, and the export filtered by source."""

from __future__ import annotations

import csv
import io

import pytest
from flask import g
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.campaigns import revisions
from organizer.campaigns.models import Role
from organizer.extensions import db
from organizer.partners.models import SourceCode
from organizer.signatures import export
from organizer.signatures.models import SignatureStatus
from organizer.sources.codes import NO_SOURCE
from tests.events.conftest import login
from tests.factories import MembershipFactory, SignatureFactory, UserFactory
from tests.support.web import csrf_token

URL = "/organize/strike/sources"


def _member(campaign, role):
    user = UserFactory(display_name=f"A {role.value}")
    MembershipFactory(campaign=campaign, user=user, role=role)
    db.session.commit()
    return user


def _signed(campaign, source, n=1, status=SignatureStatus.CONFIRMED):
    revision = revisions.published_revision(campaign)
    for _ in range(n):
        SignatureFactory(campaign_id=campaign.id, revision_id=revision.id, source=source,
                         status=status)  # fmt: skip
    db.session.commit()


def test_the_dashboard_links_to_the_sources_page(client, coalition):
    login(client, coalition.owner)
    assert URL in client.get("/organize/strike").get_data(as_text=True)


def test_the_page_shows_confirmed_pending_and_conversion(client, coalition):
    _signed(coalition.campaign, "partner-a", 3)
    _signed(coalition.campaign, "partner-a", 1, SignatureStatus.PENDING)
    login(client, coalition.owner)
    html = client.get(URL).get_data(as_text=True)
    assert "<code>partner-a</code>" in html and "Partner: Friends of partner-a" in html
    assert "75%" in html
    assert "November newsletter" in html and "/c/strike?source=newsletter" in html
    assert "/organize/strike/signatures/export.csv?source=partner-a" in html


def test_french_readers_get_babel_percentages(client, coalition):
    _signed(coalition.campaign, "partner-a", 1)
    _signed(coalition.campaign, "partner-a", 2, SignatureStatus.PENDING)
    coalition.owner.locale = "fr"
    db.session.commit()
    login(client, coalition.owner)
    # The test's app context outlives requests, and Flask-Babel keeps the locale in g.
    g.pop("_flask_babel", None)
    html = client.get(URL).get_data(as_text=True)
    assert "33\u202f%" in html or "33\xa0%" in html


def test_strangers_and_anonymous_visitors_are_kept_out(client, coalition):
    assert client.get(URL).status_code == 302  # to the login page
    login(client, UserFactory())
    assert client.get(URL).status_code == 403  # the campaign is public: no secret to keep
    assert client.post(URL, data={"code": "x"}).status_code in (400, 403)


def test_a_moderator_reads_the_numbers_but_defines_nothing(client, coalition):
    login(client, _member(coalition.campaign, Role.MODERATOR))
    page = client.get(URL)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Add a code" not in html
    assert "export.csv" not in html  # exports are for owners and organizers
    token = csrf_token(client.get("/organize/strike/exports").get_data(as_text=True))
    refused = client.post(URL, data={"code": "stall", "csrf_token": token})
    assert refused.status_code == 403
    assert db.session.scalar(select(SourceCode).where(SourceCode.code == "stall")) is None


def _define(client, code, label=""):
    token = csrf_token(client.get(URL).get_data(as_text=True))
    return client.post(URL, data={"code": code, "label": label, "csrf_token": token})


def test_an_organizer_defines_a_code_and_it_is_audited(client, coalition):
    organizer = _member(coalition.campaign, Role.ORGANIZER)
    login(client, organizer)
    response = _define(client, "stall-lyon", "Saturday stall")
    assert response.status_code == 302
    assert client.get("/c/strike?source=stall-lyon").status_code == 200
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "source.defined")).one()
    assert describe(entry) == "A organizer defined the source code stall-lyon."


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("Stall Lyon", "lowercase letters"),
        ("share-x", "already in use"),
        ("partner-a", "already in use"),
        ("newsletter", "already in use"),
        ("", "This field is required"),
    ],
)
def test_a_bad_code_is_a_form_error(client, coalition, code, message):
    login(client, coalition.owner)
    response = _define(client, code)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_deleting_a_code_stops_it_counting_and_is_audited(client, coalition):
    login(client, coalition.owner)
    newsletter = db.session.scalars(select(SourceCode)).one()
    token = csrf_token(client.get(URL).get_data(as_text=True))
    response = client.post(f"{URL}/{newsletter.id}/delete", data={"csrf_token": token})
    assert response.status_code == 302
    assert client.get("/c/strike?source=newsletter").status_code == 302
    entry = db.session.scalars(select(AuditLog).where(AuditLog.action == "source.deleted")).one()
    assert describe(entry) == "Olive Owner deleted the source code newsletter."
    again = client.post(f"{URL}/{newsletter.id}/delete", data={"csrf_token": token})
    assert again.status_code == 404


def _emails(body: bytes) -> list[str]:
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    return sorted(row["email"] for row in rows)


def _three_sources(campaign):
    revision = revisions.published_revision(campaign)
    for email, source in (("a@x.org", "partner-a"), ("b@x.org", "share-x"), ("c@x.org", None)):
        SignatureFactory(campaign_id=campaign.id, revision_id=revision.id, source=source,
                         status=SignatureStatus.CONFIRMED, email=email)  # fmt: skip
    db.session.commit()


def test_the_export_filters_by_source_on_both_writers(coalition):
    campaign = coalition.campaign
    _three_sources(campaign)
    for chunks in (export.python_chunks, export.copy_chunks):
        assert _emails(b"".join(chunks(campaign))) == ["a@x.org", "b@x.org", "c@x.org"]
        assert _emails(b"".join(chunks(campaign, source="partner-a"))) == ["a@x.org"]
        assert _emails(b"".join(chunks(campaign, True, NO_SOURCE))) == ["c@x.org"]
        assert _emails(b"".join(chunks(campaign, source="nobody"))) == []


def test_the_exports_page_offers_the_filter_and_the_download_is_audited(client, coalition):
    _three_sources(coalition.campaign)
    login(client, coalition.owner)
    page = client.get("/organize/strike/exports").get_data(as_text=True)
    assert 'name="source"' in page and '<option value="partner-a">' in page
    response = client.get("/organize/strike/signatures/export.csv?source=share-x&excel=1")
    assert response.status_code == 200
    assert _emails(response.get_data()) == ["b@x.org"]
    assert "strike-signatures-share-x.csv" in response.headers["Content-Disposition"]
    entry = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "signatures.exported")
    ).one()
    assert entry.details == {"format": "csv-excel", "source": "share-x"}
    assert describe(entry) == (
        "Olive Owner downloaded the signatures as a spreadsheet (CSV for Excel), source: share-x."
    )


def test_a_malformed_source_filter_is_refused(client, coalition):
    login(client, coalition.owner)
    response = client.get("/organize/strike/signatures/export.csv?source=%27%3B--")
    assert response.status_code == 400
    assert "not a source code" in response.get_data(as_text=True)
