"""The flyer and the sign-up sheet: A4 PDFs with the expected text, in each language.
Each test keeps its PDF (and its first page as PNG when pdftoppm is there) in
test-artifacts/sharing/, to be looked at."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pypdf
import pytest

from tests.conftest import ARTIFACTS

from .conftest import SLUG

A4 = (595, 842)  # points, rounded
OUT = ARTIFACTS / "sharing"


def keep(name, data):
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / name
    path.write_bytes(data)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm:
        subprocess.run([pdftoppm, "-png", "-r", "60", "-singlefile", str(path),
                        str(path.with_suffix(""))], check=True)  # fmt: skip


def pages_of(response):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return reader.pages


def size(page):
    return round(float(page.mediabox.width)), round(float(page.mediabox.height))


def text(page):
    return re.sub(r"\s+", " ", page.extract_text())


def test_the_english_flyer_holds_title_summary_demands_count_and_address(app, owner_client):
    response = owner_client.get(f"/organize/{SLUG}/share/flyer-en.pdf")
    keep("flyer-en.pdf", response.data)
    pages = pages_of(response)
    assert len(pages) == 1 and size(pages[0]) == A4
    found = text(pages[0])
    for expected in ("Platform accountability", "Make platforms answer.", "What we ask",
                     "Publish every political ad.", "Ask before using photos for ads.",
                     "Scan to sign", f"/c/{SLUG}", "1 signature on"):  # fmt: skip
        assert expected in found, expected
    assert "?source" not in found  # the printed address is the short one; the QR has the code


def test_the_french_flyer_dates_the_count_in_french(owner_client):
    response = owner_client.get(f"/organize/{SLUG}/share/flyer-fr.pdf")
    keep("flyer-fr.pdf", response.data)
    found = text(pages_of(response)[0])
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    assert any(re.search(rf"\d {month} \d{{4}}", found) for month in months), found
    assert "Platform accountability" in found


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_sign_up_sheet_has_the_columns_of_the_paper_batch(owner_client, lang):
    response = owner_client.get(f"/organize/{SLUG}/share/sheet-{lang}.pdf")
    keep(f"sheet-{lang}.pdf", response.data)
    pages = pages_of(response)
    assert len(pages) == 1 and size(pages[0]) == A4[::-1]  # landscape
    found = text(pages[0])
    assert "Platform accountability" in found and f"/c/{SLUG}" in found
    if lang == "en":
        for expected in ("Name", "Country", "Signature", "Number of paper signatures",
                         "Collected on", "Signatures by country", "Note"):  # fmt: skip
            assert expected in found, expected
