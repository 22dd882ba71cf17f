from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import func, select, update

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import counting, milestones, offline
from organizer.signatures.models import Signature
from organizer.signatures.settings import save_settings
from organizer.signatures.tallies import CountChange, CountryCount, SignatureTotal

from .conftest import confirm_now, sign


def test_confirmations_reach_the_counters_only_through_the_fold(campaign):
    for i, country in enumerate(["GB", "GB", "FR"]):
        confirm_now(sign(campaign, f"s{i}@example.org", country=country)[1])
    assert counting.totals(campaign.id, 100).online == 0  # not folded yet
    assert db.session.scalar(select(func.count()).select_from(CountChange)) >= 3
    assert counting.fold() == {campaign.id: 3}
    assert counting.totals(campaign.id, 100).online == 3
    assert counting.by_country(campaign.id) == [("GB", 2), ("FR", 1)]
    [(day, n)] = counting.by_day(campaign.id)
    assert n == 3 and isinstance(day, date)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(CountChange)
            .where(CountChange.campaign_id == campaign.id)
        )
        == 0
    )
    assert counting.fold() == {}


def test_reconcile_finds_and_corrects_drift(campaign, caplog):
    for i in range(4):
        confirm_now(sign(campaign, f"s{i}@example.org", country="DE")[1])
    counting.fold()
    pending_change = confirm_now(sign(campaign, "late@example.org", country="DE")[1])
    assert pending_change  # journaled, not folded: reconcile must not count it as drift
    assert counting.reconcile([campaign.id]) == {}
    # Someone edits the counters by hand.
    db.session.execute(update(SignatureTotal).values(confirmed=SignatureTotal.confirmed + 7))
    db.session.execute(update(CountryCount).values(confirmed=CountryCount.confirmed + 7))
    with caplog.at_level(logging.WARNING):
        assert counting.reconcile([campaign.id]) == {campaign.id: -7}
    assert "drift" in caplog.text
    counting.fold()
    assert counting.totals(campaign.id, None).online == 5 == counting.real_count(campaign.id)
    assert counting.by_country(campaign.id) == [("DE", 5)]


def test_offline_batches_count_toward_the_goal_and_are_shown_apart(campaign, owner):
    confirm_now(sign(campaign, "ada@example.org")[1])
    counting.fold()
    batch = offline.add_batch(
        campaign, owner, offline.BatchInput(40, date(2024, 5, 1), "Market stall", {})
    )
    totals = counting.totals(campaign.id, 100)
    assert (totals.online, totals.offline, totals.total, totals.percent) == (1, 40, 41, 41)
    offline.delete_batch(campaign, owner, batch.id)
    assert counting.totals(campaign.id, 100).total == 1


def test_milestones_are_announced_once_to_organizers_and_opted_in_signers(campaign, owner):
    save_settings(campaign, campaign_settings_postal(), True)
    milestones.add_milestone(campaign, owner, 3)
    for i in range(26):
        signature = sign(campaign, f"s{i}@example.org", receive_updates=i < 10)[1]
        confirm_now(signature)
    counting.fold()
    reached = milestones.announce_reached(campaign.id)
    assert sorted(m.threshold for m in reached) == [3, 25]
    assert milestones.announce_reached(campaign.id) == []
    to_owner = db.session.scalars(
        select(OutboundEmail).where(
            OutboundEmail.to_addr == owner.email, OutboundEmail.kind == "milestone_organizers"
        )
    ).all()
    assert len(to_owner) == 2
    to_signers = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "milestone_signers")
    ).all()
    assert len(to_signers) == 20  # 10 opted-in signers, 2 milestones
    headers = to_signers[0].headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert (
        headers["List-Unsubscribe"].startswith("<http")
        and "/s/unsubscribe/" in headers["List-Unsubscribe"]
    )
    assert "/s/manage/" in to_signers[0].text_body
    marks = milestones.marks(campaign, 26)
    assert [(m.threshold, m.reached) for m in marks][:3] == [(3, True), (25, True), (50, False)]


def campaign_settings_postal():
    from organizer.signatures.models import PostalCodeMode

    return PostalCodeMode.OPTIONAL


def test_suspects_do_not_count_until_cleared(campaign, owner):
    from organizer.signatures import moderation

    _outcome, signature = sign(campaign, "bot@example.org", honeypot="x")
    assert moderation.decide_suspect(campaign, owner, signature.id, clear=True)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OutboundEmail)
            .where(OutboundEmail.to_addr == "bot@example.org")
        )
        == 1
    )  # cleared: its confirmation link goes out now
    confirm_now(signature)
    counting.fold()
    assert counting.totals(campaign.id, None).online == 1
    assert db.session.get(Signature, signature.id).suspect is False


def test_the_chart_fills_gaps_and_scales_to_the_busiest_day():
    from organizer.signatures.chart import per_day_chart

    assert per_day_chart([]) is None
    chart = per_day_chart([(date(2024, 5, 1), 10), (date(2024, 5, 20), 5)])
    assert chart.first == date(2024, 5, 1) and chart.last == date(2024, 5, 20)
    assert len(chart.bars) == 20 and chart.total == 15 and chart.peak == 10
    tallest = max(chart.bars, key=lambda bar: bar.height)
    assert tallest.day == date(2024, 5, 1) and tallest.height == chart.height - chart.axis
    assert chart.bars[1].count == 0 and chart.bars[1].height == 0
    young = per_day_chart([(date(2024, 5, 1), 3)])
    assert len(young.bars) == 14  # one bar among two weeks, not the whole width
