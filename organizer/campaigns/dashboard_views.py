"""A campaign's pages for its team that belong to no single tool: its dashboard, the list of
amendments, the audit log and the exports. Read-only, so no commit here."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.audit.pages import render_campaign_log
from organizer.campaigns import amendments, dashboard, services
from organizer.campaigns.models import AmendmentStatus, Role
from organizer.campaigns.permissions import Permission, role_for
from organizer.campaigns.web import campaign_for

bp = Blueprint("campaign_dashboard", __name__, url_prefix="/organize")
bp.add_app_template_global(
    lambda campaign: dashboard.tools_for(campaign, current_user), "organizer_tools"
)
bp.add_app_template_global(format_decimal, "format_number")
bp.add_app_template_global(lambda whole: format_percent(whole / 100), "format_percent_of_100")


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every organizer page needs a login; the role is checked per campaign below."""


@bp.get("/<slug>")
def overview(slug: str) -> ResponseReturnValue:
    campaign = services.get_by_slug(slug)
    if campaign is not None and role_for(campaign, current_user) == Role.HOST:
        # A host runs screenings, not the campaign: their tools are on their events page.
        return redirect(url_for("event_host.mine"))
    campaign, role = campaign_for(slug, Permission.VIEW_DRAFT)
    return render_template(
        "campaigns/overview.html",
        campaign=campaign,
        role=role,
        overview=dashboard.overview(campaign, current_user),
        tools=dashboard.tools_for(campaign, current_user),
    )


def _status() -> AmendmentStatus:
    try:
        return AmendmentStatus(request.args.get("status", AmendmentStatus.OPEN))
    except ValueError:
        abort(400, description=_("Show open, accepted or declined amendments."))


@bp.get("/<slug>/amendments", endpoint="amendments")
def amendments_list(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.DECIDE_AMENDMENTS)
    status = _status()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    found, has_next = amendments.amendments_page(campaign, status, page)
    return render_template(
        "campaigns/amendments.html",
        campaign=campaign,
        status=status,
        page=page,
        amendments=found,
        has_next=has_next,
        counts=amendments.status_counts(campaign),
    )


@bp.get("/<slug>/audit")
def audit(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MODERATE_SIGNATURES)
    return render_campaign_log(campaign, request.args.get("page", 1, type=int) or 1)


@bp.get("/<slug>/exports")
def exports(slug: str) -> ResponseReturnValue:
    campaign, role = campaign_for(slug, Permission.VIEW_DRAFT)
    return render_template(
        "campaigns/exports.html",
        campaign=campaign,
        can_export_signatures=role in (Role.OWNER, Role.ORGANIZER),
    )
