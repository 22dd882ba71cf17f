"""Who a mailing (or the supporter list) reaches: the mailable base, then filters.

Includes must all hold; a supporter matching any exclude is left out. Every condition is a
semi-join on an indexed column, so a count over a million supporters stays an index walk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, select, true

from organizer.events.models import RSVP, RSVPStatus
from organizer.extensions import db
from organizer.mailings.models import MailingRecipient, RecipientStatus
from organizer.signatures.models import (
    Commitment,
    CommitmentStatus,
    Signature,
    SignatureStatus,
)
from organizer.supporters.models import Supporter, SupporterStatus, Tagging

ID_KINDS = frozenset(
    {"campaign", "revision", "pledge", "event_going", "event_attended", "tag", "mailing_received"}
)
DATE_KINDS = frozenset({"joined_before", "joined_after"})
KINDS = ID_KINDS | DATE_KINDS | {"country", "language"}


class InvalidCondition(ValueError):
    """A filter that cannot be read (unknown kind, or a value of the wrong shape)."""


@dataclass(frozen=True)
class Condition:
    kind: str
    value: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidCondition(f"unknown filter {self.kind!r}")
        if self.kind in ID_KINDS and not (self.value.isascii() and self.value.isdigit()):
            raise InvalidCondition(f"{self.kind} needs an id, not {self.value!r}")
        if self.kind in DATE_KINDS:
            try:
                date.fromisoformat(self.value)
            except ValueError:
                raise InvalidCondition(f"{self.kind} needs a date, not {self.value!r}") from None
        if self.kind in ("country", "language") and not (0 < len(self.value) <= 8):
            raise InvalidCondition(f"{self.kind} needs a code, not {self.value!r}")

    @property
    def id(self) -> int:
        return int(self.value)

    def to_param(self) -> str:
        """How the condition travels in a query string: ``kind:value``."""
        return f"{self.kind}:{self.value}"

    @classmethod
    def from_param(cls, text: str) -> Condition:
        kind, sep, value = text.partition(":")
        if not sep:
            raise InvalidCondition(f"filter {text!r} has no value")
        return cls(kind.strip(), value.strip())


@dataclass(frozen=True)
class Audience:
    includes: tuple[Condition, ...] = field(default=())
    excludes: tuple[Condition, ...] = field(default=())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> Audience:
        """Read what Mailing.audience stores; raises InvalidCondition on a bad entry."""
        data = data or {}
        return cls(
            includes=_conditions(data.get("includes") or ()),
            excludes=_conditions(data.get("excludes") or ()),
        )

    def to_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            "includes": [{"kind": c.kind, "value": c.value} for c in self.includes],
            "excludes": [{"kind": c.kind, "value": c.value} for c in self.excludes],
        }

    @property
    def is_empty(self) -> bool:
        return not self.includes and not self.excludes


def _conditions(entries: Iterable[Any]) -> tuple[Condition, ...]:
    conditions = []
    for entry in entries:
        if not isinstance(entry, Mapping):
            raise InvalidCondition(f"filter {entry!r} is not an object")
        conditions.append(Condition(str(entry.get("kind", "")), str(entry.get("value", ""))))
    return tuple(conditions)


def mailable() -> ColumnElement[bool]:
    """Subscribed, not erased, and not on the group's (or the global) suppression list.

    The last is the supporter's ``suppressed`` flag, which organizer.mail.suppression keeps
    true to the list: the audience indexes (models.MAILABLE) hold only the rows this
    matches, so a count reads them without probing the list per supporter.
    """
    return and_(
        Supporter.status == SupporterStatus.SUBSCRIBED,
        Supporter.erased_at.is_(None),
        not_(Supporter.suppressed),
    )


def _start_of(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(), tzinfo=UTC)


# The filters that are actions: each gives the supporter ids it holds, uncorrelated.


def _signed_campaign(c: Condition) -> Select[Any]:
    return select(Signature.supporter_id).where(
        Signature.campaign_id == c.id, Signature.status == SignatureStatus.CONFIRMED
    )


def _signed_revision(c: Condition) -> Select[Any]:
    return select(Signature.supporter_id).where(
        Signature.revision_id == c.id, Signature.status == SignatureStatus.CONFIRMED
    )


def _committed(c: Condition) -> Select[Any]:
    return select(Commitment.supporter_id).where(
        Commitment.pledge_id == c.id, Commitment.status == CommitmentStatus.CONFIRMED
    )


def _going(c: Condition) -> Select[Any]:
    return select(RSVP.supporter_id).where(RSVP.event_id == c.id, RSVP.status == RSVPStatus.GOING)


def _attended(c: Condition) -> Select[Any]:
    return select(RSVP.supporter_id).where(RSVP.event_id == c.id, RSVP.attended.is_(True))


def _tagged(c: Condition) -> Select[Any]:
    return select(Tagging.supporter_id).where(Tagging.tag_id == c.id)


def _received(c: Condition) -> Select[Any]:
    return select(MailingRecipient.supporter_id).where(
        MailingRecipient.mailing_id == c.id, MailingRecipient.status == RecipientStatus.SENT
    )


_ACTIONS: dict[str, Callable[[Condition], Select[Any]]] = {
    "campaign": _signed_campaign,
    "revision": _signed_revision,
    "pledge": _committed,
    "event_going": _going,
    "event_attended": _attended,
    "tag": _tagged,
    "mailing_received": _received,
}

_COLUMNS: dict[str, Callable[[Condition], ColumnElement[bool]]] = {
    "country": lambda c: Supporter.country == c.value.upper(),
    "language": lambda c: Supporter.language == c.value,
    "joined_before": lambda c: Supporter.created_at < _start_of(c.value),
    # "After" a day means from the next day on, so before and after never overlap.
    "joined_after": lambda c: Supporter.created_at >= _start_of(c.value) + timedelta(days=1),
}


def _included(ids: Select[Any]) -> ColumnElement[bool]:
    # EXISTS, not IN: NOT IN over a nullable column would match nothing once one action
    # has no supporter. PostgreSQL plans it as a merge semi-join over the action's
    # (…, supporter_id) index.
    supporter_id = ids.selected_columns[0]
    return ids.where(supporter_id == Supporter.id).exists()


def _excluded(ids: Select[Any]) -> ColumnElement[bool]:
    # As an anti-join, PostgreSQL does not take the order of a (mailing_id, status,
    # supporter_id) index for the supporter order: it walked the (supporter_id, …) index of
    # every mailing's recipients (every tag's taggings) instead. Planned on their own (the
    # OFFSET keeps them so), the ids come in order from the index of this mailing alone.
    supporter_id = ids.selected_columns[0]
    fenced = ids.order_by(supporter_id).offset(0).subquery()
    return ~select(fenced.c[0]).where(fenced.c[0] == Supporter.id).exists()


def condition_clause(condition: Condition, *, exclude: bool = False) -> ColumnElement[bool]:
    if condition.kind in _COLUMNS:
        clause = _COLUMNS[condition.kind](condition)
        return not_(clause) if exclude else clause
    ids = _ACTIONS[condition.kind](condition)
    return _excluded(ids) if exclude else _included(ids)


def where_clause(
    group_id: int, audience: Audience, *, mailable_only: bool = True
) -> ColumnElement[bool]:
    clauses: list[ColumnElement[bool]] = [Supporter.group_id == group_id]
    if mailable_only:
        clauses.append(mailable())
    clauses.extend(condition_clause(c) for c in audience.includes)
    clauses.extend(condition_clause(c, exclude=True) for c in audience.excludes)
    return and_(true(), *clauses)


def matching_ids(group_id: int, audience: Audience, *, mailable_only: bool = True) -> Select[Any]:
    return (
        select(Supporter.id)
        .where(where_clause(group_id, audience, mailable_only=mailable_only))
        .order_by(Supporter.id)
    )


_PARALLEL = "max_parallel_workers_per_gather"


def count(group_id: int, audience: Audience, *, mailable_only: bool = True) -> int:
    where = where_clause(group_id, audience, mailable_only=mailable_only)
    query = select(func.count()).select_from(Supporter).where(where)
    if db.session.get_bind().dialect.name != "postgresql":
        return db.session.scalar(query) or 0
    # Serial: ix_supporter_mailable_id yields the supporters in id order, so that each
    # filter is a merge join with an index in supporter order. A parallel plan hashes them
    # instead: over a million supporters on two cores the joins took two to three times as
    # long (docs/performance.md). Local to the transaction (a rollback undoes it too), and
    # put back for what the request does next.
    previous = db.session.scalar(select(func.current_setting(_PARALLEL)))
    db.session.execute(select(func.set_config(_PARALLEL, "0", True)))
    found = db.session.scalar(query) or 0
    db.session.execute(select(func.set_config(_PARALLEL, previous, True)))
    return found
