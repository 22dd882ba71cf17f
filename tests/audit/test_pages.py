"""The campaign's audit log page reads as sentences, not action codes."""

from __future__ import annotations

from organizer.audit.services import record
from tests.factories import MembershipFactory, UserFactory
from tests.signatures.conftest import login, make_campaign, setup


def test_the_audit_page_shows_sentences_to_moderators_only(app, client):
    with setup(app):
        owner = UserFactory(display_name="Alice")
        campaign = make_campaign(owner, slug="logbook")
        record(owner, "signatures.bulk_invalidate", "campaign", campaign.id,
               {"done": 12, "reason": "one IP"})  # fmt: skip
        host = MembershipFactory(campaign=campaign, user=UserFactory(), role="host").user
        owner_email, host_email = owner.email, host.email
    login(client, owner_email)
    html = client.get("/organize/logbook/audit").get_data(as_text=True)
    assert "Alice published revision 1 of the text." in html
    assert "Alice invalidated 12 signatures (reason: one IP)." in html
    assert "campaign.published" not in html and "signatures.bulk_invalidate" not in html
    other = login(app.test_client(), host_email)
    assert other.get("/organize/logbook/audit").status_code == 403
