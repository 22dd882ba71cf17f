from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from organizer.campaigns import services
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import confirmation, pledges
from organizer.signatures.models import Commitment, CommitmentStatus, PledgeStatus
from tests.factories import UserFactory

from .conftest import ORIGIN, confirm_now, make_campaign, setup, sign

TEXT = "I will log out of Facebook from 25 May to 1 June"


def _sent(kind):
    return db.session.scalar(
        select(func.count()).select_from(OutboundEmail).where(OutboundEmail.kind == kind)
    )


def test_a_pledge_one_short_triggers_once_when_a_commitment_is_confirmed(campaign, owner):
    pledge = pledges.create_pledge(campaign, owner, TEXT, 3, utcnow().date() + timedelta(days=7))
    for i in range(2):
        confirm_now(sign(campaign, f"c{i}@example.org", pledge=pledge)[1])
    assert pledges.check_pledges() == []
    db.session.refresh(pledge)
    assert pledge.committed == 2 and pledge.status == PledgeStatus.OPEN

    last = sign(campaign, "last@example.org", pledge=pledge)[1]
    assert pledges.check_pledges() == []  # pending commitments do not count
    confirm_now(last)
    assert pledges.check_pledges() == [(pledge.id, PledgeStatus.TRIGGERED)]
    assert pledges.check_pledges() == []
    db.session.refresh(pledge)
    assert pledge.status == PledgeStatus.TRIGGERED and pledge.committed == 3
    assert _sent("pledge_triggered") == 3


def test_an_earlier_signer_commits_through_a_new_confirmation(campaign, owner):
    pledge = pledges.create_pledge(campaign, owner, TEXT, 10, utcnow().date() + timedelta(days=7))
    signature = confirm_now(sign(campaign, "ada@example.org")[1])
    sign(campaign, "ada@example.org", pledge=pledge)
    mails = db.session.scalars(
        select(OutboundEmail)
        .where(OutboundEmail.to_addr == "ada@example.org")
        .order_by(OutboundEmail.id)
    ).all()
    assert mails[-1].kind == "signature_confirm" and TEXT in mails[-1].text_body
    commitment = db.session.scalars(select(Commitment)).one()
    assert commitment.status == CommitmentStatus.PENDING
    confirm_now(signature)
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.CONFIRMED
    confirmation.withdraw(signature)
    db.session.refresh(commitment)
    assert commitment.status == CommitmentStatus.WITHDRAWN


def test_at_the_deadline_without_enough_committers_are_released(campaign, owner):
    deadline = utcnow().date() + timedelta(days=1)
    pledge = pledges.create_pledge(campaign, owner, TEXT, 5, deadline)
    confirm_now(sign(campaign, "c@example.org", pledge=pledge)[1])
    assert pledges.check_pledges(today=deadline) == []
    assert pledges.check_pledges(today=deadline + timedelta(days=1)) == [
        (pledge.id, PledgeStatus.LAPSED)
    ]
    assert _sent("pledge_lapsed") == 1 and _sent("pledge_triggered") == 0


def test_a_deadline_in_the_past_is_refused(campaign, owner):
    with pytest.raises(pledges.PledgeError):
        pledges.create_pledge(campaign, owner, TEXT, 5, date(2000, 1, 1))


def test_supporters_commit_on_the_pledge_page(app, client):
    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="pledge")
        pledge_id = pledges.create_pledge(
            campaign, owner, TEXT, 10_000, utcnow().date() + timedelta(days=30)
        ).id
    page = client.get(f"/c/pledge/pledges/{pledge_id}")
    html = page.get_data(as_text=True)
    assert TEXT in html and "10,000" in html and "<progress" in html
    assert "Set-Cookie" not in page.headers
    assert TEXT in client.get("/c/pledge").get_data(as_text=True)
    response = client.post(
        f"/c/pledge/pledges/{pledge_id}",
        headers=ORIGIN,
        data={"name": "Ada", "email": "ada@example.org", "country": "IE"},
    )
    assert "Check your email" in response.get_data(as_text=True)
    with app.app_context():
        email = db.session.scalars(select(OutboundEmail)).one()
        link = re.search(r"http://\S+(/s/confirm/\S+)", email.text_body).group(1)
    client.post(link, headers=ORIGIN)
    with app.app_context():
        pledges.check_pledges()
        db.session.commit()
        assert pledges.get_pledge(services.get_by_slug("pledge"), pledge_id).committed == 1
