from __future__ import annotations

import io
from datetime import UTC, datetime

from sqlalchemy import func, select

from organizer.audit.models import AuditLog
from organizer.audit.sentences import describe
from organizer.extensions import db
from organizer.supporters.importing import check, map_headers, text_version
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from tests.support.web import csrf_token

from .conftest import SLUG, login

URL = f"/organize/groups/{SLUG}/supporters/import"
WORDING = "Yes, send me news from the Riders' Union."
GOOD = (
    "E-mail;Prénom;Nom;Pays;Code postal;Langue;Opt-in\n"
    "dora@example.org;Dora;Maar;France;75001;fr;oui\n"
    "Eve@Example.org;Eve;;DE;10115;de-DE;no\n"
    "ada@example.org;Ada;Lovelace;GB;;en;yes\n"
)


def _post(client, body, **fields):
    token = csrf_token(client.get(URL).text)
    data = {"csrf_token": token, "file": (io.BytesIO(body.encode()), "people.csv"), **fields}
    return client.post(URL, data=data, content_type="multipart/form-data")


def _supporters(app):
    with app.app_context():
        return {s.canonical_email: s for s in db.session.scalars(select(Supporter))}


def test_headers_are_matched_leniently():
    columns = map_headers(["E-Mail Address", "Full name", "ZIP", "Country code", "lang"])
    assert columns == {"email": 0, "name": 1, "postal_code": 2, "country": 3, "language": 4}
    assert map_headers(["Courriel", "Code postal"]) == {"email": 0, "postal_code": 1}


def test_bad_rows_are_reported_by_line_and_nothing_is_written(app, client, team):
    login(client, "owner@example.org")
    before = _supporters(app)
    body = GOOD + "not-an-address;X;;FR;;fr;yes\nzed@example.org;Zed;;Atlantis;;fr;yes\n"
    body += "DORA@example.org;Dora;;FR;;fr;yes\n"
    page = _post(client, body, consent_wording=WORDING, agreed_on="2025-05-01", attest="y")
    assert page.status_code == 200
    assert "Nothing was imported: 3 rows need correcting." in page.text
    assert "Line 5: not-an-address is not an email address." in page.text
    assert "Line 6: Atlantis is not a country we know." in page.text
    assert "Line 7: DORA@example.org is already on line 2." in page.text
    assert _supporters(app).keys() == before.keys()


def test_consenting_rows_are_subscribed_with_the_attested_text_and_date(app, client, team):
    login(client, "owner@example.org")
    missing = _post(client, GOOD)
    assert (
        "copy the text they agreed to" in missing.text and "Say when they agreed." in missing.text
    )
    assert "dora@example.org" not in _supporters(app)

    done = _post(client, GOOD, consent_wording=WORDING, agreed_on="2025-05-01", attest="y")
    assert done.status_code == 302
    assert (
        "3 supporters imported, 2 of them subscribed." in client.get(done.headers["Location"]).text
    )
    people = _supporters(app)
    dora, eve, ada = (
        people["dora@example.org"],
        people["eve@example.org"],
        people["ada@example.org"],
    )
    assert (dora.name, dora.country, dora.postal_code, dora.language) == (
        "Dora Maar",
        "FR",
        "75001",
        "fr",
    )
    assert dora.status == SupporterStatus.SUBSCRIBED
    assert eve.status == SupporterStatus.UNSUBSCRIBED and eve.language == "de"
    # Ada was already subscribed: the import keeps her, and her consent.
    assert ada.status == SupporterStatus.SUBSCRIBED and ada.name == "Ada Lovelace"
    with app.app_context():
        events = db.session.scalars(
            select(ConsentEvent).where(ConsentEvent.supporter_id == dora.id)
        ).all()
        assert [(e.granted, e.source_type, e.text_version) for e in events] == [
            (True, "import", text_version(WORDING))
        ]
        assert events[0].at == datetime(2025, 5, 1, tzinfo=UTC)
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(ConsentEvent)
                .where(ConsentEvent.supporter_id == eve.id)
            )
            == 0
        )
        entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "supporters.imported"))
        assert entry.details["rows"] == 3 and entry.details["text_version"] == text_version(WORDING)
        assert entry.details["consent_wording"] == WORDING
        assert "imported 3 supporters from a CSV file (2 with consent)" in describe(entry)


def test_a_file_without_consent_brings_everyone_in_unsubscribed(app, client, team):
    login(client, "organizer@example.org")
    done = _post(client, "email,name\nfred@example.org,Fred\n")
    assert done.status_code == 302
    assert _supporters(app)["fred@example.org"].status == SupporterStatus.UNSUBSCRIBED


def test_files_without_an_email_column_or_rows_are_refused(app, client, team):
    login(client, "owner@example.org")
    assert "No column of email addresses was found." in _post(client, "name\nFred\n").text
    assert "the file has no row of supporters" in _post(client, "email\n\n").text
    assert check(b"").errors == [(1, "The file is empty.")]
    viewer = app.test_client()
    login(viewer, "viewer@example.org")
    assert viewer.get(URL).status_code == 403
