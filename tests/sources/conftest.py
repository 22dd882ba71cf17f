"""Source fixtures: a published campaign with a partner and a code of its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import event

from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus, SourceCode
from tests.factories import GroupFactory, UserFactory
from tests.signatures.conftest import make_campaign

ORIGIN = {"Origin": "http://localhost"}
FORM = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}


def add_partner(campaign: Campaign, code: str, status: PartnerStatus = PartnerStatus.ACTIVE):
    group = GroupFactory(name=f"Friends of {code}")
    partner = Partner(campaign_id=campaign.id, group_id=group.id, source_code=code, status=status)
    db.session.add(partner)
    db.session.flush()
    return partner


def add_code(campaign: Campaign, code: str, label: str = "") -> SourceCode:
    defined = SourceCode(campaign_id=campaign.id, code=code, label=label)
    db.session.add(defined)
    db.session.flush()
    return defined


@dataclass
class Coalition:
    campaign: Campaign
    owner: object


@pytest.fixture
def coalition(ctx) -> Coalition:
    """Campaign "strike": partner-a active, partner-b left, partner-c only invited, and the
    organizers' own "newsletter"."""
    owner = UserFactory(display_name="Olive Owner")
    campaign = make_campaign(owner, slug="strike")
    add_partner(campaign, "partner-a")
    add_partner(campaign, "partner-b", PartnerStatus.LEFT)
    add_partner(campaign, "partner-c", PartnerStatus.INVITED)
    add_code(campaign, "newsletter", "November newsletter")
    db.session.commit()
    return Coalition(campaign, owner)


class Statements:
    """The queries run, savepoints aside (each app context's session opens one)."""

    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, *args, **kwargs):
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            self.count += 1


@pytest.fixture
def statements():
    """Counts the queries the test runs from here on."""
    counter = Statements()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)
