"""The person signup helper and PUT on people: a group's supporter made or updated by
canonical email, under the consent rule of organizer.api.consent."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from organizer.api import write_audit
from organizer.api.consent import SOURCE, Attestation, check_subscribe
from organizer.api.tokens import ActiveToken
from organizer.api.write_input import (
    SUBSCRIBED,
    UNSUBSCRIBED,
    PersonInput,
    WriteError,
    merged_name,
)
from organizer.db import utcnow
from organizer.extensions import db
from organizer.supporters import optin, tags
from organizer.supporters.models import ConsentEvent, Supporter, Tag
from organizer.supporters.services import record_action
from organizer.supporters.status import supporter_for


@dataclass(frozen=True)
class Upserted:
    supporter: Supporter
    created: bool
    invited: bool


def upsert(
    token: ActiveToken,
    person: PersonInput,
    *,
    add_tags: list[str],
    attested: Attestation | None,
    invite: bool,
) -> Upserted:
    if person.address is None:
        raise WriteError(400, _l("A person needs an email address (email_addresses)."))
    check_subscribe(person.status, attested, invite=invite)
    existing = supporter_for(token.group_id, person.address.canonical)
    created = existing is None
    action = "api.person_created" if created else "api.person_updated"
    entry = write_audit.record(token, action, "supporter", None, **_audited(person, attested))
    now = utcnow()
    supporter = record_action(
        group_id=token.group_id, email=person.address.email,
        canonical_email=person.address.canonical,
        name=merged_name(person, existing.name if existing else ""),
        country=person.country, postal_code=person.postal_code,
        language=person.language or "", source_type=SOURCE, source_id=entry.id,
        updates=_updates(person.status, attested), text_version=_version(person, attested),
        at=now,
    )  # fmt: skip
    entry.object_id = supporter.id
    _date_consent(entry.id, attested)
    _merge_custom_fields(supporter, person.custom_fields)
    tag_by_names(supporter, add_tags)
    invited = invite and optin.invite(supporter, _locale(supporter))
    if created:
        # Parsons tells "added" from "updated" by created_date == modified_date.
        supporter.updated_at = supporter.created_at
    db.session.flush()
    return Upserted(supporter, created, invited)


def update_person(
    token: ActiveToken, supporter: Supporter, person: PersonInput, attested: Attestation | None
) -> Supporter:
    """PUT: the fields given change, the others stay; the email may change if no other
    supporter of the group has it."""
    check_subscribe(person.status, attested, invite=False)
    entry = write_audit.record(token, "api.person_updated", "supporter", supporter.id,
                               **_audited(person, attested))  # fmt: skip
    address = person.address
    if address is not None and address.canonical != supporter.canonical_email:
        if supporter_for(token.group_id, address.canonical) is not None:
            raise WriteError(409, _l("Another person of the group has this email address."))
        supporter.canonical_email = address.canonical
    record_action(
        group_id=token.group_id,
        email=address.email if address else supporter.email or "",
        canonical_email=supporter.canonical_email or "",
        name=merged_name(person, supporter.name),
        country=person.country, postal_code=person.postal_code,
        language=person.language or "", source_type=SOURCE, source_id=entry.id,
        updates=_updates(person.status, attested), text_version=_version(person, attested),
    )  # fmt: skip
    _date_consent(entry.id, attested)
    _merge_custom_fields(supporter, person.custom_fields)
    db.session.flush()
    return supporter


def _updates(status: str | None, attested: Attestation | None) -> bool | None:
    if status == UNSUBSCRIBED:
        return False
    if status == SUBSCRIBED and attested is not None:
        return True
    return None


def _version(person: PersonInput, attested: Attestation | None) -> str | None:
    return attested.version if attested is not None and person.status == SUBSCRIBED else None


def _audited(person: PersonInput, attested: Attestation | None) -> dict[str, object]:
    given = ("given_name", "family_name", "country", "postal_code", "language", "status")
    fields = [name for name in given if getattr(person, name) is not None]
    details: dict[str, object] = {"fields": fields, "custom_fields": sorted(person.custom_fields)}
    if attested is not None and person.status == SUBSCRIBED:
        details.update(attested.details())
    return details


def _date_consent(entry_id: int, attested: Attestation | None) -> None:
    """The event records when the person agreed, which is the attested date, not today."""
    if attested is None or attested.agreed_at is None:
        return
    db.session.execute(
        update(ConsentEvent)
        .where(ConsentEvent.source_type == SOURCE, ConsentEvent.source_id == entry_id)
        .values(at=attested.agreed_at)
        .execution_options(synchronize_session=False)
    )


def _merge_custom_fields(supporter: Supporter, given: dict[str, str]) -> None:
    if given:
        # A new dict: the JSON column only notices reassignment.
        supporter.custom_fields = {**(supporter.custom_fields or {}), **given}


def _locale(supporter: Supporter) -> str:
    languages = current_app.config["LANGUAGES"]
    return supporter.language if supporter.language in languages else languages[0]


def tag_by_names(supporter: Supporter, names: list[str]) -> list[Tag]:
    """add_tags: each name found in the group (case aside) or created, then put on."""
    found = [find_or_create_tag(supporter.group_id, name) for name in names if name.strip()]
    for tag in found:
        tags.add_tag(supporter, tag)
    return found


def find_or_create_tag(group_id: int, name: str) -> Tag:
    folded = " ".join(name.split())
    existing = db.session.scalar(
        select(Tag).where(Tag.group_id == group_id, func.lower(Tag.name) == folded.lower())
    )
    if existing is not None:
        return existing
    try:
        return tags.create_tag(group_id, folded)
    except tags.TagError as exc:
        raise WriteError(400, exc) from None
