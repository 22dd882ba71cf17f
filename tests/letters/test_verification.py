"""/verify as a stranger uses it: the short form pages show, or the file itself."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest

from organizer.db import utcnow
from organizer.extensions import db
from organizer.letters import directory, documents, services
from organizer.letters.models import DocumentKind, Letter, LetterStatus, Response
from tests.campaigns.conftest import build_campaign as same_text_campaign
from tests.campaigns.conftest import publish, setup
from tests.factories import UserFactory
from tests.letters.conftest import build_campaign, seed_signers

ORIGIN = {"Origin": "http://localhost"}


@pytest.fixture
def sent(app, db_session):
    """A published campaign and one letter sent with its documents; their hashes."""
    with setup(app):
        directory.import_bundled()
        campaign = build_campaign(UserFactory(), slug="strike")
        seed_signers(campaign)
        letters = services.write_letters(services.preview(campaign), None)
        letter = next(letter for letter in letters if letter.regulator.slug == "fr-cnil")
        documents.generate(letter)
        letter.status, letter.sent_at = LetterStatus.SENT, utcnow()
        return {
            "letter_id": letter.id,
            "letter": letter.document(DocumentKind.LETTER_PDF).content,
            "annex_csv": letter.document(DocumentKind.ANNEX_CSV).content,
            "letter_sha256": letter.document(DocumentKind.LETTER_PDF).sha256,
            "text_sha256": letter.revision.content_hash,
        }


def upload(client, content, name="file.pdf", headers=ORIGIN):
    return client.post(
        "/verify",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_the_short_form_shown_on_pages_finds_the_letter(app, client, sent):
    response = client.get(f"/verify?sha256={sent['letter_sha256'][:12].upper()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "A letter sent through Cahier" in html
    assert sent["letter_sha256"] in html and sent["text_sha256"] in html
    assert "Set-Cookie" not in response.headers
    assert client.get(f"/verify?sha256=sha256:{sent['text_sha256'][:20]}").status_code == 200
    assert client.get(f"/verify?sha256={sent['letter_sha256'][:11]}").status_code == 400
    assert client.get("/verify?sha256=" + "0" * 12).status_code == 404


def test_an_ambiguous_short_form_lists_every_match(app, client, sent):
    with setup(app):
        letter = db.session.get(Letter, sent["letter_id"])
        for tail in ("1" * 52, "2" * 52):
            letter.responses.append(
                Response(received_on=date(2026, 2, 1), summary=f"Answer {tail[0]}",
                         document_sha256="abcdef012345" + tail)
            )  # fmt: skip
    response = client.get("/verify?sha256=ABCDEF012345")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This short form matches 2 documents. Enter more characters to choose one." in html
    assert "abcdef012345" + "1" * 52 in html and "abcdef012345" + "2" * 52 in html
    one = client.get("/verify?sha256=abcdef0123451").get_data(as_text=True)
    assert "A response recorded by the campaign" in one and "Answer 1" in one


def test_an_uploaded_letter_or_annex_says_what_it_is(app, client, sent):
    response = upload(client, sent["letter"], "letter.pdf")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "A letter sent through Cahier" in html and "Revision 1" in html
    assert "Commission nationale" in html and "Facebook users&#39; strike" in html
    assert sent["letter_sha256"] in html
    assert "Set-Cookie" not in response.headers
    annex = upload(client, sent["annex_csv"], "annex.csv").get_data(as_text=True)
    assert "A signature annex sent through Cahier" in annex
    changed = upload(client, sent["letter"] + b"\n", "letter.pdf")
    assert changed.status_code == 404
    assert "even saving a PDF again changes its sha256" in changed.get_data(as_text=True)


def test_an_uploaded_text_is_recognized_and_a_changed_one_is_told(app, client, sent):
    canonical = client.get("/c/strike/revisions/1/canonical.json").get_data()
    found = upload(client, canonical, "canonical.json").get_data(as_text=True)
    assert "A published text" in found and sent["text_sha256"] in found
    exported = client.get("/c/strike/grievances.json").get_data()
    found = upload(client, exported, "strike-r1.json")
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and "A published text" in html
    assert "its text is exactly the published text below" in html
    document = json.loads(exported)
    document["sections"][0]["demands"][0]["text"] = "Something else."
    changed = upload(client, json.dumps(document).encode(), "strike-r1.json")
    html = changed.get_data(as_text=True)
    assert changed.status_code == 404
    assert "it was changed after it was downloaded" in html


def test_uploads_from_another_site_or_too_large_are_refused(app, client, sent, monkeypatch):
    evil = {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}
    assert upload(client, sent["letter"], headers=evil).status_code == 403
    assert upload(client, sent["letter"], headers={}).status_code == 400
    assert upload(client, b"", "empty.pdf").status_code == 400
    monkeypatch.setitem(app.config, "VERIFY_UPLOAD_MAX_BYTES", 1000)
    too_large = upload(client, b"x" * 1001, "big.pdf")
    assert too_large.status_code == 413
    assert "This file is larger than 1,000 bytes, so it was not checked." in too_large.get_data(
        as_text=True
    )
    far_too_large = upload(client, b"x" * 200_000, "huge.pdf")
    assert far_too_large.status_code == 413
    assert "so it was not checked" in far_too_large.get_data(as_text=True)


def test_how_to_verify_gives_the_commands_in_english_and_french(app, client, sent):
    page = client.get("/verify/how?c=strike&r=1").get_data(as_text=True)
    for command in ("sha256sum canonical.json", "shasum -a 256 canonical.json",
                    "Get-FileHash canonical.json -Algorithm SHA256"):  # fmt: skip
        assert command in page
    assert sent["text_sha256"] in page and "/c/strike/revisions/1/canonical.json" in page
    french = client.get("/verify/how", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert '<html lang="fr">' in french and "sha256sum canonical.json" in french
    assert client.get("/verify/how?c=strike&r=x").status_code == 200
    verify = client.get("/verify").get_data(as_text=True)
    assert "/verify/how" in verify
    campaign_page = client.get("/c/strike").get_data(as_text=True)
    assert "/verify/how?c=strike&amp;r=1" in campaign_page


def test_a_text_published_twice_is_listed_twice_not_called_a_short_form(app, client):
    with setup(app):
        owner = UserFactory()
        twins = [
            same_text_campaign(owner, title=f"Twin {slug}", slug=slug)
            for slug in ("twin-one", "twin-two")
        ]
        digests = {publish(campaign, owner).content_hash for campaign in twins}
    (digest,) = digests
    html = client.get(f"/verify?sha256={digest}").get_data(as_text=True)
    assert "2 documents have this sha256: the same content was published more than once." in html
    assert "Twin twin-one" in html and "Twin twin-two" in html
    assert "short form" not in html.split('id="verify-result"')[1]
