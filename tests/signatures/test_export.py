from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select, text

from organizer.audit.models import AuditLog
from organizer.campaigns import revisions
from organizer.extensions import db
from organizer.signatures import consents, export
from organizer.signatures.export import escape_cell
from organizer.signatures.models import Signature, SignatureStatus
from tests.factories import MembershipFactory, SignatureFactory, UserFactory

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


# --- The two paths: COPY on PostgreSQL, Python's csv elsewhere ------------------------------

T1 = datetime(2026, 11, 22, 17, 58, 12, 123456, tzinfo=UTC)
T2 = datetime(2026, 11, 22, 18, 0, 0, tzinfo=UTC)  # no fraction: isoformat() leaves it out
T3 = datetime(2026, 1, 2, 3, 4, 5, 1, tzinfo=UTC)
TRICKY = [
    # name, email, postal code, language, show name, receive updates, named, signed, confirmed
    ("=1+2", "eq@example.org", None, "en", True, False, True, T1, T2),
    ('O\'Brien, "Bob"', "bob@example.org", "+44", "fr", False, True, False, T2, T1),
    ("Line one\nline two", "lines@example.org", "-1", "en", True, True, True, T3, T3),
    # Named, then withdrawn (below): exported as not given.
    ("\tTabbed", "tab@example.org", "@home", "fr", False, False, True, T1, T1),
    ("\rCarriage", "cr@example.org", "x\ry", "en", True, False, False, T2, T2),
    ("Élodie Ünïcødé 日本", "-dash@example.org", "", "fr", False, True, True, T3, T2),
]
EXPECTED = (
    "name,email,country,postal_code,language,show_name,receive_updates,name_to_authorities,"
    "revision,signed_at,confirmed_at\n"
    "'=1+2,eq@example.org,GB,,en,yes,no,yes,1,"
    "2026-11-22T17:58:12.123456+00:00,2026-11-22T18:00:00+00:00\n"
    '"O\'Brien, ""Bob""",bob@example.org,GB,\'+44,fr,no,yes,no,1,'
    "2026-11-22T18:00:00+00:00,2026-11-22T17:58:12.123456+00:00\n"
    '"Line one\nline two",lines@example.org,GB,\'-1,en,yes,yes,yes,1,'
    "2026-01-02T03:04:05.000001+00:00,2026-01-02T03:04:05.000001+00:00\n"
    "'\tTabbed,tab@example.org,GB,'@home,fr,no,no,no,1,"
    "2026-11-22T17:58:12.123456+00:00,2026-11-22T17:58:12.123456+00:00\n"
    '"\'\rCarriage",cr@example.org,GB,"x\ry",en,yes,no,no,1,'
    "2026-11-22T18:00:00+00:00,2026-11-22T18:00:00+00:00\n"
    "Élodie Ünïcødé 日本,'-dash@example.org,GB,,fr,no,yes,yes,1,"
    "2026-01-02T03:04:05.000001+00:00,2026-11-22T18:00:00+00:00\n"
).encode()
EXCEL = b"\xef\xbb\xbf" + EXPECTED  # the UTF-8 byte-order mark, then the same bytes


def _tricky_campaign():
    """The rows of TRICKY, confirmed, among rows the export leaves out."""
    campaign = make_campaign(UserFactory())
    revision = revisions.published_revision(campaign)
    for name, email, postal, language, show, updates, named, signed, confirmed in TRICKY:
        signature = SignatureFactory(
            campaign=campaign, revision=revision, name=name, email=email, postal_code=postal,
            locale=language, show_name=show, receive_updates=updates, name_to_authorities=named,
            created_at=signed, confirmed_at=confirmed, status=SignatureStatus.CONFIRMED,
        )  # fmt: skip
        if email == "tab@example.org":
            assert consents.withdraw(signature, consents.Purpose.NAME_TO_AUTHORITIES)
    left_out = [
        {"status": SignatureStatus.CONFIRMED, "suspect": True, "confirmed_at": T1},
        {"status": SignatureStatus.PENDING},
        {"status": SignatureStatus.WITHDRAWN, "confirmed_at": T1, "withdrawn_at": T2},
        {"status": SignatureStatus.INVALIDATED, "confirmed_at": T1, "invalidated_at": T2},
    ]
    for extra in left_out:
        SignatureFactory(campaign=campaign, revision=revision, name="Left out", **extra)
    other = make_campaign(UserFactory())
    SignatureFactory(
        campaign=other, revision=revisions.published_revision(other), name="Elsewhere",
        status=SignatureStatus.CONFIRMED, confirmed_at=T1,
    )  # fmt: skip
    db.session.flush()
    return campaign


def test_copy_writes_the_tricky_values_exactly_like_the_python_path(ctx):
    campaign = _tricky_campaign()
    # Neither path may depend on the session's time zone.
    db.session.execute(text("SET LOCAL TimeZone = 'America/New_York'"))
    python = b"".join(export.python_chunks(campaign))
    copied = b"".join(export.copy_chunks(campaign))
    assert python == EXPECTED
    assert copied == EXPECTED
    assert b"".join(export.python_chunks(campaign, excel=True)) == EXCEL
    assert b"".join(export.copy_chunks(campaign, excel=True)) == EXCEL
    assert b"Left out" not in copied and b"Elsewhere" not in copied


def test_postgresql_exports_through_copy_in_a_read_only_transaction(ctx):
    campaign = _tricky_campaign()
    assert b"".join(export.csv_chunks(campaign)) == EXPECTED
    assert db.session.execute(text("SHOW transaction_read_only")).scalar() == "on"


def test_the_python_path_on_sqlite_writes_the_same_bytes(make_app, tmp_path):
    lite = make_app({"TESTING": True}, DATABASE_URL=f"sqlite:///{tmp_path / 'export.db'}")
    with lite.app_context():
        assert db.session.get_bind().dialect.name == "sqlite"
        db.create_all()
        campaign = _tricky_campaign()
        db.session.commit()
        assert b"".join(export.csv_chunks(campaign)) == EXPECTED
        assert b"".join(export.csv_chunks(campaign, excel=True)) == EXCEL
        db.session.remove()


def _many_signatures(count):
    campaign = make_campaign(UserFactory())
    revision = revisions.published_revision(campaign)
    db.session.execute(
        insert(Signature),
        [
            {
                "campaign_id": campaign.id, "revision_id": revision.id, "name": f"Signer {n}",
                "email": f"s{n}@example.org", "canonical_email": f"s{n}@example.org",
                "email_domain": "example.org", "country": "FR",
                "status": SignatureStatus.CONFIRMED, "created_at": T1, "confirmed_at": T2,
            }
            for n in range(count)
        ],
    )  # fmt: skip
    return campaign


def test_both_paths_stream_in_chunks_of_bounded_size(ctx):
    campaign = _many_signatures(3000)
    python = list(export.python_chunks(campaign))
    assert len(python) == 1 + 3 and [c.count(b"\n") for c in python[1:]] == [1000] * 3
    copied = list(export.copy_chunks(campaign))
    assert len(copied) > 3
    assert all(len(c) < export.COPY_CHUNK_BYTES + 200 for c in copied)
    assert b"".join(copied) == b"".join(python)
    assert b"".join(copied).count(b"\n") == 3001


def test_an_export_abandoned_halfway_leaves_the_connection_usable(ctx):
    campaign = _many_signatures(3000)
    chunks = export.copy_chunks(campaign)
    assert next(chunks).startswith(b"name,email,")
    assert b"Signer 0," in next(chunks)
    chunks.close()  # what the server does when the download is cancelled
    db.session.rollback()
    assert db.session.execute(select(func.count()).select_from(Signature)).scalar() == 0


def test_the_download_is_utf8_csv_named_after_the_campaign(app, client):
    owner_email, _moderator = _campaign_with_signers(app)
    login(client, owner_email)
    response = client.get("/organize/export/signatures/export.csv")
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="export-signatures.csv"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    assert body.startswith(b"name,email,country,") and body.count(b"\n") == 3


def test_the_excel_download_is_reached_from_the_dashboard_and_starts_with_a_bom(app, client):
    owner_email, _moderator = _campaign_with_signers(app)
    login(client, owner_email)
    dashboard = client.get("/organize/export/signatures").get_data(as_text=True)
    link = re.search(r'href="([^"]*export\.csv\?excel=1)"', dashboard).group(1)
    response = client.get(link.replace("&amp;", "&"))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeffname,email,country,postal_code,language,".encode())
    plain = client.get("/organize/export/signatures/export.csv").get_data()
    assert body == b"\xef\xbb\xbf" + plain
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["language"] for r in rows] == ["en", "en"]
    with app.app_context():
        formats = db.session.scalars(
            select(AuditLog.details).where(AuditLog.action == "signatures.exported")
        ).all()
        assert sorted(d["format"] for d in formats) == ["csv", "csv-excel"]


def test_timestamps_read_raw_are_written_like_isoformat_of_the_utc_instant():
    paris = datetime(2026, 3, 1, 10, 0, 0, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert export._iso(paris) == "2026-03-01T09:00:00.000005+00:00"
    assert export._iso(datetime(2026, 3, 1, 9, 0)) == "2026-03-01T09:00:00+00:00"
    # SQLite's text, as SQLAlchemy stores it and as a hand-written INSERT might.
    assert export._iso("2026-03-01 09:00:00.000000") == "2026-03-01T09:00:00+00:00"
    assert export._iso("2026-03-01 09:00:00.120000") == "2026-03-01T09:00:00.120000+00:00"
    assert export._iso("2026-03-01 09:00:00") == "2026-03-01T09:00:00+00:00"
    assert export._iso(None) == ""
