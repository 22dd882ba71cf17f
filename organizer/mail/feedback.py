"""What the mail system tells us back (a refusal at send time, a DSN, a complaint, a mailto
unsubscribe) and what it does to supporters and the suppression list.

Other domains add what a report means to their own rows through the registry below
(``organizer.mailings.bounces`` registers at app creation): mail imports nothing of theirs.

- hard bounce: the mailbox does not exist. Suppressed for every group, and every supporter
  row of the address becomes bouncing.
- soft bounce: counted on the supporter; the third makes it bouncing, suppressed for its group.
- complaint: the supporter becomes complained (no more updates), suppressed for its group.
  When no group can be told, for every group: a person who called our mail spam should not
  hear from another group of ours either.
- unsubscribe: the supporter becomes unsubscribed for the whole group.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail, SuppressionReason
from organizer.mail.suppression import suppress
from organizer.signatures.canonical import canonical_email
from organizer.supporters.models import Supporter, SupporterStatus
from organizer.supporters.status import change_status

SOFT_BOUNCE_LIMIT = 3


class Outcome(enum.StrEnum):
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"
    COMPLAINT = "complaint"
    UNSUBSCRIBE = "unsubscribe"


@dataclass(frozen=True)
class Sent:
    """The outbox row a report is about."""

    id: int
    kind: str
    to_addr: str
    related_type: str | None
    related_id: int | None


@dataclass(frozen=True)
class Target:
    """Whose list a message belonged to: the group and, when known, the supporter."""

    group_id: int
    supporter_id: int | None


# related_type → (related_id → Target | None)
Resolver = Callable[[int], Target | None]
# Called after the supporter and suppression changes, in the same transaction.
Listener = Callable[[Outcome, Sent | None, Target | None], None]
_resolvers: dict[str, Resolver] = {}
_listeners: dict[str, Listener] = {}


def register_resolver(related_type: str, resolver: Resolver) -> None:
    _resolvers[related_type] = resolver


def register_listener(name: str, listener: Listener) -> None:
    """By name, so that registering again (a second app in one process) replaces."""
    _listeners[name] = listener


def sent_row(email_id: int) -> Sent | None:
    row = db.session.execute(
        select(
            OutboundEmail.id, OutboundEmail.kind, OutboundEmail.to_addr,
            OutboundEmail.related_type, OutboundEmail.related_id,
        ).where(OutboundEmail.id == email_id)
    ).first()  # fmt: skip
    return Sent(*row) if row is not None else None


def sent_by_message_id(message_id: str) -> Sent | None:
    found = db.session.scalar(
        select(OutboundEmail.id).where(OutboundEmail.message_id == message_id.strip())
    )
    return sent_row(found) if found is not None else None


def target_of(sent: Sent) -> Target | None:
    if sent.related_type is None or sent.related_id is None:
        return None
    resolver = _resolvers.get(sent.related_type)
    return resolver(sent.related_id) if resolver is not None else None


def apply(outcome: Outcome, sent: Sent | None, *, address: str | None = None,
          supporter_id: int | None = None, detail: str = "") -> list[str]:  # fmt: skip
    """Apply a report about ``sent`` (or about a supporter, for an unsubscribe); returns
    what was done, for the hook's answer."""
    target = target_of(sent) if sent is not None else None
    address = address or (sent.to_addr if sent is not None else None)
    if supporter_id is not None and target is None:
        supporter = db.session.get(Supporter, supporter_id)
        if supporter is not None:
            target = Target(supporter.group_id, supporter.id)
            address = address or supporter.email
    done = _ACTIONS[outcome](address, target, detail)
    for listener in _listeners.values():
        listener(outcome, sent, target)
    return done


def _supporters(address: str | None, target: Target | None, *, everywhere: bool) -> list[Supporter]:
    if target is not None and target.supporter_id is not None and not everywhere:
        found = db.session.get(Supporter, target.supporter_id)
        return [found] if found is not None else []
    if not address:
        return []
    query = select(Supporter).where(Supporter.canonical_email == canonical_email(address))
    if target is not None and not everywhere:
        query = query.where(Supporter.group_id == target.group_id)
    return list(db.session.scalars(query.order_by(Supporter.id)))


def _hard_bounce(address: str | None, target: Target | None, detail: str) -> list[str]:
    done = []
    if address:
        suppress(address, SuppressionReason.HARD_BOUNCE, detail=detail)
        done.append("suppressed")
    for supporter in _supporters(address, target, everywhere=True):
        if change_status(supporter, SupporterStatus.BOUNCING, source_type="bounce"):
            done.append("bouncing")
    return sorted(set(done))


def _soft_bounce(address: str | None, target: Target | None, detail: str) -> list[str]:
    done = []
    for supporter in _supporters(address, target, everywhere=False):
        supporter.soft_bounces += 1
        done.append("counted")
        if supporter.soft_bounces >= SOFT_BOUNCE_LIMIT:
            if change_status(supporter, SupporterStatus.BOUNCING, source_type="bounce"):
                done.append("bouncing")
            if supporter.email:
                suppress(supporter.email, SuppressionReason.SOFT_BOUNCES,
                         group_id=supporter.group_id, detail=detail)  # fmt: skip
                done.append("suppressed")
    db.session.flush()
    return sorted(set(done))


def _complaint(address: str | None, target: Target | None, detail: str) -> list[str]:
    done = []
    if address:
        group_id = target.group_id if target is not None else None
        suppress(address, SuppressionReason.COMPLAINT, group_id=group_id, detail=detail)
        done.append("suppressed")
    for supporter in _supporters(address, target, everywhere=target is None):
        if change_status(supporter, SupporterStatus.COMPLAINED, source_type="complaint"):
            done.append("complained")
    return sorted(set(done))


def _unsubscribe(address: str | None, target: Target | None, detail: str) -> list[str]:
    done = []
    for supporter in _supporters(address, target, everywhere=False):
        if supporter.status == SupporterStatus.SUBSCRIBED and change_status(
            supporter, SupporterStatus.UNSUBSCRIBED, source_type="unsubscribe"
        ):
            done.append("unsubscribed")
    return done


_ACTIONS: dict[Outcome, Callable[[str | None, Target | None, str], list[str]]] = {
    Outcome.HARD_BOUNCE: _hard_bounce,
    Outcome.SOFT_BOUNCE: _soft_bounce,
    Outcome.COMPLAINT: _complaint,
    Outcome.UNSUBSCRIBE: _unsubscribe,
}


def _signature_target(signature_id: int) -> Target | None:
    # Signer mail (milestones, revision notices): the signature names its supporter.
    from organizer.campaigns.models import Campaign
    from organizer.signatures.models import Signature

    row = db.session.execute(
        select(Campaign.group_id, Signature.supporter_id)
        .join(Campaign, Campaign.id == Signature.campaign_id)
        .where(Signature.id == signature_id)
    ).first()
    return Target(row.group_id, row.supporter_id) if row is not None and row.group_id else None


def _letter_response_target(response_id: int) -> Target | None:
    # Response notices name the response; the group is its campaign's, the supporter is
    # found by address.
    from organizer.campaigns.models import Campaign
    from organizer.letters.models import Letter, Response

    group_id = db.session.scalar(
        select(Campaign.group_id)
        .join(Letter, Letter.campaign_id == Campaign.id)
        .join(Response, Response.letter_id == Letter.id)
        .where(Response.id == response_id)
    )
    return Target(group_id, None) if group_id is not None else None


def unsubscribe(supporter_id: int) -> list[str]:
    """The supporter leaves the group's list (a one-click link, a mailto)."""
    return apply(Outcome.UNSUBSCRIBE, None, supporter_id=supporter_id)


register_resolver("signature", _signature_target)
register_resolver("letter_response", _letter_response_target)
