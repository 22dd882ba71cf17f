from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from organizer.audit.models import AuditLog
from organizer.extensions import db
from organizer.supporters import exporting
from organizer.supporters.audience import Audience, Condition
from organizer.supporters.models import Tagging
from organizer.supporters.selection import Selection
from tests.factories import GroupFactory, SupporterFactory, TagFactory

from .conftest import SLUG, login


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_the_export_is_the_current_filter_and_is_audited(app, client, team):
    login(client, "organizer@example.org")
    response = client.get(f"/organize/groups/{SLUG}/supporters.csv?in=country:FR&mailable=1")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _rows(response.data)
    assert rows[0] == exporting.COLUMNS
    assert [(r[1], r[2], r[3], r[6]) for r in rows[1:]] == [
        ("bruno@example.org", "Bruno Latour", "FR", "subscribed")
    ]
    everyone = _rows(client.get(f"/organize/groups/{SLUG}/supporters.csv").data)
    assert {r[1] for r in everyone[1:]} == {
        "ada@example.org",
        "bruno@example.org",
        "chloe@example.org",
    }
    with app.app_context():
        entries = db.session.scalars(
            select(AuditLog).where(AuditLog.action == "supporters.exported")
        ).all()
        assert len(entries) == 2
        assert entries[0].details["filters"]["includes"] == [{"kind": "country", "value": "FR"}]


@pytest.mark.usefixtures("ctx")
def test_cells_that_a_spreadsheet_would_run_are_escaped_and_batches_keep_every_row(monkeypatch):
    monkeypatch.setattr(exporting, "BATCH", 2)
    group = GroupFactory()
    tag = TagFactory(group_id=group.id, name="=cmd|' /C calc'!A0")
    evil = SupporterFactory(group=group, name='=HYPERLINK("http://x")', postal_code="+33")
    SupporterFactory(group=group, name="@SUM(A1)")
    SupporterFactory(group=group, name="-2+3", email="plain@example.org")
    SupporterFactory(group=group, name='Normal, "quoted"\nname')
    db.session.add(Tagging(supporter_id=evil.id, tag_id=tag.id))
    db.session.flush()

    data = b"".join(exporting.csv_chunks(group.id, Selection()))
    rows = _rows(data)
    assert len(rows) == 5
    names = [r[2] for r in rows[1:]]
    assert names == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "'-2+3", 'Normal, "quoted"\nname']
    assert rows[1][4] == "'+33" and rows[1][9] == "'=cmd|' /C calc'!A0"
    only_tagged = Selection(Audience(includes=(Condition("tag", str(tag.id)),)))
    assert len(_rows(b"".join(exporting.csv_chunks(group.id, only_tagged)))) == 2


def test_a_viewer_cannot_export(client, team):
    login(client, "viewer@example.org")
    assert client.get(f"/organize/groups/{SLUG}/supporters.csv").status_code == 403
