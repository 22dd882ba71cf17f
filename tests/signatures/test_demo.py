from __future__ import annotations

from sqlalchemy import func, select

from organizer import demo
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting
from organizer.signatures.demo import COUNTRIES


def test_seed_demo_adds_a_few_hundred_signatures_once(ctx):
    account = demo.seed_demo_organizer()
    campaign = demo.seed_demo_campaign(account.user)
    added = demo.seed_demo_signatures()
    assert 200 <= added <= 500
    assert demo.seed_demo_signatures() == 0
    totals = counting.totals(campaign.id, campaign.signature_goal)
    assert totals.online == added == counting.real_count(campaign.id)
    assert {code for code, _n in counting.by_country(campaign.id)} == set(COUNTRIES)
    days = counting.by_day(campaign.id)
    assert (days[-1][0] - days[0][0]).days >= 21  # spread over several weeks
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == 0
