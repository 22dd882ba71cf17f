"""Sharing routes: QR codes, preview images, the Mastodon instance page (public), and the
team's "Share & print" page with the flyer and the sign-up sheet (organizers)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from organizer.campaigns import services as campaigns
from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission, can
from organizer.campaigns.share import mastodon_share_url
from organizer.campaigns.web import campaign_for, public_campaign
from organizer.events.models import EventStatus
from organizer.events.web import event_or_404
from organizer.sharing import printing, qr, services
from organizer.urls import external_url

bp = Blueprint("sharing", __name__)
PREVIEW_MAX_AGE = 60  # the count on the card is at most a minute old
# Shown only to their host and the organizers: never kept by a shared cache.
HIDDEN_EVENT_STATUSES = (EventStatus.PENDING, EventStatus.REJECTED)


def _share_box_for_slug(slug: str) -> services.ShareBox | None:
    campaign = campaigns.get_by_slug(slug)
    return services.share_box(campaign) if campaign is not None else None


def _init_template_helpers(app: App) -> None:
    app.add_template_global(services.share_box, "share_box")
    app.add_template_global(_share_box_for_slug, "share_box_for_slug")
    app.add_template_global(
        lambda campaign: external_url("sharing.campaign_preview", slug=campaign.slug),
        "campaign_preview_url",
    )
    app.add_template_global(
        lambda event_id: external_url("sharing.event_preview", event_id=event_id),
        "event_preview_url",
    )


bp.record_once(lambda state: _init_template_helpers(state.app))


def _campaign_or_team(slug: str) -> Campaign:
    """A public campaign, or one whose team the reader is on (to print before launch)."""
    campaign = campaigns.get_by_slug(slug)
    if campaign is None:
        abort(404)
    if not campaign.is_public and not can(current_user, campaign, Permission.VIEW_DRAFT):
        abort(404)
    return campaign


def _image(body: bytes, mimetype: str, public: bool, max_age: int, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}" if public else "private, no-store"
    )
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@bp.get("/c/<slug>/qr.svg")
def qr_svg(slug: str) -> ResponseReturnValue:
    campaign = _campaign_or_team(slug)
    body = qr.svg(services.street_url(campaign, "qr"))
    return _image(body, "image/svg+xml", campaign.is_public, 3600, f"{campaign.slug}-qr.svg")


@bp.get("/c/<slug>/qr.png")
def qr_png(slug: str) -> ResponseReturnValue:
    campaign = _campaign_or_team(slug)
    body = qr.png(services.street_url(campaign, "qr"))
    return _image(body, "image/png", campaign.is_public, 3600, f"{campaign.slug}-qr.png")


@bp.get("/c/<slug>/preview.png")
def campaign_preview(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    body = services.campaign_image(campaign)
    return _image(body, "image/png", True, PREVIEW_MAX_AGE, f"{campaign.slug}.png")


@bp.get("/events/<int:event_id>/preview.png")
def event_preview(event_id: int) -> ResponseReturnValue:
    event = event_or_404(event_id)
    body = services.event_image(event)
    public = event.campaign.is_public and event.status not in HIDDEN_EVENT_STATUSES
    return _image(body, "image/png", public, PREVIEW_MAX_AGE, f"screening-{event.id}.png")


@bp.get("/c/<slug>/share/mastodon")
def mastodon(slug: str) -> ResponseReturnValue:
    """Asks for the visitor's instance. With JavaScript, static/js/share.js keeps it in
    localStorage and goes straight there; without, the form comes back here and the page
    offers the link. Nothing is stored on the server, and there is no redirect elsewhere."""
    campaign = public_campaign(slug)
    link = services.mastodon_link(campaign)
    typed = request.args.get("instance", "")[:300]
    instance = services.mastodon_instance(typed) if typed else None
    body = render_template(
        "sharing/mastodon.html", campaign=campaign, link=link, typed=typed, instance=instance,
        target=mastodon_share_url(instance, link.text) if instance else None,
    )  # fmt: skip
    response = Response(body, status=400 if typed and not instance else 200)
    if typed:
        response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/organize/<slug>/share")
@login_required
def organize(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    return render_template(
        "sharing/organize.html",
        campaign=campaign,
        box=services.share_box(campaign),
        languages=current_app.config["LANGUAGES"],
        qr_url=services.street_url(campaign, "qr"),
        flyer_url=services.street_url(campaign, "flyer"),
    )


def _language(lang: str) -> str:
    if lang not in current_app.config["LANGUAGES"]:
        abort(404)
    return lang


def _pdf(body: bytes, filename: str) -> Response:
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",  # it prints the count of the moment
        },
    )


@bp.get("/organize/<slug>/share/flyer-<lang>.pdf")
@login_required
def flyer(slug: str, lang: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    language = _language(lang)
    return _pdf(printing.flyer(campaign, language), f"{campaign.slug}-flyer-{language}.pdf")


@bp.get("/organize/<slug>/share/sheet-<lang>.pdf")
@login_required
def sign_up_sheet(slug: str, lang: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    language = _language(lang)
    body = printing.sign_up_sheet(campaign, language)
    return _pdf(body, f"{campaign.slug}-sign-up-sheet-{language}.pdf")
