"""Whether a non-transactional email may go to an address (DESIGN.md decision 14).

Transactional mail (a confirmation, a reminder, the copy of a letter the person just sent)
never asks: it is the direct result of what the person did. Everything else a group sends
(mailings, milestone emails, revision notices, response notices) asks here.
"""

from __future__ import annotations

from sqlalchemy import literal, select

from organizer.extensions import db
from organizer.mail import suppression
from organizer.signatures.canonical import canonical_email
from organizer.supporters.models import Supporter, SupporterStatus


def may_send_updates(group_id: int, address: str) -> bool:
    """True unless the address is suppressed for the group, or the group's supporter of
    that address is anything but subscribed (unsubscribed, bouncing, complained, erased).

    No supporter row is not a refusal: the caller has already checked the consent the
    person gave through their action (a signature's "updates"), and a supporter row can
    lag that consent (an action confirmed before issue 15's migration ran). The group-level
    word, once there is one, always wins.
    """
    status = (
        select(Supporter.status)
        .where(
            Supporter.group_id == group_id,
            Supporter.canonical_email == canonical_email(address),
        )
        .limit(1)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(status, suppression.applies(literal(suppression.normalized(address)), group_id))
    ).one()
    supporter_status, suppressed = row
    if suppressed:
        return False
    return supporter_status is None or supporter_status == SupporterStatus.SUBSCRIBED
