"""Amendments to a published text: proposed, endorsed, then accepted into the next draft
or declined with a note. Owners and organizers hear of each proposal by email; the proposer
and every endorser hear the outcome."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns import revisions, services
from organizer.campaigns.models import (
    Amendment,
    AmendmentKind,
    AmendmentStatus,
    Campaign,
    CampaignStatus,
    Endorsement,
    Membership,
    Role,
)
from organizer.campaigns.services import CampaignError
from organizer.campaigns.vocabulary import normalize_text, normalize_topics, section_letter
from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail.services import queue_email
from organizer.urls import external_url


def propose(
    campaign: Campaign,
    user: User,
    kind: AmendmentKind,
    target: str,
    text: str,
    reason: str,
    topics: list[str] | None = None,
) -> Amendment:
    """``target`` is a demand label ("A3") to reword or remove, or a section letter to add to."""
    published = revisions.published_revision(campaign)
    if published is None or campaign.status != CampaignStatus.PUBLISHED:
        raise CampaignError(_("Amendments can be proposed only on a published campaign."))
    if not user.is_verified:
        raise CampaignError(_("Verify your email address before you propose an amendment."))
    reason, text = normalize_text(reason), normalize_text(text)
    if not reason:
        raise CampaignError(_("Say why you propose this change."))
    amendment = Amendment(
        campaign_id=campaign.id,
        kind=kind,
        base_revision=published.number,
        target_label=target,
        reason=reason,
        proposer_id=user.id,
        topics=normalize_topics(topics or []),
    )
    if kind == AmendmentKind.ADD:
        sections = published.snapshot["sections"]
        letters = {section_letter(i): s for i, s in enumerate(sections)}
        if target not in letters:
            raise CampaignError(_("Choose the section the new demand belongs to."))
        amendment.section_uid = letters[target]["uid"]
    else:
        demand = next(
            (d for d in revisions.iter_demands(published.snapshot) if d.label == target), None
        )
        if demand is None:
            raise CampaignError(_("Choose the demand this amendment changes."))
        amendment.demand_uid = demand.uid
        if kind == AmendmentKind.REWORD and text == demand.text:
            raise CampaignError(_("The new wording is the same as the current one."))
    if kind != AmendmentKind.REMOVE and not text:
        raise CampaignError(_("Write the text you propose."))
    amendment.proposed_text = text if kind != AmendmentKind.REMOVE else ""
    db.session.add(amendment)
    db.session.flush()
    _tell_organizers(amendment)
    return amendment


def _tell_organizers(amendment: Amendment) -> None:
    campaign = amendment.campaign
    deciders = db.session.scalars(
        select(Membership).where(
            Membership.campaign_id == campaign.id,
            Membership.role.in_((Role.OWNER, Role.ORGANIZER)),
            Membership.user_id != amendment.proposer_id,
        )
    )
    url = external_url("amendments.detail", slug=campaign.slug, amendment_id=amendment.id)
    for membership in deciders:
        person = membership.user
        queue_email(
            to=person.email,
            template="amendment_proposed",
            locale=person.locale,
            context={
                "user": person,
                "campaign": campaign,
                "amendment": amendment,
                "proposer": amendment.proposer,
                "amendment_url": url,
            },
            idempotency_key=f"amendment-{amendment.id}-proposed-{person.id}",
            related=("campaign", campaign.id),
        )


def open_amendments(campaign: Campaign) -> list[Amendment]:
    # The public page names each proposer and counts the endorsements: loaded with the
    # list, so that the page's queries do not grow with the amendments (one per amendment).
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.campaign_id == campaign.id, Amendment.status == AmendmentStatus.OPEN)
            .options(joinedload(Amendment.proposer), selectinload(Amendment.endorsements))
            .order_by(Amendment.created_at)
        )
    )


PAGE_SIZE = 20


def amendments_page(
    campaign: Campaign, status: AmendmentStatus, page: int
) -> tuple[list[Amendment], bool]:
    """One page of the campaign's amendments in a status, and whether there is a next page.
    Open ones oldest first (the longest waiting come first); decided ones newest first."""
    order = Amendment.created_at if status == AmendmentStatus.OPEN else Amendment.decided_at.desc()
    found = list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.campaign_id == campaign.id, Amendment.status == status)
            .order_by(order, Amendment.id)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
    )
    return found[:PAGE_SIZE], len(found) > PAGE_SIZE


def status_counts(campaign: Campaign) -> dict[AmendmentStatus, int]:
    rows = db.session.execute(
        select(Amendment.status, func.count(Amendment.id))
        .where(Amendment.campaign_id == campaign.id)
        .group_by(Amendment.status)
    )
    return {status: 0 for status in AmendmentStatus} | {status: n for status, n in rows}


def decided_amendments(campaign: Campaign) -> list[Amendment]:
    return list(
        db.session.scalars(
            select(Amendment)
            .where(Amendment.campaign_id == campaign.id, Amendment.status != AmendmentStatus.OPEN)
            .order_by(Amendment.decided_at.desc())
        )
    )


def get(campaign: Campaign, amendment_id: int) -> Amendment | None:
    amendment = db.session.get(Amendment, amendment_id)
    return amendment if amendment is not None and amendment.campaign_id == campaign.id else None


def endorse(amendment: Amendment, user: User) -> Endorsement:
    if amendment.status != AmendmentStatus.OPEN:
        raise CampaignError(_("This amendment is already decided."))
    if not user.is_verified:
        raise CampaignError(_("Verify your email address before you endorse an amendment."))
    if amendment.proposer_id == user.id:
        raise CampaignError(_("You proposed this amendment; others can endorse it."))
    if any(e.user_id == user.id for e in amendment.endorsements):
        raise CampaignError(_("You already endorse this amendment."))
    endorsement = Endorsement(user_id=user.id)
    amendment.endorsements.append(endorsement)
    db.session.flush()
    return endorsement


def withdraw_endorsement(amendment: Amendment, user: User) -> None:
    """Only while the amendment is open: after the decision the endorsement is part of it."""
    _check_open(amendment)
    endorsement = next((e for e in amendment.endorsements if e.user_id == user.id), None)
    if endorsement is None:
        raise CampaignError(_("You do not endorse this amendment."))
    amendment.endorsements.remove(endorsement)
    db.session.flush()


def accept(amendment: Amendment, organizer: User, note: str = "") -> None:
    """Apply the change to the working copy: it lands in the next draft revision."""
    _check_open(amendment)
    campaign = amendment.campaign
    if amendment.kind == AmendmentKind.ADD:
        section = services.find_section_by_uid(campaign, amendment.section_uid or "")
        if section is None:
            raise CampaignError(_("The section this amendment adds to is no longer in the draft."))
        services.add_demand(section, organizer, amendment.proposed_text, amendment.topics, [])
    else:
        demand = services.find_demand_by_uid(campaign, amendment.demand_uid or "")
        if demand is None:
            raise CampaignError(_("The demand this amendment changes is no longer in the draft."))
        if amendment.kind == AmendmentKind.REWORD:
            services.update_demand(
                demand, organizer, amendment.proposed_text, demand.topics, demand.jurisdictions
            )
        else:
            services.delete_demand(demand, organizer)
    draft = revisions.draft_revision(campaign)
    amendment.landed_in_revision = draft.number if draft else None
    _decide(amendment, organizer, AmendmentStatus.ACCEPTED, note)


def decline(amendment: Amendment, organizer: User, note: str) -> None:
    _check_open(amendment)
    if not normalize_text(note):
        raise CampaignError(_("Tell the proposer why the amendment is declined."))
    _decide(amendment, organizer, AmendmentStatus.DECLINED, note)


def _check_open(amendment: Amendment) -> None:
    if amendment.status != AmendmentStatus.OPEN:
        raise CampaignError(_("This amendment is already decided."))


def _decide(amendment: Amendment, organizer: User, status: AmendmentStatus, note: str) -> None:
    amendment.status = status
    amendment.decision_note = normalize_text(note)
    amendment.decided_by_id = organizer.id
    amendment.decided_at = utcnow()
    db.session.flush()
    record(organizer, f"amendment.{status.value}", "campaign", amendment.campaign_id,
           {"amendment": amendment.id, "target": amendment.target_label,
            "note": amendment.decision_note})  # fmt: skip
    _notify(amendment)


def _notify(amendment: Amendment) -> None:
    campaign = amendment.campaign
    people = [amendment.proposer, *(e.user for e in amendment.endorsements)]
    url = external_url("campaigns.page", slug=campaign.slug)
    for person in people:
        queue_email(
            to=person.email,
            template="amendment_outcome",
            locale=person.locale,
            context={
                "user": person,
                "campaign": campaign,
                "amendment": amendment,
                "is_proposer": person.id == amendment.proposer_id,
                "campaign_url": url,
            },
            idempotency_key=f"amendment-{amendment.id}-outcome-{person.id}",
            related=("campaign", campaign.id),
        )
