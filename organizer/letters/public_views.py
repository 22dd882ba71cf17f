"""Public pages: /verify, and the PDF of a letter that has been sent.

The same for every anonymous reader, and no cookie: nothing here touches the session.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue

from organizer.campaigns.web import public_campaign
from organizer.extensions import db
from organizer.letters import timeline
from organizer.letters.models import DocumentKind, Letter

bp = Blueprint("letters_public", __name__)


def _init(app: App) -> None:
    # The campaign page includes letters/_timeline.html, which calls this.
    app.add_template_global(timeline.timeline, "letters_timeline")


bp.record_once(lambda state: _init(state.app))


@bp.get("/verify")
def verify() -> ResponseReturnValue:
    raw = request.args.get("sha256", "")[:100]
    digest = timeline.normalize_hash(raw) if raw else None
    found = timeline.verify(digest) if digest else None
    status = 200
    if raw and digest is None:
        status = 400
    elif raw and found is None:
        status = 404
    return render_template("letters/verify.html", raw=raw, digest=digest, found=found), status


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
