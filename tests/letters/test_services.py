"""The routing preview of a real campaign, the drafts written from it, and the composer."""

from __future__ import annotations

import pytest

from organizer.campaigns import revisions
from organizer.letters import composer, services
from organizer.letters.models import DocumentsStatus, LetterStatus
from tests.letters.conftest import add_signatures, build_campaign


def test_the_preview_routes_the_demo_demands_to_the_four_privacy_bodies(campaign):
    routing = services.preview(campaign)
    routed = {plan.body: plan for plan, _body in routing.routed}
    assert {"us-ftc", "ie-dpc", "fr-cnil", "gb-ico"} <= set(routed)
    assert routing.total == 12
    assert routed["ie-dpc"].signers == 4  # FR 2 + IE 2: the EU's member states
    assert "in-trai" not in routed  # a telecom regulator: no demand is in its remit
    # The Congress hearing (A2, US only) reaches US legislators and nobody else.
    with_hearing = {slug for slug, plan in routed.items() if "A2" in plan.labels}
    assert with_hearing == {"us-senate-commerce", "us-house-energy-commerce"}
    # No signer in Canada: the OPC is offered as a body to add, not routed.
    assert "ca-opc" in {body.slug for body in routing.not_routed}


def test_organizers_drop_a_body_or_add_one(campaign):
    routing = services.preview(campaign, drop=["fr-cnil"], add=["ca-opc", "no-such-body"])
    routed = {plan.body: plan for plan, _body in routing.routed}
    assert "fr-cnil" not in routed
    assert routed["ca-opc"].signers == 0 and routed["ca-opc"].added_by_organizer
    assert routed["ca-opc"].labels == ("B1", "B2")


def test_a_campaign_without_a_published_text_cannot_be_routed(owner, regulators):
    from organizer.campaigns import services as campaign_services

    draft = campaign_services.create_campaign(
        owner, campaign_services.CampaignDetails(title="Draft", summary="Not yet.", language="en")
    )
    with pytest.raises(services.LetterError):
        services.preview(draft)


def test_written_letters_cite_the_revision_counts_and_url(campaign, owner):
    letters = services.write_letters(services.preview(campaign), owner)
    by_body = {letter.regulator.slug: letter for letter in letters}
    ico = by_body["gb-ico"]
    revision = revisions.published_revision(campaign)
    assert ico.status == LetterStatus.DRAFT and ico.language == "en"
    assert ico.demand_labels == ["B1", "B2"]
    assert ico.signers_in_jurisdiction == 3 and ico.signers_total == 12
    assert f"revision {revision.number}" in ico.body
    assert revision.content_hash in ico.body
    assert "Explain what personal data is used for advertising." in ico.body
    assert "the 12 people" in ico.body and "3 of them in the United Kingdom" in ico.body
    assert f"/c/{campaign.slug}" in ico.body
    assert "2 demands from 3 signers" in ico.subject


def test_the_letter_is_in_the_bodys_first_language_when_cahier_has_it(campaign, owner):
    from organizer.letters import directory

    raw = {"slug": "de-bfdi", "name": "BfDI", "kind": "regulator", "jurisdiction": "DE",
           "topics": "privacy", "languages": "de"}  # fmt: skip
    directory.save(directory.parse_details(raw))
    add_signatures(campaign, "DE", 1)
    routing = services.preview(campaign)
    letters = {letter.regulator.slug: letter for letter in services.write_letters(routing, owner)}
    assert letters["fr-cnil"].language == "fr"
    assert "Madame, Monsieur" in letters["fr-cnil"].body
    assert "dont 2 en France, où vous avez le pouvoir d’agir" in letters["fr-cnil"].body  # noqa: RUF001
    assert letters["ie-dpc"].language == "en"  # English first, then Irish
    assert letters["de-bfdi"].language == "en"  # no German template: English
    assert composer.available_languages() >= {"en", "fr"}


def test_editing_a_draft_discards_its_documents_and_sent_letters_are_frozen(campaign, owner):
    (letter, *_rest) = services.write_letters(services.preview(campaign), owner)
    letter.documents_status = DocumentsStatus.READY
    services.edit(letter, owner, "A new  subject", "New text.\r\n")
    assert letter.subject == "A new subject" and letter.body == "New text.\n"
    assert letter.documents_status == DocumentsStatus.NONE
    letter.status = LetterStatus.SENT
    with pytest.raises(services.LetterError):
        services.edit(letter, owner, "Again", "Changed after sending.")
    with pytest.raises(services.LetterError):
        services.delete_draft(letter, owner)


def test_only_confirmed_signatures_are_counted(owner, regulators):
    from organizer.signatures.models import SignatureStatus

    campaign = build_campaign(owner)
    add_signatures(campaign, "GB", 2)
    pending = add_signatures(campaign, "GB", 3)
    for signature in pending:
        signature.status = SignatureStatus.PENDING
    suspect = add_signatures(campaign, "FR", 1)
    suspect[0].suspect = True
    routing = services.preview(campaign)
    assert routing.plan.for_body("gb-ico").signers == 2
    assert routing.plan.for_body("fr-cnil") is None


def _second_revision(campaign, owner):
    from organizer.campaigns import services as campaign_services

    demand = campaign.sections[1].demands[0]
    campaign_services.update_demand(
        demand, owner, "Explain what personal data is used for ads.", demand.topics, []
    )
    return revisions.publish(campaign, owner, "Shorter.")


def test_a_letter_gives_its_counts_per_revision_with_their_hashes(campaign, owner):
    from datetime import date

    from organizer.signatures import offline

    first = revisions.published_revision(campaign)  # 3 GB signers signed it
    second = _second_revision(campaign, owner)
    add_signatures(campaign, "GB", 1)
    by_country = {"GB": 2, "FR": 5}
    offline.add_batch(campaign, owner, offline.BatchInput(7, date(2024, 5, 1), "", by_country))
    offline.add_batch(campaign, owner, offline.BatchInput(4, date(2024, 5, 2), "", {}))
    routing = services.preview(campaign)
    assert routing.total == 12 + 1 + 7 + 4
    ico = next(
        letter
        for letter in services.write_letters(routing, owner)
        if letter.regulator.slug == "gb-ico"
    )
    assert ico.signers_in_jurisdiction == 3 + 1 + 2  # paper with a country is routed
    assert ico.counts_by_revision == [
        {"number": 2, "content_hash": second.content_hash, "signers": 1},
        {"number": 1, "content_hash": first.content_hash, "signers": 3},
    ]
    assert f"- revision 2 (sha256 {second.content_hash}): 1\n" in ico.body
    assert f"- revision 1 (sha256 {first.content_hash}): 3\n" in ico.body
    assert "- on paper: 2\n" in ico.body


def test_the_pdf_letter_records_the_counts_per_revision(campaign, owner):
    from organizer.letters import documents
    from organizer.letters.models import DocumentKind
    from tests.letters.test_documents import _text

    first = revisions.published_revision(campaign)
    second = _second_revision(campaign, owner)
    add_signatures(campaign, "GB", 2)
    ico = next(
        letter
        for letter in services.write_letters(services.preview(campaign), owner)
        if letter.regulator.slug == "gb-ico"
    )
    documents.generate(ico)
    text = _text(ico.document(DocumentKind.LETTER_PDF).content)
    assert "Signers by revision" in text
    flat = text.replace(" ", "")
    assert f"Revision2:2sha256{second.content_hash}" in flat
    assert f"Revision1:3sha256{first.content_hash}" in flat


def test_the_letter_page_lists_the_counts_per_revision(app, client):
    from organizer.extensions import db
    from organizer.letters import directory
    from tests.factories import UserFactory
    from tests.letters.conftest import seed_signers

    with app.app_context():
        directory.import_bundled()
        owner = UserFactory()
        campaign = build_campaign(owner, slug="per-revision")
        seed_signers(campaign)
        second = _second_revision(campaign, owner)
        add_signatures(campaign, "GB", 2)
        ico = next(
            letter
            for letter in services.write_letters(services.preview(campaign), owner)
            if letter.regulator.slug == "gb-ico"
        )
        db.session.commit()
        letter_id, email, digest = ico.id, owner.email, second.content_hash
    from tests.campaigns.conftest import login

    login(client, email)
    html = client.get(f"/organize/per-revision/letters/{letter_id}").get_data(as_text=True)
    assert "2 signers of revision 2" in html and digest in html
    assert "3 signers of revision 1" in html
