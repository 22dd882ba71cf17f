"""The coalition's rules: a campaign's owners invite a group, the group's owners accept or
decline, and either side may end it. Every step is audited on the campaign.

Services add and flush; the view commits. Leaving keeps the consents already given
(organizer.partners.consents): it only takes the partner's line off the form.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.audit.services import record
from organizer.campaigns.models import Campaign
from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.partners import logos, notify
from organizer.partners.models import Partner, PartnerStatus
from organizer.sources.codes import CODE_PATTERN
from organizer.sources.services import code_in_use

# The wording of the line "Keep me informed by <partner>"; bump it when the text changes.
CONSENT_TEXT_VERSION = "keep-informed-2026-1"
CODE_PREFIX = "partner-"
# Where an invitation can still go: a declined or ended partnership may be renewed.
RENEWABLE = (PartnerStatus.DECLINED, PartnerStatus.LEFT)


class PartnerError(ValueError):
    """A request the rules refuse; the message is for the person (already translated)."""


def partners_of(campaign: Campaign) -> list[Partner]:
    return list(
        db.session.scalars(
            select(Partner)
            .join(Group, Group.id == Partner.group_id)
            .where(Partner.campaign_id == campaign.id)
            .order_by(Group.name, Partner.id)
        )
    )


def partnerships_of(group: Group, statuses: tuple[PartnerStatus, ...]) -> list[Partner]:
    """The group's partnerships in other groups' campaigns, newest first."""
    return list(
        db.session.scalars(
            select(Partner)
            .where(Partner.group_id == group.id, Partner.status.in_(statuses))
            .order_by(Partner.invited_at.desc(), Partner.id.desc())
        )
    )


def partner_of_group(group: Group, partner_id: int) -> Partner | None:
    partner = db.session.get(Partner, partner_id)
    return partner if partner is not None and partner.group_id == group.id else None


def partner_of_campaign(campaign: Campaign, partner_id: int) -> Partner | None:
    partner = db.session.get(Partner, partner_id)
    return partner if partner is not None and partner.campaign_id == campaign.id else None


def invite(campaign: Campaign, slug: str, actor: User) -> Partner:
    group = db.session.scalar(select(Group).where(Group.slug == slug.strip().lower()))
    if group is None:
        raise PartnerError(_("No group has the address “%(slug)s”.", slug=slug.strip()))
    if group.id == campaign.group_id:
        raise PartnerError(_("This is the campaign's own group."))
    partner = db.session.scalar(
        select(Partner).where(Partner.campaign_id == campaign.id, Partner.group_id == group.id)
    )
    if partner is not None and partner.status not in RENEWABLE:
        if partner.status == PartnerStatus.ACTIVE:
            raise PartnerError(_("%(name)s is already a partner.", name=group.name))
        raise PartnerError(_("%(name)s is already invited.", name=group.name))
    if partner is None:
        partner = Partner(campaign_id=campaign.id, group_id=group.id,
                          source_code=_free_code(campaign.id, group.slug))  # fmt: skip
        db.session.add(partner)
    partner.status = PartnerStatus.INVITED
    partner.consent_text_version = CONSENT_TEXT_VERSION
    partner.invited_by_id = actor.id
    partner.invited_at = utcnow()
    partner.accepted_at = partner.left_at = None
    db.session.flush()
    _audit(actor, "partner.invited", partner)
    notify.invited(partner, actor)
    return partner


def _free_code(campaign_id: int, group_slug: str) -> str:
    base = (CODE_PREFIX + group_slug)[:28].rstrip("-")
    if CODE_PATTERN.match(base) is None:
        base = "partner"
    code, n = base, 2
    while code_in_use(campaign_id, code):
        code, n = f"{base}-{n}", n + 1
    return code


def accept(partner: Partner, actor: User) -> None:
    _require(partner, PartnerStatus.INVITED)
    partner.status = PartnerStatus.ACTIVE
    partner.accepted_at = utcnow()
    db.session.flush()
    _audit(actor, "partner.accepted", partner)


def decline(partner: Partner, actor: User) -> None:
    _require(partner, PartnerStatus.INVITED)
    partner.status = PartnerStatus.DECLINED
    db.session.flush()
    _audit(actor, "partner.declined", partner)


def leave(partner: Partner, actor: User, by_campaign: bool) -> None:
    """End the partnership (or withdraw the invitation) from either side."""
    _require(partner, PartnerStatus.ACTIVE, PartnerStatus.INVITED)
    was_invited = partner.status == PartnerStatus.INVITED
    partner.status = PartnerStatus.LEFT
    partner.left_at = utcnow()
    db.session.flush()
    if was_invited:
        action = "partner.invitation_withdrawn" if by_campaign else "partner.declined"
    else:
        action = "partner.ended" if by_campaign else "partner.left"
    _audit(actor, action, partner)


def set_origin(partner: Partner, actor: User, origin: str) -> None:
    partner.origin = clean_origin(origin)
    db.session.flush()
    _audit(actor, "partner.settings_saved", partner)


def set_logo(partner: Partner, actor: User, data: bytes) -> None:
    try:
        partner.logo, partner.logo_mime = logos.clean_logo(data)
    except logos.LogoError as exc:
        raise PartnerError(str(exc)) from exc
    db.session.flush()
    _audit(actor, "partner.settings_saved", partner)


def remove_logo(partner: Partner, actor: User) -> None:
    partner.logo = partner.logo_mime = None
    db.session.flush()
    _audit(actor, "partner.settings_saved", partner)


def clean_origin(value: str) -> str | None:
    """``https://example.org`` from what a person typed; None for nothing. The origin is a
    scheme, a host and a port: a path or a query would never match a framing page."""
    value = value.strip().rstrip("/")
    if not value:
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if (parts.scheme not in ("https", "http") or not parts.hostname or port == -1
            or parts.path or parts.query or parts.fragment or parts.username):  # fmt: skip
        raise PartnerError(_("Give the address of your site, such as https://example.org."))
    host = parts.hostname.lower() + (f":{port}" if port else "")
    return f"{parts.scheme}://{host}"


def _require(partner: Partner, *statuses: PartnerStatus) -> None:
    if partner.status not in statuses:
        raise PartnerError(_("This partnership has changed in the meantime: nothing was done."))


def _audit(actor: User, action: str, partner: Partner) -> None:
    group = db.session.get(Group, partner.group_id)
    record(actor, action, "campaign", partner.campaign_id, {
        "partner": partner.id, "group": partner.group_id, "name": group.name if group else "?",
    })  # fmt: skip
