"""The PDF letter and the annex: their text, who is named, their hashes, and no fetching."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import select

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
    assert "the 16 people" in text and "6 of them in United Kingdom" in text
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
    assert lines[0] == "name,country,postal_area"
    assert "Named Person,GB,SW1A" in lines
    assert "Private Person" not in csv_text and "Withdrawn Namer" not in csv_text
    assert "French Person" not in csv_text  # France is not in the ICO's jurisdiction
    assert len(lines) == 1 + 4  # 3 seeded GB signers and Named Person
    pdf_text = _text(ico_letter.document(DocumentKind.ANNEX_PDF).content)
    assert "Named Person" in pdf_text and "Private Person" not in pdf_text
    assert "6 people in United Kingdom have signed. 4 of them agreed" in pdf_text


def test_every_document_records_its_sha256(ico_letter):
    generated = documents.generate(ico_letter)
    assert {d.kind for d in generated} == set(DocumentKind)
    for document in generated:
        assert document.sha256 == hashlib.sha256(document.content).hexdigest()
        assert document.size == len(document.content)
    # Building again replaces the documents rather than adding to them.
    assert len(documents.generate(ico_letter)) == 3


def test_a_spreadsheet_formula_in_a_name_is_defused(campaign, owner):
    add_signatures(campaign, "IN", 1, name="=HYPERLINK(1)")
    letters = services.write_letters(services.preview(campaign), owner)
    trai = next(letter for letter in letters if letter.regulator.slug == "in-trai")
    documents.generate(trai)
    assert "'=HYPERLINK(1)" in trai.document(DocumentKind.ANNEX_CSV).content.decode()


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
