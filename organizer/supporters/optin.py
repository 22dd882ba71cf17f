"""Double opt-in for a person who came in without consent (the API's signup helper).

The invitation's link carries a signed, dated token naming the supporter, a fingerprint of
their address and the last consent event they had when it was sent. Any change of consent
since (they subscribed through it, or unsubscribed elsewhere) kills the link, so it works
once and never overrides a later "no"; no table is needed for that.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import exists, func, select

from organizer.extensions import db
from organizer.groups.models import Group
from organizer.mail import suppression
from organizer.mail.services import queue_email
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from organizer.supporters.status import UPDATES, change_status
from organizer.urls import external_url

SALT = "cahier.supporter-optin"
MAX_AGE_DAYS = 30
TEMPLATE = "supporter_optin"
# The source of the consent event, and the version of the wording on the page's button.
SOURCE = "optin"
TEXT_VERSION = "optin-2026-1"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _fingerprint(supporter: Supporter) -> str:
    return hashlib.sha256((supporter.canonical_email or "").encode()).hexdigest()[:16]


def _last_event(supporter: Supporter) -> int:
    return int(
        db.session.scalar(
            select(func.coalesce(func.max(ConsentEvent.id), 0)).where(
                ConsentEvent.supporter_id == supporter.id
            )
        )
        or 0
    )


def token_for(supporter: Supporter) -> str:
    data = [supporter.id, _fingerprint(supporter), _last_event(supporter)]
    return str(_serializer().dumps(data))


def supporter_for_token(token: str) -> Supporter | None:
    """The supporter a live invitation belongs to; None once used, stale or tampered with."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE_DAYS * 86400)
    except BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 3 and isinstance(data[0], int)):
        return None
    supporter = db.session.get(Supporter, data[0])
    if supporter is None or supporter.erased_at is not None or supporter.canonical_email is None:
        return None
    if not secrets.compare_digest(_fingerprint(supporter), str(data[1])):
        return None
    if data[2] != _last_event(supporter) or supporter.status != SupporterStatus.UNSUBSCRIBED:
        return None
    return supporter


def _declined_before(supporter: Supporter) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    ConsentEvent.supporter_id == supporter.id,
                    ConsentEvent.purpose == UPDATES,
                    ConsentEvent.granted.is_(False),
                )
            )
        )
    )


def may_invite(supporter: Supporter) -> bool:
    """Only someone who never said no: not after an unsubscribe, a bounce or a complaint,
    and not to a suppressed address."""
    if supporter.status != SupporterStatus.UNSUBSCRIBED or not supporter.email:
        return False
    if _declined_before(supporter):
        return False
    return not suppression.is_suppressed(supporter.email, supporter.group_id)


def invite(supporter: Supporter, locale: str) -> bool:
    """Queue the invitation; False when it may not be sent. The idempotency key holds one
    invitation per state of the consent history, however often a client repeats itself."""
    if not may_invite(supporter):
        return False
    group = db.session.get(Group, supporter.group_id)
    assert group is not None and supporter.email is not None
    queue_email(
        to=supporter.email,
        template=TEMPLATE,
        locale=locale,
        context={
            "group": group,
            "supporter": supporter,
            "optin_url": external_url("optin.confirm", token=token_for(supporter)),
            "days": MAX_AGE_DAYS,
        },
        idempotency_key=f"supporter-optin:{supporter.id}:{_last_event(supporter)}",
        related=("supporter", supporter.id),
    )
    return True


def accept(supporter: Supporter) -> bool:
    """The person pressed the button: subscribed, with the wording they were shown."""
    return change_status(
        supporter, SupporterStatus.SUBSCRIBED, source_type=SOURCE, text_version=TEXT_VERSION
    )
