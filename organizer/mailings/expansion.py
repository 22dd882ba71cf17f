"""Expands a mailing's audience into recipients and outbox rows, a batch per transaction.

Each batch takes the next supporters after ``Mailing.expanded_through_id`` (in id order),
writes their MailingRecipient and OutboundEmail rows with two bulk inserts, and moves the
mark forward, all in one transaction: a worker killed mid-batch leaves nothing of it, and the
rerun starts where the last commit left off. The unique (mailing, supporter) pair and the
outbox's idempotency key ``mailing:<mailing>:<supporter>`` make a second run (a double click,
a task delivered twice) write nothing: ``ON CONFLICT DO NOTHING`` on both.

The bodies are stored once per language (``organizer.mail.bodies``, keyed by mailing and
language, written by the first expansion that starts); each outbox row carries its subject,
its headers and the values of its merge fields, which the worker puts in the body.

The audience, including its mailable base (subscribed, not erased, not suppressed), is read
at expansion time, so whoever unsubscribed or bounced since the mailing was composed is left
out.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from typing import cast as typed

from flask import current_app
from sqlalchemy import Table, func, select
from sqlalchemy.dialects import postgresql, sqlite

from organizer.db import utcnow
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mail import bodies, listmail
from organizer.mail.mime import FROM_NAME
from organizer.mail.models import EmailStatus, OutboundEmail
from organizer.mail.services import enqueue_after_commit
from organizer.mailings import merge, writing
from organizer.mailings.models import Mailing, MailingRecipient, MailingStatus
from organizer.mailings.rendering import DateNames, Rendered, render_all
from organizer.signatures.mailing import manage_url_for
from organizer.signatures.models import Signature
from organizer.supporters import audience as audiences
from organizer.supporters.models import ConsentEvent, Supporter
from organizer.supporters.status import UPDATES

KIND = "mailing"
_QUEUED = EmailStatus.QUEUED.value
LIST_ID_SUFFIX = "updates"
# Where a recipient's unsubscribe token goes in the batch's serialized headers: letters
# only, so JSON leaves it as it is.
_SLOT = "zCahierTokenSlotx"
_outbox = typed(Table, OutboundEmail.__table__)
_recipients = typed(Table, MailingRecipient.__table__)


def idempotency_key(mailing_id: int, supporter_id: int) -> str:
    return f"mailing:{mailing_id}:{supporter_id}"


@dataclass
class Expansion:
    """What a worker keeps between batches of one mailing: renders, cached dates."""

    mailing_id: int
    rendered: dict[str, Rendered]
    default_language: str
    group: Group
    reply_to: str | None
    dates: DateNames
    domain: str
    from_name: str = ""
    body_ids: dict[str, int] = field(default_factory=dict)  # language → stored body
    lists: listmail.ListHeaders | None = None
    headers_json: str = field(default="")
    whys: dict[tuple[str, str | None, date], str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """The headers are the same for every recipient but for the token: serialized once,
        then the token is put in (a json.dumps per recipient was a tenth of the batch)."""
        self.lists = listmail.ListHeaders(self.group, LIST_ID_SUFFIX)
        self.headers_json = json.dumps(self.headers(_SLOT))
        if self.headers_json.count(_SLOT) != 2:  # a group name that holds the slot
            self.headers_json = ""

    def headers(self, token: str) -> dict[str, str]:
        assert self.lists is not None
        headers = self.lists.headers(token)
        if self.reply_to:
            headers["Reply-To"] = self.reply_to
        if self.from_name:
            headers[FROM_NAME] = self.from_name
        return headers

    def headers_for(self, token: str) -> str:
        if self.headers_json:
            return self.headers_json.replace(_SLOT, token)
        return json.dumps(self.headers(token))


def _latest_consent(column: Any) -> Any:
    return (
        select(column)
        .where(
            ConsentEvent.supporter_id == Supporter.id,
            ConsentEvent.purpose == UPDATES,
            ConsentEvent.granted.is_(True),
        )
        .order_by(ConsentEvent.at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _batch(mailing: Mailing, size: int) -> Sequence[Any]:
    audience = audiences.Audience.from_dict(mailing.audience)
    latest_signature = (
        select(func.max(Signature.id)).where(Signature.supporter_id == Supporter.id)
    ).scalar_subquery()
    return db.session.execute(
        select(
            Supporter.id,
            Supporter.email,
            Supporter.canonical_email,
            Supporter.name,
            Supporter.language,
            Supporter.created_at,
            _latest_consent(ConsentEvent.source_type).label("why_type"),
            _latest_consent(ConsentEvent.at).label("why_at"),
            latest_signature.label("signature_id"),
        )
        .where(
            audiences.where_clause(mailing.group_id, audience),
            Supporter.id > mailing.expanded_through_id,
        )
        .order_by(Supporter.id)
        .limit(size)
    ).all()


def _insert(table: Table) -> Any:
    dialect = db.session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def _values(state: Expansion, row: Any, unsubscribe: str) -> tuple[str, dict[str, str]]:
    rendered = state.rendered.get(row.language) or state.rendered[state.default_language]
    manage = (
        manage_url_for(row.signature_id, row.canonical_email)
        if row.signature_id is not None and row.canonical_email
        else unsubscribe
    )
    day = (row.why_at or row.created_at).date()
    why_key = (rendered.language, row.why_type, day)
    why = state.whys.get(why_key)
    if why is None:
        # A list of 50,000 has a few hundred distinct (language, action, day) sentences.
        why = state.whys[why_key] = rendered.why_for(row.why_type).replace(
            "%(date)s", state.dates(day, rendered.language)
        )
    values = {
        "first_name": merge.first_name(row.name, rendered.fallback),
        "manage_url": manage,
        "unsubscribe_url": unsubscribe,
        "why": why,
    }
    return rendered.language, values


def _slot(mailing: Mailing, ordinal: int) -> datetime | None:
    """Proca's drip: the first ``hourly_cap`` go now, the next an hour later, and so on."""
    if not mailing.hourly_cap:
        return None
    hours = ordinal // mailing.hourly_cap
    start = mailing.started_at or utcnow()
    return start + timedelta(hours=hours) if hours else None


def expand_batch(state: Expansion, size: int) -> bool:
    """Expand the next batch; False once the mailing is fully expanded (or stopped)."""
    mailing = db.session.execute(
        select(Mailing).where(Mailing.id == state.mailing_id).with_for_update()
    ).scalar_one()
    if mailing.status != MailingStatus.SENDING or mailing.expanded_at is not None:
        return False
    rows = _batch(mailing, size)
    if not rows:
        mailing.expanded_at = utcnow()
        db.session.flush()
        return False
    now = utcnow()
    new = set(writing.fresh(mailing.id, [r.id for r in rows]))
    todo = [r for r in rows if r.id in new]
    email_ids, recipient_ids = writing.allocate(len(todo))
    recipient_rows: list[tuple[Any, ...]] = []
    due_now: list[int] = []

    def outbox_rows() -> Iterator[tuple[Any, ...]]:
        # A generator, so that PostgreSQL inserts the first rows of the COPY while the
        # next ones are being made: the two processes work side by side.
        for index, row in enumerate(todo):
            email_id = email_ids[index] if email_ids else None
            rid = recipient_ids[index] if recipient_ids else None
            due = _slot(mailing, mailing.recipient_count + index)
            recipient_rows.append((rid, mailing.id, row.id, email_id, _QUEUED, now, now))
            if due is None:
                due_now.append(index)
            yield _outbox_row(state, mailing, row, email_id, rid, due, now)

    written = writing.write(outbox_rows(), recipient_rows)
    mailing.recipient_count += len(todo)
    mailing.expanded_through_id = rows[-1].id
    more = len(rows) == size
    if not more:
        mailing.expanded_at = now
    db.session.flush()
    enqueue_after_commit([written[index] for index in due_now])
    return more


def _outbox_row(
    state: Expansion,
    mailing: Mailing,
    row: Any,
    email_id: int | None,
    rid: int | None,
    due: datetime | None,
    now: datetime,
) -> tuple[Any, ...]:
    """The row in writing.OUTBOX_COLUMNS order, its id first."""
    assert state.lists is not None
    token = state.lists.token(row.id)
    # The footer's link is the header's https one.
    language, values = _values(state, row, state.lists.unsubscribe_url(token))
    subject = merge.join(state.rendered[language].parts[0], values)
    merge_values = json.dumps([values[name] for name in merge.PER_RECIPIENT])
    # As make_msgid's, at a fifth of its cost: the clock first, so that the unique index
    # grows at its end, then 64 random bits; no supporter id for the reader to see.
    message_id = f"<{time.time_ns():x}.{secrets.token_hex(8)}@{state.domain}>"
    return (
        email_id, row.email, subject, "", "", state.headers_for(token),
        message_id, KIND, language, "mailing_recipient", rid,
        idempotency_key(mailing.id, row.id), _QUEUED, 0, now, now, due,
        state.body_ids[language], merge_values,
    )  # fmt: skip


def start(mailing_id: int) -> Expansion | None:
    mailing = db.session.get(Mailing, mailing_id)
    if mailing is None or not mailing.contents:
        return None
    group = db.session.get_one(Group, mailing.group_id)
    rendered = render_all(mailing, group)
    first = min(mailing.contents, key=lambda c: c.id).language
    body_ids = {
        language: bodies.store(body_key(mailing_id, language), shown.text, shown.html)
        for language, shown in rendered.items()
    }
    return Expansion(
        mailing_id, rendered, first, group, mailing.reply_to, DateNames(),
        listmail.mail_domain(), mailing.from_name.strip(), body_ids,
    )  # fmt: skip


def body_key(mailing_id: int, language: str) -> str:
    return f"mailing:{mailing_id}:{language}"


def batch_size() -> int:
    return int(current_app.config["MAILING_EXPAND_BATCH"])
