from __future__ import annotations

import csv
import io

from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.signatures.export import escape_cell
from tests.factories import MembershipFactory, UserFactory

from .conftest import confirm_now, login, make_campaign, setup, sign


def test_formula_cells_are_escaped():
    assert escape_cell('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    for start in ("+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert escape_cell(start) == "'" + start
    assert escape_cell("Ada") == "Ada" and escape_cell(None) == "" and escape_cell(3) == "3"


def _campaign_with_signers(app):
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="export")
        moderator = MembershipFactory(campaign=campaign, user=UserFactory(), role="moderator").user
        confirm_now(sign(campaign, "a@example.org", name="=cmd|' /C calc'!A0")[1])
        confirm_now(sign(campaign, "b@example.org", name="Bea", postal_code="@home")[1])
        sign(campaign, "pending@example.org", name="Not confirmed")
        return owner.email, moderator.email


def test_owners_export_confirmed_signatures_as_safe_csv_and_it_is_logged(app, client):
    owner_email, _moderator = _campaign_with_signers(app)
    login(client, owner_email)
    response = client.get("/organize/export/signatures/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.is_streamed
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["email"] for r in rows] == ["a@example.org", "b@example.org"]
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0" and rows[1]["postal_code"] == "'@home"
    assert rows[0]["revision"] == "1"
    with app.app_context():
        entry = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "signatures.exported")
        ).one()
        assert entry.object_type == "campaign"


def test_moderators_cannot_export(app, client):
    _owner, moderator_email = _campaign_with_signers(app)
    login(client, moderator_email)
    assert client.get("/organize/export/signatures/export.csv").status_code == 403
    assert client.get("/organize/export/signatures").status_code == 200
