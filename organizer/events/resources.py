"""Host resources: the discussion guide and the technical guide, PDFs the organizers
upload and only hosts of approved screenings of the campaign may download."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import exists, select

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission, can
from organizer.events.models import Event, EventStatus, HostResource, ResourceKind
from organizer.extensions import db

PDF_MAGIC = b"%PDF-"


class ResourceError(ValueError):
    """An upload the rules refuse; the message is for the person (already translated)."""


def storage_dir(campaign: Campaign) -> Path:
    return Path(current_app.config["HOST_RESOURCES_PATH"]) / str(campaign.id)


def _read_limited(stream: IO[bytes], limit: int) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ResourceError(
            ngettext(
                "The file is too large: at most %(num)d MB.",
                "The file is too large: at most %(num)d MB.",
                max(1, limit // 1_000_000),
            )
        )
    return data


def upload(
    campaign: Campaign, uploader: User, kind: ResourceKind, filename: str, stream: IO[bytes]
) -> HostResource:
    data = _read_limited(stream, int(current_app.config["HOST_RESOURCE_MAX_BYTES"]))
    if not data.startswith(PDF_MAGIC):
        raise ResourceError(_("Only PDF files are accepted."))
    digest = hashlib.sha256(data).hexdigest()
    folder = storage_dir(campaign)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{kind.value}-{digest[:16]}.pdf"
    (folder / stored_name).write_bytes(data)
    resource = db.session.scalar(
        select(HostResource).where(
            HostResource.campaign_id == campaign.id, HostResource.kind == kind
        )
    ) or HostResource(campaign_id=campaign.id, kind=kind)
    resource.filename = _safe_name(filename, kind)
    resource.stored_name = stored_name
    resource.size = len(data)
    resource.sha256 = digest
    resource.uploaded_by_id = uploader.id
    db.session.add(resource)
    db.session.flush()
    return resource


def _safe_name(filename: str, kind: ResourceKind) -> str:
    stem = "".join(c for c in Path(filename or "").stem if c.isalnum() or c in "-_ ")[:80].strip()
    return f"{stem or kind.value}.pdf"


def for_campaign(campaign: Campaign) -> dict[ResourceKind, HostResource]:
    rows = db.session.scalars(select(HostResource).where(HostResource.campaign_id == campaign.id))
    return {r.kind: r for r in rows}


def may_download(user: object, campaign: Campaign) -> bool:
    """Hosts of an approved (or completed) screening of the campaign, and its organizers."""
    if not getattr(user, "is_authenticated", False):
        return False
    if can(user, campaign, Permission.MANAGE_EVENTS):
        return True
    hosts = exists().where(
        Event.campaign_id == campaign.id,
        Event.host_id == user.id,  # type: ignore[attr-defined]
        Event.status.in_((EventStatus.APPROVED, EventStatus.COMPLETED)),
    )
    return bool(db.session.scalar(select(hosts)))


def path_of(resource: HostResource) -> Path:
    return storage_dir(resource.campaign) / resource.stored_name
