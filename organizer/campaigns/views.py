"""Public campaign pages: the listing, /c/<slug>, the change log and the JSON export.

These pages are the same for every anonymous reader and set no cookie: nothing here calls
csrf_token() or writes the session unless someone is logged in.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, make_response, render_template, request
from flask.typing import ResponseReturnValue

from organizer.campaigns import amendments, revisions, services
from organizer.campaigns.diff import diff_snapshots
from organizer.campaigns.forms import language_name
from organizer.campaigns.importing import export_snapshot
from organizer.campaigns.web import init_template_helpers, json_download, public_campaign
from organizer.db_reads import read_outside_a_transaction
from organizer.edge_cache import keep_until_the_second_ends
from organizer.urls import external_url, int_arg, page_number

bp = Blueprint("campaigns", __name__)
bp.record_once(lambda state: init_template_helpers(state.app))


@bp.get("/campaigns")
def index() -> ResponseReturnValue:
    query = request.args.get("q", "")[:200]
    language = request.args.get("lang", "")[:8]
    page = page_number(request.args)
    found = services.public_campaigns(query, language, page)
    return render_template(
        "campaigns/index.html",
        campaigns=found[: services.PAGE_SIZE],
        has_next=len(found) > services.PAGE_SIZE,
        page=page,
        query=query,
        language=language,
        languages=[(code, language_name(code)) for code in services.public_languages()],
    )


@bp.get("/c/<slug>")
def page(slug: str) -> ResponseReturnValue:
    # Reading only (tests/campaigns/test_page_queries.py): no BEGIN or ROLLBACK round trip,
    # unless a session's user was already read in a transaction.
    read_outside_a_transaction()
    campaign = public_campaign(slug, with_group=True)
    published = revisions.published_history(campaign)
    if not published:
        abort(404)
    html = render_template(
        "campaigns/page.html",
        campaign=campaign,
        revision=published[0],
        organizers=services.organizer_names(campaign),
        open_amendments=amendments.open_amendments(campaign),
        changelog=published,
        page_url=external_url("campaigns.page", slug=campaign.slug),
    )
    # The page shows the count too: no older through nginx than count.json.
    return keep_until_the_second_ends(make_response(html))


@bp.get("/c/<slug>/changes")
def changes(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    published = revisions.revisions(campaign, published_only=True)
    numbers = [r.number for r in published]
    to_number = int_arg(request.args, "to", numbers[0] if numbers else 0)
    default_from = next((n for n in numbers if n < (to_number or 0)), 0)
    from_number = int_arg(request.args, "from", default_from)
    by_number = {r.number: r for r in published}
    new = by_number.get(to_number or 0)
    if new is None or (from_number and from_number not in by_number):
        abort(404)
    old = by_number.get(from_number or 0)
    diff = diff_snapshots(old.snapshot if old else _EMPTY, new.snapshot)
    return render_template(
        "campaigns/changes.html", campaign=campaign, old=old, new=new, diff=diff,
        revisions=published,
    )  # fmt: skip


_EMPTY = {"preamble": "", "sections": []}


@bp.get("/c/<slug>/grievances.json")
def grievances_json(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    number = int_arg(request.args, "revision")
    revision = (
        revisions.revision_by_number(campaign, number)
        if number
        else revisions.published_revision(campaign)
    )
    if revision is None or not revision.is_published:
        abort(404)
    document = export_snapshot(
        revision.snapshot, campaign.title, campaign.language, revision.number,
        revision.content_hash,
    )  # fmt: skip
    return json_download(document, f"{campaign.slug}-r{revision.number}.json")


@bp.get("/c/<slug>/revisions/<int:number>/canonical.json")
def canonical(slug: str, number: int) -> ResponseReturnValue:
    """The exact bytes that were hashed: sha256sum of this file is the published hash."""
    campaign = public_campaign(slug)
    revision = revisions.revision_by_number(campaign, number)
    if revision is None or not revision.is_published:
        abort(404)
    return Response(
        revisions.canonical_json(revision.snapshot),
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="canonical.json"',
            # A published revision never changes (DESIGN.md decision 17).
            "Cache-Control": "public, max-age=31536000, immutable",
        },
    )
