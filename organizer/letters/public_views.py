"""Public pages: /verify (a sha256, its short form or the file itself), how to verify, and
the PDF of a letter that has been sent.

The same for every anonymous reader, and no cookie: nothing here touches the session.
"""

from __future__ import annotations

from typing import Any

from babel.units import format_unit
from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from werkzeug.exceptions import RequestEntityTooLarge

from organizer.campaigns import revisions, services
from organizer.campaigns.web import public_campaign
from organizer.extensions import db
from organizer.letters import timeline, verification
from organizer.letters.models import DocumentKind, Letter
from organizer.security import UPLOAD_SLACK_BYTES, public_form, upload_limit

MEGABYTE = 1024 * 1024

bp = Blueprint("letters_public", __name__)


def _init(app: App) -> None:
    # The campaign page includes letters/_timeline.html, which calls this.
    app.add_template_global(timeline.timeline, "letters_timeline")


bp.record_once(lambda state: _init(state.app))


@bp.get("/verify")
def verify() -> ResponseReturnValue:
    raw = request.args.get("sha256", "")[:100]
    digest = verification.normalize(raw) if raw else None
    matches = verification.find(digest) if digest else []
    status = 200
    if raw and digest is None:
        status = 400
    elif raw and not matches:
        status = 404
    return render_template(
        "letters/verify.html", raw=raw, digest=digest, matches=matches, **_limits()
    ), status


@bp.post("/verify")
@upload_limit("VERIFY_UPLOAD_MAX_BYTES")
@public_form(files=True)
def verify_file() -> ResponseReturnValue:
    limit = current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
    too_large = render_template("letters/verify.html", raw="", too_large=True, **_limits()), 413
    if (request.content_length or 0) > limit + UPLOAD_SLACK_BYTES:
        return too_large
    try:
        upload = request.files.get("file")
    except RequestEntityTooLarge:
        return too_large
    content = upload.read(limit + 1) if upload else b""
    if len(content) > limit:
        return too_large
    if not content:
        return render_template("letters/verify.html", raw="", no_file=True, **_limits()), 400
    check = verification.check_file(content)
    return render_template(
        "letters/verify.html", raw="", check=check, filename=upload.filename if upload else "",
        matches=check.matches, **_limits(),
    ), (200 if check.matches else 404)  # fmt: skip


def _limits() -> dict[str, Any]:
    limit = current_app.config["VERIFY_UPLOAD_MAX_BYTES"]
    if limit % MEGABYTE == 0:
        size = format_unit(limit // MEGABYTE, "digital-megabyte", "short", locale=get_locale())
    else:
        size = format_unit(limit, "digital-byte", "long", locale=get_locale())
    return {"max_size": size, "max_matches": verification.MAX_MATCHES}


@bp.get("/verify/how")
def how_to_verify() -> ResponseReturnValue:
    """The commands, and with ?c=<slug>&r=<n> the file and hash of one published text."""
    revision = None
    campaign = services.get_by_slug(request.args.get("c", "")[:80])
    number = request.args.get("r", "")[:9]
    if campaign is not None and campaign.is_public and number.isdigit():
        found = revisions.revision_by_number(campaign, int(number))
        revision = found if found is not None and found.is_published else None
    return render_template("letters/verify_how.html", revision=revision)


@bp.get("/c/<slug>/letters/<int:letter_id>.pdf")
def letter_pdf(slug: str, letter_id: int) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    letter = db.session.get(Letter, letter_id)
    if (
        letter is None
        or letter.campaign_id != campaign.id
        or letter.status not in timeline.PUBLIC_STATUSES
    ):
        abort(404)
    document = letter.document(DocumentKind.LETTER_PDF)
    if document is None:
        abort(404)
    return Response(
        document.content,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{document.filename}"'},
    )
