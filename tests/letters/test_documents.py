"""The PDF letter and the annex: their text, who is named, their hashes, and no fetching."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
from pathlib import Path

import pytest
from babel.dates import format_date
from pypdf import PdfReader
from sqlalchemy import select

from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import documents, services
from organizer.letters.models import DocumentKind, DocumentsStatus
from organizer.signatures import consents
from organizer.signatures.models import Signature
from tests.letters.conftest import add_signatures


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )


@pytest.fixture
def ico_letter(campaign, owner):
    # On the public list, but never asked to be named to the authorities: counted only.
    add_signatures(campaign, "GB", 1, name="Private Person", show_name=True, named=False)
    add_signatures(campaign, "GB", 1, name="Withdrawn Namer", named=True)
    add_signatures(campaign, "GB", 1, name="Named Person", postal_code="SW1A 1AA")
    add_signatures(campaign, "FR", 1, name="French Person")
    routing = services.preview(campaign, add=[])
    letters = services.write_letters(routing, owner)
    return next(letter for letter in letters if letter.regulator.slug == "gb-ico")


def test_the_pdf_letter_carries_the_demands_and_the_count(ico_letter):
    documents.generate(ico_letter)
    assert ico_letter.documents_status == DocumentsStatus.READY
    pdf = ico_letter.document(DocumentKind.LETTER_PDF)
    assert pdf.content.startswith(b"%PDF-") and pdf.mime_type == "application/pdf"
    text = _text(pdf.content)
    assert "Explain what personal data is used for advertising." in text
    assert "Ask for consent before using photos in ads." in text
    assert "the 16 people" in text and "6 of them in the United Kingdom" in text
    assert ico_letter.revision.content_hash in text.replace(" ", "")
    # The record cites the annex by hash.
    annex = ico_letter.document(DocumentKind.ANNEX_CSV)
    assert annex.sha256 in text.replace(" ", "")


def test_the_annex_names_only_signers_who_consented(ico_letter):
    withdrawn = db.session.scalars(select(Signature).where(Signature.name == "Withdrawn Namer"))
    assert consents.withdraw(withdrawn.one(), consents.Purpose.NAME_TO_AUTHORITIES)
    documents.generate(ico_letter)
    csv_text = ico_letter.document(DocumentKind.ANNEX_CSV).content.decode()
    lines = csv_text.strip().splitlines()
    assert lines[0] == "name,country,postal_area,signed_on"
    today = utcnow().date().isoformat()
    assert f"Named Person,GB,SW1A,{today}" in lines
    assert "Private Person" not in csv_text and "Withdrawn Namer" not in csv_text
    assert "French Person" not in csv_text  # France is not in the ICO's jurisdiction
    assert len(lines) == 1 + 4  # 3 seeded GB signers and Named Person
    pdf_text = _text(ico_letter.document(DocumentKind.ANNEX_PDF).content)
    assert "Named Person" in pdf_text and "Private Person" not in pdf_text
    assert "6 people in the United Kingdom have signed. 4 of them agreed" in pdf_text


def test_every_document_records_its_sha256(ico_letter):
    generated = documents.generate(ico_letter)
    assert {d.kind for d in generated} == set(DocumentKind)
    for document in generated:
        assert document.sha256 == hashlib.sha256(document.content).hexdigest()
        assert document.size == len(document.content)
    # Building again replaces the documents rather than adding to them.
    assert len(documents.generate(ico_letter)) == 3


def test_a_spreadsheet_formula_in_a_name_is_defused(campaign, owner):
    add_signatures(campaign, "GB", 1, name="=HYPERLINK(1)")
    letters = services.write_letters(services.preview(campaign), owner)
    ico = next(letter for letter in letters if letter.regulator.slug == "gb-ico")
    documents.generate(ico)
    assert "'=HYPERLINK(1)" in ico.document(DocumentKind.ANNEX_CSV).content.decode()


def test_the_url_fetcher_refuses_every_url():
    fetcher = documents.refusing_fetcher()
    for url in ("https://example.org/x.png", "file:///etc/passwd", "data:text/plain,hi"):
        with pytest.raises(documents.FetchRefused):
            fetcher.fetch(url)


def test_rendering_fetches_nothing_even_when_the_text_asks(ctx):
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        html = (
            f'<link rel="stylesheet" href="{url}/style.css"><p>Hello</p>'
            f'<img src="{url}/pixel.png"><style>@import url("{url}/more.css");</style>'
        )
        pdf = documents.render_pdf(html)
    finally:
        server.shutdown()
        server.server_close()
    assert pdf.startswith(b"%PDF-")
    assert requests == []


def test_the_letter_is_signed_by_a_named_person_with_return_addresses(ico_letter):
    documents.generate(ico_letter)
    text = _text(ico_letter.document(DocumentKind.LETTER_PDF).content)
    # The return address heads the letter; the signatory signs it, for the organization.
    assert text.startswith("Friends of Fair Platforms 12 Example Street London N1 9GU")
    assert "letters@fair-platforms.example" in text
    assert "Yours faithfully, Sam Signatory Friends of Fair Platforms" in text
    assert "The organizers of" not in text


def _cnil_letter(campaign, owner):
    letters = services.write_letters(services.preview(campaign), owner)
    return next(letter for letter in letters if letter.regulator.slug == "fr-cnil")


def test_the_addressee_is_named_once(campaign, owner, regulators):
    cnil = _cnil_letter(campaign, owner)
    documents.generate(cnil)
    name = "Commission nationale de l'informatique et des libertés"
    assert _text(cnil.document(DocumentKind.LETTER_PDF).content).count(name) == 1
    # Nor when the address an admin copied from the body's website starts with the name.
    cnil.regulator.postal_address = f"{name}\n3 Place de Fontenoy\nTSA 80715\n75334 Paris"
    assert documents.addressee(cnil.regulator) == [
        name, "3 Place de Fontenoy", "TSA 80715", "75334 Paris",
    ]  # fmt: skip
    documents.generate(cnil)
    text = _text(cnil.document(DocumentKind.LETTER_PDF).content)
    assert text.count(name) == 1 and "3 Place de Fontenoy" in text


def test_a_french_letter_speaks_french_grammar_and_dates(campaign, owner, regulators):
    add_signatures(campaign, "FR", 1, name="Camille Dubois", postal_code="75011")
    cnil = _cnil_letter(campaign, owner)
    assert "dont 3 en France" in cnil.body
    assert cnil.subject.endswith("de 3 signataires en France")
    documents.generate(cnil)
    letter_text = _text(cnil.document(DocumentKind.LETTER_PDF).content)
    assert "dont 3 en France, où vous avez le pouvoir d’agir" in letter_text  # noqa: RUF001
    annex = _text(cnil.document(DocumentKind.ANNEX_PDF).content)
    # Country names and dates come from Babel in the letter's language.
    today = format_date(utcnow().date(), "medium", locale="fr")
    assert f"Camille Dubois France 750 {today}" in annex


def test_the_annex_shows_postal_areas_only_when_they_were_collected(campaign, owner):
    letters = services.write_letters(services.preview(campaign), owner)
    ico = next(letter for letter in letters if letter.regulator.slug == "gb-ico")
    documents.generate(ico)
    annex = _text(ico.document(DocumentKind.ANNEX_PDF).content)
    assert "Postal area" not in annex and "Signed on" in annex
    add_signatures(campaign, "GB", 1, name="Grace Kelly", postal_code="EH1 1YZ")
    documents.generate(ico)
    annex = _text(ico.document(DocumentKind.ANNEX_PDF).content)
    today = format_date(utcnow().date(), "medium", locale="en")
    assert "Postal area" in annex and f"Grace Kelly United Kingdom EH1 {today}" in annex


def test_a_letter_and_its_annex_are_saved_for_a_look(campaign, owner, regulators):
    """test-artifacts/letters/: the French CNIL letter and the ICO annex, to be looked at."""
    add_signatures(campaign, "FR", 2, name="Camille Dubois", postal_code="75011")
    add_signatures(campaign, "GB", 3, name="Grace Kelly", postal_code="EH1 1YZ")
    regulators["fr-cnil"].postal_address = (
        "Commission nationale de l'informatique et des libertés\n3 Place de Fontenoy\n"
        "TSA 80715\n75334 Paris Cedex 07"
    )
    letters = services.write_letters(services.preview(campaign), owner)
    out = Path("test-artifacts/letters")
    out.mkdir(parents=True, exist_ok=True)
    for slug, kind, name in (("fr-cnil", DocumentKind.LETTER_PDF, "cnil-letter-fr.pdf"),
                             ("gb-ico", DocumentKind.LETTER_PDF, "ico-letter-en.pdf"),
                             ("gb-ico", DocumentKind.ANNEX_PDF, "ico-annex-en.pdf"),
                             ("fr-cnil", DocumentKind.ANNEX_PDF, "cnil-annex-fr.pdf")):  # fmt: skip
        letter = next(letter for letter in letters if letter.regulator.slug == slug)
        if letter.documents_status != DocumentsStatus.READY:
            documents.generate(letter)
        content = letter.document(kind).content
        assert PdfReader(io.BytesIO(content)).pages
        (out / name).write_bytes(content)
