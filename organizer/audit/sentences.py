"""The audit log read as sentences in the reader's language, not as action codes.

Each action code maps to a function of (actor's name, details) that returns the sentence.
Entries are kept forever, so a sentence must cope with details an older version wrote
(a missing key falls back to a shorter sentence). An unknown code gets a generic sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask_babel import format_date, format_number, ngettext
from flask_babel import gettext as _

from organizer.accounts.models import User
from organizer.audit.models import AuditLog
from organizer.campaigns.models import Role
from organizer.campaigns.permissions import ROLE_NAMES
from organizer.extensions import db
from organizer.groups.models import GroupRole
from organizer.groups.permissions import ROLE_NAMES as GROUP_ROLE_NAMES
from organizer.sources.codes import NO_SOURCE

Details = dict[str, Any]
Sentence = Callable[[str, Details], str]


def _n(details: Details, *keys: str) -> int:
    for key in keys:
        value = details.get(key)
        if isinstance(value, int):
            return value
    return 0


def _role(value: Any) -> str:
    try:
        return str(ROLE_NAMES[Role(value)]).lower()
    except ValueError:
        return str(value)


def _group_role(value: Any) -> str:
    try:
        return str(GROUP_ROLE_NAMES[GroupRole(value)]).lower()
    except ValueError:
        return str(value)


def _person(details: Details) -> str:
    user = db.session.get(User, details["user"]) if isinstance(details.get("user"), int) else None
    return user.display_name if user is not None else _("a former member")


def _day(value: Any) -> str:
    try:
        return format_date(date.fromisoformat(str(value)), "long")
    except ValueError:
        return str(value)


def _label(details: Details) -> str:
    return str(details.get("token", "?"))


def _formatted(details: Details, *keys: str) -> str:
    # flask_babel's ngettext fills %(num)s with the bare int; %(count)s is the formatted one.
    return format_number(_n(details, *keys))


def _bulk_invalidate(actor: str, d: Details) -> str:
    n = _n(d, "done")
    if d.get("reason"):
        return ngettext(
            "%(actor)s invalidated %(count)s signature (reason: %(reason)s).",
            "%(actor)s invalidated %(count)s signatures (reason: %(reason)s).",
            n,
            actor=actor,
            count=format_number(n),
            reason=d["reason"],
        )
    return ngettext(
        "%(actor)s invalidated %(count)s signature.",
        "%(actor)s invalidated %(count)s signatures.",
        n,
        actor=actor,
        count=format_number(n),
    )


def _bulk_started(actor: str, d: Details) -> str:
    return ngettext(
        "%(actor)s began invalidating %(count)s signature in the background (reason: %(reason)s).",
        "%(actor)s began invalidating %(count)s signatures in the background (reason: %(reason)s).",
        _n(d, "expected"),
        count=_formatted(d, "expected"),
        actor=actor,
        reason=d.get("reason") or "-",
    )


def _exported(actor: str, d: Details) -> str:
    excel = d.get("format") == "csv-excel"
    if d.get("source"):
        source = _("none (direct)") if d["source"] == NO_SOURCE else str(d["source"])
        if excel:
            return _(
                "%(actor)s downloaded the signatures as a spreadsheet (CSV for Excel), "
                "source: %(source)s.",
                actor=actor,
                source=source,
            )
        return _(
            "%(actor)s downloaded the signatures as CSV, source: %(source)s.",
            actor=actor,
            source=source,
        )
    if excel:
        return _(
            "%(actor)s downloaded the signatures as a spreadsheet (CSV for Excel).", actor=actor
        )
    return _("%(actor)s downloaded the signatures as CSV.", actor=actor)


def _source_code(d: Details) -> str:
    return str(d.get("code", "?"))


def _emailed(actor: str, d: Details) -> str:
    if d.get("test"):
        return _("%(actor)s sent a test copy of a letter by email.", actor=actor)
    return _("%(actor)s sent a letter by email.", actor=actor)


def _offline_edited(actor: str, d: Details) -> str:
    after = d.get("after") if isinstance(d.get("after"), dict) else {}
    return ngettext(
        "%(actor)s corrected a batch of paper signatures: it now holds %(count)s signature.",
        "%(actor)s corrected a batch of paper signatures: it now holds %(count)s signatures.",
        _n(after or {}, "count"),
        count=_formatted(after or {}, "count"),
        actor=actor,
    )


SENTENCES: dict[str, Sentence] = {
    "campaign.published": lambda a, d: _(
        "%(actor)s published revision %(number)d of the text.", actor=a, number=_n(d, "revision")
    ),
    "amendment.accepted": lambda a, d: _(
        "%(actor)s accepted the amendment to %(label)s.", actor=a, label=d.get("target", "?")
    ),
    "amendment.declined": lambda a, d: _(
        "%(actor)s declined the amendment to %(label)s (reason: %(reason)s).",
        actor=a,
        label=d.get("target", "?"),
        reason=d.get("note") or "-",
    ),
    "signatures.bulk_invalidate": _bulk_invalidate,
    "signatures.bulk_invalidate_started": _bulk_started,
    "signatures.bulk_invalidate_finished": lambda a, d: ngettext(
        "A background invalidation finished: %(count)s signature invalidated.",
        "A background invalidation finished: %(count)s signatures invalidated.",
        _n(d, "done"),
        count=_formatted(d, "done"),
    ),
    "signatures.bulk_invalidate_undone": lambda a, d: ngettext(
        "%(actor)s undid an invalidation: %(count)s signature restored.",
        "%(actor)s undid an invalidation: %(count)s signatures restored.",
        _n(d, "restored"),
        count=_formatted(d, "restored"),
        actor=a,
    ),
    "signatures.suspect_cleared": lambda a, d: _("%(actor)s cleared a suspect signature.", actor=a),
    "signatures.suspect_invalidated": lambda a, d: _(
        "%(actor)s invalidated a suspect signature.", actor=a
    ),
    "signatures.exported": _exported,
    "source.defined": lambda a, d: _(
        "%(actor)s defined the source code %(code)s.", actor=a, code=_source_code(d)
    ),
    "source.deleted": lambda a, d: _(
        "%(actor)s deleted the source code %(code)s.", actor=a, code=_source_code(d)
    ),
    "campaign.embed_settings_saved": lambda a, d: _(
        "%(actor)s changed the websites where the campaign's form may be embedded.", actor=a
    ),
    "signatures.settings_changed": lambda a, d: _(
        "%(actor)s changed the signature settings.", actor=a
    ),
    "signatures.milestone_added": lambda a, d: ngettext(
        "%(actor)s added a milestone at %(count)s signature.",
        "%(actor)s added a milestone at %(count)s signatures.",
        _n(d, "threshold"),
        count=_formatted(d, "threshold"),
        actor=a,
    ),
    "signatures.offline_added": lambda a, d: ngettext(
        "%(actor)s added a batch of %(count)s paper signature.",
        "%(actor)s added a batch of %(count)s paper signatures.",
        _n(d, "count"),
        count=_formatted(d, "count"),
        actor=a,
    ),
    "signatures.offline_edited": _offline_edited,
    "signatures.offline_deleted": lambda a, d: ngettext(
        "%(actor)s deleted a batch of %(count)s paper signature.",
        "%(actor)s deleted a batch of %(count)s paper signatures.",
        _n(d, "count"),
        count=_formatted(d, "count"),
        actor=a,
    ),
    "pledge.created": lambda a, d: ngettext(
        "%(actor)s created a pledge that needs %(count)s person to commit.",
        "%(actor)s created a pledge that needs %(count)s people to commit.",
        _n(d, "threshold"),
        count=_formatted(d, "threshold"),
        actor=a,
    ),
    "pledge.triggered": lambda a, d: ngettext(
        "A pledge is on: %(count)s person committed.",
        "A pledge is on: %(count)s people committed.",
        _n(d, "committed"),
        count=_formatted(d, "committed"),
    ),
    "pledge.lapsed": lambda a, d: ngettext(
        "A pledge lapsed with %(count)s commitment.",
        "A pledge lapsed with %(count)s commitments.",
        _n(d, "committed"),
        count=_formatted(d, "committed"),
    ),
    "letter.written": lambda a, d: _(
        "%(actor)s wrote a draft letter to %(body)s.", actor=a, body=d.get("body", "?")
    ),
    "letter.edited": lambda a, d: _("%(actor)s edited a draft letter.", actor=a),
    "letter.followed_up": lambda a, d: _(
        "%(actor)s wrote a follow-up letter to %(body)s.", actor=a, body=d.get("body", "?")
    ),
    "letter.deleted": lambda a, d: _(
        "%(actor)s deleted the draft letter to %(body)s.", actor=a, body=d.get("body", "?")
    ),
    "letter.emailed": _emailed,
    "letter.sent_by_hand": lambda a, d: _(
        "%(actor)s recorded a letter as sent by hand on %(date)s.", actor=a, date=_day(d.get("on"))
    ),
    "letter.delivered": lambda a, d: _("A letter was handed to the mail server."),
    "letter.failed": lambda a, d: _("A letter could not be delivered."),
    "letter.response_recorded": lambda a, d: _(
        "%(actor)s recorded a response to a letter.", actor=a
    ),
    "letter.response_notified": lambda a, d: ngettext(
        "%(actor)s chose to email a response to %(count)s signer.",
        "%(actor)s chose to email a response to %(count)s signers.",
        _n(d, "signers"),
        count=_formatted(d, "signers"),
        actor=a,
    ),
    "letter.response_not_notified": lambda a, d: _(
        "%(actor)s chose not to email a response to the signers.", actor=a
    ),
    "letter_settings.saved": lambda a, d: _(
        "%(actor)s saved who signs the letters and where bodies answer.", actor=a
    ),
    "letter_milestone.added": lambda a, d: ngettext(
        "%(actor)s asked for letters to be written at %(count)s signature.",
        "%(actor)s asked for letters to be written at %(count)s signatures.",
        _n(d, "threshold"),
        count=_formatted(d, "threshold"),
        actor=a,
    ),
    "letter_milestone.cancelled": lambda a, d: _(
        "%(actor)s cancelled a letter milestone.", actor=a
    ),
    "letter_milestone.fired": lambda a, d: ngettext(
        "A letter milestone was reached at %(count)s signature.",
        "A letter milestone was reached at %(count)s signatures.",
        _n(d, "signatures"),
        count=_formatted(d, "signatures"),
    ),
    "regulator.saved": lambda a, d: _(
        "%(actor)s saved the body “%(slug)s”.", actor=a, slug=d.get("slug", "?")
    ),
    "signature.withdrawn_by_signer": lambda a, d: _("A signer withdrew their signature."),
    "signature.updates_stopped": lambda a, d: _("A signer stopped receiving news."),
    "signature.consents_changed": lambda a, d: _("A signer changed their consents."),
    "signature.details_corrected": lambda a, d: _("A signer corrected their details."),
    "supporter.erased": lambda a, d: (
        _("%(actor)s erased a supporter's personal data; their actions still count.", actor=a)
        if d.get("by") == "organizer"
        else _("A supporter erased their personal data; their actions still count.")
    ),
    "supporter.anonymized": lambda a, d: _(
        "A supporter with no action for the retention period was anonymized."
    ),
    "team.invited": lambda a, d: _(
        "%(actor)s invited someone to join as %(role)s.", actor=a, role=_role(d.get("role"))
    ),
    "team.invitation_accepted": lambda a, d: _(
        "%(actor)s joined the team as %(role)s.", actor=a, role=_role(d.get("role"))
    ),
    "team.invitation_revoked": lambda a, d: _("%(actor)s revoked an invitation.", actor=a),
    "team.role_changed": lambda a, d: _(
        "%(actor)s changed the role of %(name)s from %(before)s to %(after)s.",
        actor=a,
        name=_person(d),
        before=_role(d.get("before")),
        after=_role(d.get("after")),
    ),
    "team.member_removed": lambda a, d: _(
        "%(actor)s removed %(name)s from the team.", actor=a, name=_person(d)
    ),
    "team.ownership_transferred": lambda a, d: _(
        "%(actor)s made %(name)s an owner of the campaign.", actor=a, name=_person(d)
    ),
    "group.created": lambda a, d: _(
        "%(actor)s created the group “%(name)s”.", actor=a, name=d.get("name", "?")
    ),
    "group.settings_saved": lambda a, d: _("%(actor)s saved the group's settings.", actor=a),
    "group.member_added": lambda a, d: _(
        "%(actor)s added %(name)s to the group as %(role)s.",
        actor=a,
        name=_person(d),
        role=_group_role(d.get("role")),
    ),
    "group.role_changed": lambda a, d: _(
        "%(actor)s changed the role of %(name)s from %(before)s to %(after)s.",
        actor=a,
        name=_person(d),
        before=_group_role(d.get("before")),
        after=_group_role(d.get("after")),
    ),
    "group.member_removed": lambda a, d: _(
        "%(actor)s removed %(name)s from the group.", actor=a, name=_person(d)
    ),
    "supporters.imported": lambda a, d: ngettext(
        "%(actor)s imported %(num)d supporter from a CSV file (%(subscribed)s with consent).",
        "%(actor)s imported %(num)d supporters from a CSV file (%(subscribed)s with consent).",
        _n(d, "rows"),
        actor=a,
        subscribed=format_number(_n(d, "subscribed")),
    ),
    "supporters.exported": lambda a, d: _("%(actor)s exported the supporter list.", actor=a),
    # Writes through the API: the token's label is the actor (organizer.api.write_audit).
    "api.person_created": lambda a, d: (
        _(
            "The API token “%(label)s” added a supporter, with the consent text it attested.",
            label=_label(d),
        )
        if d.get("text_version")
        else _("The API token “%(label)s” added a supporter.", label=_label(d))
    ),
    "api.person_updated": lambda a, d: (
        _(
            "The API token “%(label)s” updated a supporter and subscribed them, with the "
            "consent text it attested.",
            label=_label(d),
        )
        if d.get("text_version")
        else _("The API token “%(label)s” updated a supporter.", label=_label(d))
    ),
    "api.tag_added": lambda a, d: _(
        "The API token “%(label)s” added the tag “%(name)s”.",
        label=_label(d),
        name=d.get("name", "?"),
    ),
    "api.tagging_created": lambda a, d: _(
        "The API token “%(label)s” put a tag on a supporter.", label=_label(d)
    ),
    "api.tagging_deleted": lambda a, d: _(
        "The API token “%(label)s” took a tag off a supporter.", label=_label(d)
    ),
    "api.signature_recorded": lambda a, d: (
        _(
            "The API token “%(label)s” recorded a signature confirmed elsewhere, with the "
            "consent text it attested.",
            label=_label(d),
        )
        if d.get("confirmed_elsewhere")
        else _(
            "The API token “%(label)s” recorded a signature, waiting for its confirmation.",
            label=_label(d),
        )
    ),
    "api.signature_updated": lambda a, d: _(
        "The API token “%(label)s” updated a signature.", label=_label(d)
    ),
    "api.attendance_recorded": lambda a, d: (
        _(
            "The API token “%(label)s” recorded an RSVP confirmed elsewhere, with the consent "
            "text it attested.",
            label=_label(d),
        )
        if d.get("confirmed_elsewhere")
        else _(
            "The API token “%(label)s” recorded an RSVP, waiting for its confirmation.",
            label=_label(d),
        )
    ),
    "api.attendance_updated": lambda a, d: _(
        "The API token “%(label)s” changed an RSVP to %(status)s.",
        label=_label(d),
        status=d.get("status", "?"),
    ),
    "api.token_created": lambda a, d: _(
        "%(actor)s created the API token “%(label)s”.", actor=a, label=d.get("label", "?")
    ),
    "api.token_revoked": lambda a, d: _(
        "%(actor)s revoked the API token “%(label)s”.", actor=a, label=d.get("label", "?")
    ),
    "webhook.subscribed": lambda a, d: _(
        "%(actor)s added a webhook to %(host)s.", actor=a, host=d.get("host", "?")
    ),
    "webhook.events_changed": lambda a, d: _(
        "%(actor)s changed the events of the webhook to %(host)s.", actor=a, host=d.get("host", "?")
    ),
    "webhook.secret_rotated": lambda a, d: _(
        "%(actor)s replaced the secret of the webhook to %(host)s.",
        actor=a,
        host=d.get("host", "?"),
    ),
    "webhook.disabled": lambda a, d: _(
        "%(actor)s turned off the webhook to %(host)s.", actor=a, host=d.get("host", "?")
    ),
    "webhook.enabled": lambda a, d: _(
        "%(actor)s turned the webhook to %(host)s back on.", actor=a, host=d.get("host", "?")
    ),
    "webhook.deleted": lambda a, d: _(
        "%(actor)s deleted the webhook to %(host)s.", actor=a, host=d.get("host", "?")
    ),
    "webhook.auto_disabled": lambda a, d: ngettext(
        "The webhook to %(host)s was turned off after %(num)d delivery in a row failed.",
        "The webhook to %(host)s was turned off after %(num)d deliveries in a row failed.",
        _n(d, "failures"),
        host=d.get("host", "?"),
    ),
    "partner.invited": lambda a, d: _(
        "%(actor)s invited %(name)s to be a partner.", actor=a, name=d.get("name", "?")
    ),
    "partner.accepted": lambda a, d: _(
        "%(actor)s accepted, for %(name)s, to be a partner.", actor=a, name=d.get("name", "?")
    ),
    "partner.declined": lambda a, d: _(
        "%(actor)s declined, for %(name)s, to be a partner.", actor=a, name=d.get("name", "?")
    ),
    "partner.invitation_withdrawn": lambda a, d: _(
        "%(actor)s withdrew the invitation to %(name)s.", actor=a, name=d.get("name", "?")
    ),
    "partner.ended": lambda a, d: _(
        "%(actor)s ended the partnership with %(name)s.", actor=a, name=d.get("name", "?")
    ),
    "partner.left": lambda a, d: _(
        "%(actor)s took %(name)s out of the coalition.", actor=a, name=d.get("name", "?")
    ),
    "partner.settings_saved": lambda a, d: _(
        "%(actor)s changed the site or logo of the partner %(name)s.",
        actor=a,
        name=d.get("name", "?"),
    ),
    "campaign.group_changed": lambda a, d: _(
        "%(actor)s moved the campaign to the group “%(name)s”.", actor=a, name=d.get("name", "?")
    ),
}


def actor_name(entry: AuditLog) -> str:
    return entry.actor.display_name if entry.actor is not None else _("Cahier")


def describe(entry: AuditLog) -> str:
    """The entry as one sentence in the current locale."""
    actor = actor_name(entry)
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return _("%(actor)s made a change (%(code)s).", actor=actor, code=entry.action)
    return sentence(actor, entry.details or {})
