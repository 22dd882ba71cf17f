"""POST, PUT and DELETE routes of the API: the OSDI helpers, tags and taggings, and the
updates Action Network allows. One commit per request; a refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from organizer.api import (
    attendance_write,
    lookups,
    people_write,
    schemas,
    serializers,
    signature_write,
    write_audit,
)
from organizer.api import write_models as wm
from organizer.api.auth import current_token
from organizer.api.blueprint import bp, hal
from organizer.api.consent import attestation, can_write
from organizer.api.models import ApiScope
from organizer.api.openapi import documented
from organizer.api.write_input import (
    WriteError,
    parse,
    person_input,
    read_body,
    source_code,
    uuid_of_href,
)
from organizer.extensions import db
from organizer.supporters import tags
from organizer.supporters.models import Tagging

F = TypeVar("F", bound=Callable[..., Any])
WRITE = ApiScope.WRITE
BACKGROUND = {"background_processing": "Accepted in any case; the full resource is answered."}
CONFLICT = {"409": "The rules refuse it now (closed, full, withdrawn), or a concurrent request "
                  "changed it first; the message says why."}  # fmt: skip
CONSENT = {"422": "Subscribing needs an import token and the consent text (action_network:"
                  "consent), or an invitation (triggers.autoresponse)."}  # fmt: skip


def writing(view: F) -> F:
    """A write or import token; a WriteError is rolled back and answered with its status."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not can_write(current_token()):
            abort(403, description=_l("This token has neither the write nor the import scope."))
        try:
            answer = view(*args, **kwargs)
            db.session.commit()
        except WriteError as error:
            db.session.rollback()
            abort(error.status, description=error.message)
        except IntegrityError:
            # A concurrent request wrote the same row (a tag, a person) first.
            db.session.rollback()
            abort(409, description=_l("Another request changed this at the same moment; "
                                      "try again."))  # fmt: skip
        return answer

    return cast(F, wrapper)


def _autoresponse(triggers: wm.Triggers | None) -> bool:
    return bool(triggers and triggers.autoresponse and triggers.autoresponse.enabled)


def _source(referrer: wm.ReferrerDataIn | None) -> str | None:
    return source_code(referrer.source if referrer else None)


# People


@bp.post("/people", strict_slashes=False)
@documented("Person signup helper: create or update a supporter by email", schemas.Person,
            scope=WRITE, request=wm.PersonSignup, query=BACKGROUND, errors={**CONFLICT, **CONSENT},
            tag="people")  # fmt: skip
@writing
def signup() -> ResponseReturnValue:
    body = parse(wm.PersonSignup, read_body())
    token = current_token()
    done = people_write.upsert(
        token, person_input(body.person), add_tags=body.add_tags,
        attested=attestation(token, body.consent), invite=_autoresponse(body.triggers),
    )  # fmt: skip
    return hal(serializers.person(done.supporter))


@bp.put("/people/<person_id>", strict_slashes=False)
@documented("Update a supporter", schemas.Person, scope=WRITE, request=wm.PersonUpdate,
            query=BACKGROUND,
            errors={**CONFLICT, **CONSENT})  # fmt: skip
@writing
def update_person(person_id: str) -> ResponseReturnValue:
    supporter = lookups.person_or_404(person_id)
    body = parse(wm.PersonUpdate, read_body(form_fallback=True))
    token = current_token()
    people_write.update_person(token, supporter, person_input(body, body.email_address),
                               attestation(token, body.consent))  # fmt: skip
    return hal(serializers.person(supporter))


# Tags and taggings


@bp.post("/tags", strict_slashes=False)
@documented("Add a tag (an existing name answers the existing tag)", schemas.Tag, scope=WRITE,
            request=wm.TagIn, errors=CONFLICT)  # fmt: skip
@writing
def add_tag() -> ResponseReturnValue:
    body = parse(wm.TagIn, read_body())
    token = current_token()
    tag = people_write.find_or_create_tag(token.group_id, body.name)
    write_audit.record(token, "api.tag_added", "tag", tag.id, name=tag.name)
    return hal(serializers.tag(tag))


@bp.post("/tags/<tag_id>/taggings", strict_slashes=False)
@documented("Put a tag on a person (_links.osdi:person.href)", schemas.Tagging, scope=WRITE,
            request=wm.TaggingIn, query=BACKGROUND, errors=CONFLICT)  # fmt: skip
@writing
def create_tagging(tag_id: str) -> ResponseReturnValue:
    tag = lookups.tag_or_404(tag_id)
    body = parse(wm.TaggingIn, read_body())
    supporter = lookups.person_or_404(uuid_of_href(body.links.person.href))
    tags.add_tag(supporter, tag)
    found = db.session.get(Tagging, (supporter.id, tag.id))
    assert found is not None
    write_audit.record(current_token(), "api.tagging_created", "tag", tag.id,
                       supporter=supporter.id)  # fmt: skip
    return hal(serializers.tagging(found))


@bp.delete("/tags/<tag_id>/taggings/<tagging_id>", strict_slashes=False)
@documented("Take a tag off a person", wm.Notice, scope=WRITE, query=BACKGROUND,
            errors=CONFLICT)  # fmt: skip
@writing
def delete_tagging(tag_id: str, tagging_id: str) -> ResponseReturnValue:
    tag = lookups.tag_or_404(tag_id)
    found = lookups.tagging_or_404(tag, tagging_id)
    supporter_id = found.supporter_id
    db.session.delete(found)
    write_audit.record(current_token(), "api.tagging_deleted", "tag", tag.id,
                       supporter=supporter_id)  # fmt: skip
    return hal({"notice": str(_l("This tagging was successfully deleted."))})


# Signatures


@bp.post("/petitions/<petition_id>/signatures", strict_slashes=False)
@documented("Record signature helper: a pending signature and its confirmation email, or "
            "one confirmed elsewhere (import token)", schemas.Signature, scope=WRITE,
            request=wm.SignatureHelper, query=BACKGROUND, errors={**CONFLICT, **CONSENT},
            tag="petitions")  # fmt: skip
@writing
def record_signature(petition_id: str) -> ResponseReturnValue:
    campaign = lookups.petition_or_404(petition_id)
    body = parse(wm.SignatureHelper, read_body())
    token = current_token()
    if body.comments and body.comments.strip():
        signature_write.refuse_comments()
    done = signature_write.record(
        token, campaign, person_input(body.person), source=_source(body.referrer_data),
        add_tags=body.add_tags, attested=attestation(token, body.consent),
    )  # fmt: skip
    return hal(serializers.signature(done.signature))


@bp.put("/petitions/<petition_id>/signatures/<signature_id>", strict_slashes=False)
@documented("Update a signature's source (comments are not kept)", schemas.Signature,
            scope=WRITE, request=wm.SignatureUpdate, errors={**CONFLICT, **CONSENT})  # fmt: skip
@writing
def update_signature(petition_id: str, signature_id: str) -> ResponseReturnValue:
    signature = lookups.signature_or_404(lookups.petition_or_404(petition_id), signature_id)
    body = parse(wm.SignatureUpdate, read_body(form_fallback=True))
    signature_write.update(current_token(), signature, source=_source(body.referrer_data),
                           comments=body.comments)  # fmt: skip
    return hal(serializers.signature(signature))


# Attendances


@bp.post("/events/<event_id>/attendances", strict_slashes=False)
@documented("Record attendance helper: an RSVP under the capacity and waitlist rules",
            schemas.Attendance, scope=WRITE, request=wm.AttendanceHelper, query=BACKGROUND,
            errors={**CONFLICT, **CONSENT}, tag="events")  # fmt: skip
@writing
def record_attendance(event_id: str) -> ResponseReturnValue:
    event = lookups.event_or_404(event_id)
    body = parse(wm.AttendanceHelper, read_body())
    token = current_token()
    done = attendance_write.record(
        token, event, person_input(body.person), source=_source(body.referrer_data),
        add_tags=body.add_tags, attested=attestation(token, body.consent),
    )  # fmt: skip
    return hal(serializers.attendance(done.rsvp))


@bp.put("/events/<event_id>/attendances/<attendance_id>", strict_slashes=False)
@documented("Change an attendance's status (accepted or declined)", schemas.Attendance,
            scope=WRITE, request=wm.AttendanceUpdate, errors=CONFLICT)  # fmt: skip
@writing
def update_attendance(event_id: str, attendance_id: str) -> ResponseReturnValue:
    guest = lookups.attendance_or_404(lookups.event_or_404(event_id), attendance_id)
    body = parse(wm.AttendanceUpdate, read_body(form_fallback=True))
    attendance_write.update(current_token(), guest, body.status)
    return hal(serializers.attendance(guest))
