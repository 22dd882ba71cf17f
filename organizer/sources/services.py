"""Which source codes a campaign accepts, and the codes its organizers define.

A code is registered when it is built in (the share channels', the street's), when it is a
partner's that accepted (or has left: its links stay out there), or when the organizers
defined it. Public pages ask on every request that carries ``?source=``, so the answer is
one small query, kept for the rest of the request; built-in codes need none at all.
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, select

from organizer.campaigns.models import Campaign
from organizer.events.models import Event
from organizer.extensions import db
from organizer.partners.models import Partner, PartnerStatus, SourceCode
from organizer.sources.codes import BUILT_IN_CODES, CODE_PATTERN, is_well_formed

# Partners whose code still counts: those in the coalition, and those that left it.
COUNTING_PARTNERS = (PartnerStatus.ACTIVE, PartnerStatus.LEFT)
_CACHE = "cahier.source_codes"

# A campaign as a row, its id, or where to find its id: ("slug", s) or ("event", id).
CampaignRef = Campaign | int | tuple[str, Any]


class SourceCodeError(ValueError):
    """A code organizers cannot define, with the reason in the reader's language."""


def registered_codes(campaign: CampaignRef) -> frozenset[str]:
    """Every code the campaign accepts on its public URLs."""
    key = _key(campaign)
    cache = _request_cache()
    if cache is not None and key in cache:
        return cache[key]
    codes = BUILT_IN_CODES | _own_codes(_campaign_id(campaign))
    if cache is not None:
        cache[key] = codes
    return codes


def clean_source(campaign: CampaignRef, code: str | None) -> str | None:
    """The code if the campaign accepts it, else None."""
    if not is_well_formed(code):
        return None
    assert code is not None
    if code in BUILT_IN_CODES or code in registered_codes(campaign):
        return code
    return None


def defined_codes(campaign: Campaign) -> list[SourceCode]:
    return list(
        db.session.scalars(
            select(SourceCode)
            .where(SourceCode.campaign_id == campaign.id)
            .order_by(SourceCode.code)
        )
    )


def code_in_use(campaign_id: int, code: str) -> bool:
    """Taken by a built-in code, any partner row of the campaign (even one that declined:
    its invitation named it) or a code already defined. Partners check this too."""
    if code in BUILT_IN_CODES:
        return True
    partner = select(Partner.id).where(
        Partner.campaign_id == campaign_id, Partner.source_code == code
    )
    defined = select(SourceCode.id).where(
        SourceCode.campaign_id == campaign_id, SourceCode.code == code
    )
    return db.session.scalar(partner.union_all(defined).limit(1)) is not None


def define_code(campaign: Campaign, code: str, label: str = "") -> SourceCode:
    code = code.strip()
    if CODE_PATTERN.match(code) is None:
        raise SourceCodeError(
            _(
                "Use 1 to 32 lowercase letters, digits and hyphens, starting with a letter "
                "or a digit."
            )
        )
    if code_in_use(campaign.id, code):
        raise SourceCodeError(_("The code “%(code)s” is already in use.", code=code))
    source = SourceCode(campaign_id=campaign.id, code=code, label=label.strip())
    db.session.add(source)
    db.session.flush()
    _forget()
    return source


def delete_code(campaign: Campaign, code_id: int) -> SourceCode | None:
    """Remove a defined code; the signatures that carry it keep it."""
    source = db.session.get(SourceCode, code_id)
    if source is None or source.campaign_id != campaign.id:
        return None
    db.session.execute(delete(SourceCode).where(SourceCode.id == source.id))
    _forget()
    return source


def _own_codes(campaign_id: ColumnElement[Any] | int) -> frozenset[str]:
    partners = select(Partner.source_code).where(
        Partner.campaign_id == campaign_id, Partner.status.in_(COUNTING_PARTNERS)
    )
    defined = select(SourceCode.code).where(SourceCode.campaign_id == campaign_id)
    return frozenset(db.session.scalars(partners.union_all(defined)))


def _campaign_id(campaign: CampaignRef) -> ColumnElement[Any] | int:
    """The id, or a scalar subquery for it: still one query, even from a slug."""
    if isinstance(campaign, Campaign):
        return campaign.id
    if isinstance(campaign, int):
        return campaign
    kind, value = campaign
    if kind == "slug":
        return select(Campaign.id).where(Campaign.slug == value).scalar_subquery()
    return select(Event.campaign_id).where(Event.id == value).scalar_subquery()


def _key(campaign: CampaignRef) -> tuple[str, Any]:
    if isinstance(campaign, Campaign):
        return ("id", campaign.id)
    if isinstance(campaign, int):
        return ("id", campaign)
    return campaign


def _request_cache() -> dict[tuple[str, Any], frozenset[str]] | None:
    # On the request, not on g: a test's app context outlives many requests.
    if not has_request_context():
        return None
    cache: dict[tuple[str, Any], frozenset[str]] = request.environ.setdefault(_CACHE, {})
    return cache


def _forget() -> None:
    if has_request_context():
        request.environ.pop(_CACHE, None)
