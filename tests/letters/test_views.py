"""Organizer, admin and public pages of the letters domain."""

from __future__ import annotations

import hashlib
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from organizer.extensions import db
from organizer.letters import delivery, directory, documents, services
from organizer.letters.models import (
    Channel,
    DocumentKind,
    DocumentsStatus,
    Letter,
    LetterStatus,
)
from organizer.mail.models import OutboundEmail
from tests.campaigns.conftest import login, setup
from tests.factories import UserFactory
from tests.letters.conftest import build_campaign, seed_signers
from tests.support.web import csrf_token, submit


@pytest.fixture
def world(app, db_session):
    """A published campaign with signers and the directory, committed for the requests."""
    with setup(app):
        directory.import_bundled()
        owner = UserFactory(email="owner@example.org")
        campaign = build_campaign(owner, slug="strike")
        seed_signers(campaign)
        UserFactory(email="outsider@example.org")
        UserFactory(email="admin@example.org", is_admin=True)
    return "strike"


def test_the_routing_preview_lists_bodies_and_writes_drafts(app, client, world):
    login(client, "owner@example.org")
    page = client.get("/organize/strike/letters/plan")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for name in (
        "Federal Trade Commission",
        "Data Protection Commission",
        "Commission nationale",
        "Information Commissioner",
        "Telecom Regulatory",
    ):
        assert name in html  # fmt: skip
    dropped = client.get("/organize/strike/letters/plan?drop=fr-cnil&add=ca-opc")
    html = dropped.get_data(as_text=True)
    assert "Left out: CNIL" in html
    assert "added by you" in html
    response = client.post(
        "/organize/strike/letters/plan",
        data={"csrf_token": csrf_token(html), "drop": "fr-cnil", "add": "ca-opc"},
    )
    assert response.status_code == 302
    with app.app_context():
        bodies = {letter.regulator.slug for letter in db.session.scalars(select(Letter))}
    assert "fr-cnil" not in bodies and {"ca-opc", "gb-ico", "us-ftc"} <= bodies


def test_outsiders_and_anonymous_visitors_cannot_see_letters(client, world):
    assert client.get("/organize/strike/letters").status_code == 302  # to the login page
    login(client, "outsider@example.org")
    assert client.get("/organize/strike/letters/plan").status_code == 403


def _drafts(app):
    from organizer.campaigns.services import get_by_slug

    with setup(app):
        written = services.write_letters(services.preview(get_by_slug("strike")), None)
        ids = {letter.regulator.slug: letter.id for letter in written}
    return ids


def test_editing_generating_and_sending_by_email(app, client, world):
    ids = _drafts(app)
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['gb-ico']}"
    response = submit(client, url, {"subject": "To the ICO", "body": "Dear ICO,\n\nAct."})
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Generate the documents" in page
    client.post(f"{url}/generate", data={"csrf_token": csrf_token(page)})
    with setup(app):
        letter = db.session.get(Letter, ids["gb-ico"])
        assert letter.subject == "To the ICO"
        assert letter.documents_status == DocumentsStatus.PENDING
        documents.generate(letter)
        letter.regulator.contact_email = "casework@ico.example"
    page = client.get(url).get_data(as_text=True)
    assert "letters-test@cahier.invalid" in page and "not a production site" in page
    assert client.post(f"{url}/email", data={"csrf_token": csrf_token(page)}).status_code == 302
    with app.app_context():
        letter = db.session.get(Letter, ids["gb-ico"])
        (delivery,) = letter.deliveries
        email = delivery.outbound_email
        assert letter.status == LetterStatus.SCHEDULED
        assert email.to_addr == "letters-test@cahier.invalid"
        assert email.headers["X-Cahier-Intended-Recipient"] == "casework@ico.example"
        # A body answers to the campaign's return address, not to whoever pressed send.
        assert email.headers["Reply-To"] == "letters@fair-platforms.example"
        assert [a.mime_type for a in email.attachments] == [
            "application/pdf", "application/pdf", "text/csv",
        ]  # fmt: skip
    page = client.get(url).get_data(as_text=True)
    assert "instead of casework@ico.example" in page
    # A second press does not send it twice.
    client.post(f"{url}/email", data={"csrf_token": csrf_token(page)})
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(OutboundEmail)) == 1


def test_postal_sending_responses_timeline_and_verification(app, client, world):
    ids = _drafts(app)
    with setup(app):
        documents.generate(db.session.get(Letter, ids["fr-cnil"]))
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['fr-cnil']}"
    page = client.get(url).get_data(as_text=True)
    assert "publishes no email address" in page
    token = csrf_token(page)
    client.post(f"{url}/sent", data={"csrf_token": token, "channel": "postal",
                                     "sent_on": "2099-01-01"})  # fmt: skip
    with app.app_context():
        assert db.session.get(Letter, ids["fr-cnil"]).status == LetterStatus.DRAFT
    sent = {"csrf_token": token, "channel": "postal", "sent_on": "2026-01-05", "note": "Tracked"}
    client.post(f"{url}/sent", data=sent)
    response_pdf = b"%PDF-1.4 the CNIL answers"
    client.post(
        f"{url}/response",
        data={"csrf_token": token, "received_on": "2026-02-01",
              "summary": "The CNIL opened an inquiry.",
              "document": (io.BytesIO(response_pdf), "answer.pdf")},
        content_type="multipart/form-data",
    )  # fmt: skip
    with app.app_context():
        letter = db.session.get(Letter, ids["fr-cnil"])
        assert letter.status == LetterStatus.RESPONDED
        assert letter.deliveries[0].channel == Channel.POSTAL
        assert letter.deliveries[0].sent_on == date(2026, 1, 5)
        assert letter.responses[0].document_sha256 == hashlib.sha256(response_pdf).hexdigest()
        letter_hash = letter.document(DocumentKind.LETTER_PDF).sha256
        annex_hash = letter.document(DocumentKind.ANNEX_CSV).sha256

    anonymous = app.test_client()
    campaign_page = anonymous.get("/c/strike")
    html = campaign_page.get_data(as_text=True)
    assert "Commission nationale de l&#39;informatique et des libertés" in html
    assert "The CNIL opened an inquiry." in html and "Jan 5, 2026" in html
    assert "Set-Cookie" not in campaign_page.headers
    pdf = anonymous.get(f"/c/strike/letters/{ids['fr-cnil']}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert anonymous.get(f"/c/strike/letters/{ids['gb-ico']}.pdf").status_code == 404

    for digest, kind in ((letter_hash, "A letter sent"), (annex_hash, "A signature annex")):
        found = anonymous.get(f"/verify?sha256={digest.upper()}")
        assert found.status_code == 200 and kind in found.get_data(as_text=True)
        assert "Set-Cookie" not in found.headers
    assert "Revision 1" in found.get_data(as_text=True)
    assert anonymous.get("/verify?sha256=" + "0" * 64).status_code == 404
    assert anonymous.get("/verify?sha256=nonsense").status_code == 400
    assert anonymous.get("/verify").status_code == 200


def test_a_response_that_is_not_a_pdf_is_refused(app, client, world):
    ids = _drafts(app)
    with setup(app):
        letter = db.session.get(Letter, ids["gb-ico"])
        letter.status = LetterStatus.SENT
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['gb-ico']}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    response = client.post(
        f"{url}/response",
        data={"csrf_token": token, "received_on": "2026-02-01", "summary": "Hm.",
              "document": (io.BytesIO(b"MZ not a pdf"), "answer.pdf")},
        content_type="multipart/form-data", follow_redirects=True,
    )  # fmt: skip
    assert "must be a PDF" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Letter, ids["gb-ico"]).responses == []


def test_milestone_triggers_are_set_and_cancelled(app, client, world):
    login(client, "owner@example.org")
    token = csrf_token(client.get("/organize/strike/letters").get_data(as_text=True))
    response = client.post(
        "/organize/strike/letters/triggers", data={"csrf_token": token, "threshold": "1000"}
    )
    assert response.status_code == 302
    page = client.get("/organize/strike/letters").get_data(as_text=True)
    assert "At 1,000 signatures" in page and "waiting" in page
    refused = client.post(
        "/organize/strike/letters/triggers",
        data={"csrf_token": token, "threshold": "0"},
        follow_redirects=True,
    )
    assert "at least 1" in refused.get_data(as_text=True)
    with app.app_context():
        from organizer.letters.models import MilestoneTrigger, TriggerStatus

        (trigger,) = db.session.scalars(select(MilestoneTrigger)).all()
    client.post(
        f"/organize/strike/letters/triggers/{trigger.id}/cancel", data={"csrf_token": token}
    )
    with app.app_context():
        assert db.session.get(MilestoneTrigger, trigger.id).status == TriggerStatus.CANCELLED
        from organizer.audit.services import entries_for

        actions = [e.action for e in entries_for("letter_milestone", trigger.id)]
        assert actions == ["letter_milestone.cancelled", "letter_milestone.added"]


def test_only_site_admins_edit_the_directory(app, client, world):
    login(client, "owner@example.org")
    assert client.get("/admin/regulators").status_code == 403
    client.post(
        "/account/logout", data={"csrf_token": csrf_token(client.get("/").get_data(as_text=True))}
    )
    login(client, "admin@example.org")
    assert "Ofcom" in client.get("/admin/regulators").get_data(as_text=True)
    form = {"name": "Information Commissioner's Office", "acronym": "ICO", "slug": "gb-ico",
            "kind": "regulator", "jurisdiction": "GB", "topics": ["privacy"],
            "languages": "en", "website": "https://ico.org.uk",
            "contact_email": "casework@ico.example",
            "postal_address": "Wycliffe House"}  # fmt: skip
    assert submit(client, "/admin/regulators/gb-ico", form).status_code == 302
    bad = submit(client, "/admin/regulators/new", {**form, "slug": "gb-ico"})
    assert bad.status_code == 200 and "already uses" in bad.get_data(as_text=True)
    bad = submit(client, "/admin/regulators/new", {**form, "slug": "xx-new", "jurisdiction": "ZZ"})
    assert "Unknown jurisdiction" in bad.get_data(as_text=True)
    with app.app_context():
        ico = directory.get("gb-ico")
        assert ico.contact_email == "casework@ico.example"
        assert ico.postal_address == "Wycliffe House"
        assert directory.get("xx-new") is None


@pytest.fixture
def unsigned_world(app, db_session):
    """A campaign whose letter settings nobody has filled in yet."""
    with setup(app):
        directory.import_bundled()
        owner = UserFactory(email="owner@example.org")
        campaign = build_campaign(owner, slug="strike", letter_settings=False)
        seed_signers(campaign)
    return "strike"


def test_sending_waits_for_the_letter_settings_which_then_sign_the_letter(
    app, client, unsigned_world
):
    ids = _drafts(app)
    with setup(app):
        documents.generate(db.session.get(Letter, ids["fr-cnil"]))
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['fr-cnil']}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="settings-missing"' in page and "/organize/strike/letters/settings" in page
    refused = client.post(
        f"{url}/sent", data={"csrf_token": csrf_token(page), "channel": "postal",
                             "sent_on": "2026-01-05"}, follow_redirects=True,
    )  # fmt: skip
    html = refused.get_data(as_text=True)
    assert "before sending one" in html
    assert '<a href="/organize/strike/letters/settings">Letter settings</a>' in html
    with app.app_context():
        assert db.session.get(Letter, ids["fr-cnil"]).status == LetterStatus.DRAFT

    form = client.get("/organize/strike/letters/settings").get_data(as_text=True)
    incomplete = client.post(
        "/organize/strike/letters/settings",
        data={"csrf_token": csrf_token(form), "signatory": "Ada Lovelace"},
    )
    assert incomplete.status_code == 422
    saved = client.post("/organize/strike/letters/settings", data={
        "csrf_token": csrf_token(form), "signatory": "Ada Lovelace",
        "organization": "Users United", "postal_address": "1 Rue Exemple\r\n\r\n75011 Paris",
        "email": "Letters@Users-United.example",
    })  # fmt: skip
    assert saved.status_code == 302
    with app.app_context():
        letter = db.session.get(Letter, ids["fr-cnil"])
        # The documents built before no longer carry who signs: they must be built again.
        assert letter.documents_status == DocumentsStatus.NONE
        documents.generate(letter)
        text = " ".join(
            page.extract_text() for page in
            PdfReader(io.BytesIO(letter.document(DocumentKind.LETTER_PDF).content)).pages
        )  # fmt: skip
        db.session.commit()
    assert "Ada Lovelace" in text and "1 Rue Exemple" in text
    assert "letters@users-united.example" in text
    page = client.get(url).get_data(as_text=True)
    sent = client.post(f"{url}/sent", data={"csrf_token": csrf_token(page), "channel": "postal",
                                            "sent_on": "2026-01-05"})  # fmt: skip
    assert sent.status_code == 302
    with app.app_context():
        assert db.session.get(Letter, ids["fr-cnil"]).status == LetterStatus.SENT


def test_a_response_is_dated_sensibly_and_signers_are_emailed_after_a_preview(app, client, world):
    ids = _drafts(app)
    with setup(app):
        from organizer.accounts.models import User
        from organizer.campaigns.services import get_by_slug
        from tests.letters.conftest import add_signatures

        add_signatures(get_by_slug("strike"), "GB", 2, updates=True)
        letter = db.session.get(Letter, ids["gb-ico"])
        documents.generate(letter)
        owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
        delivery.record_sent(letter, owner, Channel.WEB_FORM, date(2026, 1, 5))
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['gb-ico']}"
    token = csrf_token(client.get(url).get_data(as_text=True))
    early = client.post(f"{url}/response", data={"csrf_token": token, "received_on": "2026-01-04",
                                                 "summary": "Too early."})  # fmt: skip
    html = early.get_data(as_text=True)
    assert early.status_code == 422
    assert 'id="received_on-error"' in html and "a response cannot arrive before" in html
    future = client.post(f"{url}/response", data={"csrf_token": token, "received_on": "2099-01-01",
                                                  "summary": "Later."})  # fmt: skip
    assert "cannot be in the future" in future.get_data(as_text=True)
    answer = {"csrf_token": token, "received_on": "2026-02-01", "summary": "The ICO will look."}
    recorded = client.post(f"{url}/response", data=answer)
    assert recorded.status_code == 302 and "/notify" in recorded.location
    with app.app_context():
        assert db.session.scalars(select(OutboundEmail).where(
            OutboundEmail.kind == "letter_response")).all() == []  # fmt: skip
    preview = client.get(recorded.location).get_data(as_text=True)
    assert "This email would go to 2 signers who asked for updates" in preview
    assert "The ICO will look." in preview and "Email 2 signers" in preview
    choice = {"csrf_token": csrf_token(preview), "choice": "email"}
    chosen = client.post(recorded.location, data=choice, follow_redirects=True)
    html = chosen.get_data(as_text=True)
    assert "The response is being emailed to 2 signers." in html
    assert "Emailed to 2 signers." in html
    with app.app_context():
        (response,) = db.session.get(Letter, ids["gb-ico"]).responses
        assert response.signers_notified == 2


def test_deleting_a_draft_returns_to_the_letters_list(app, client, world):
    ids = _drafts(app)
    login(client, "owner@example.org")
    url = f"/organize/strike/letters/{ids['gb-ico']}"
    page = client.get(url).get_data(as_text=True)
    response = client.post(f"{url}/delete", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/organize/strike/letters")
    with setup(app):
        assert db.session.get(Letter, ids["gb-ico"]) is None
