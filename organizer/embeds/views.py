"""Public embed routes: /embed.js, the framed sign form and counter, the badge and oEmbed.

Thin: the signature domain signs (organizer.signatures.first), organizer.embeds.frame sets
the headers. Nothing here reads or writes a session or sets a cookie.
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, Response, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from organizer import ROOT
from organizer.campaigns import revisions
from organizer.campaigns.models import Campaign
from organizer.campaigns.web import public_campaign
from organizer.embeds import badge, frame, oembed, tokens
from organizer.embeds.frame import Options, cacheable, no_store
from organizer.extensions import csrf, db
from organizer.partners.lines import partner_lines
from organizer.security import public_form
from organizer.signatures import abuse, counting, first, signing
from organizer.signatures.forms import SignForm, signer_from
from organizer.signatures.settings import settings_for
from organizer.signatures.target import sign_target
from organizer.sources.services import clean_source

bp = Blueprint("embeds", __name__)
csrf.exempt(bp)
bp.after_request(frame.finish)

STATIC = ROOT / "organizer" / "static"


@bp.get("/embed.js")
def script() -> ResponseReturnValue:
    response = Response(_script(), mimetype="text/javascript")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@lru_cache(maxsize=1)
def _script() -> bytes:
    return (STATIC / "embed.js").read_bytes()


def _embeddable(slug: str) -> Campaign:
    campaign = public_campaign(slug)
    if revisions.published_revision(campaign) is None:
        abort(404)
    frame.allow_framing(campaign)
    return campaign


@bp.route("/embed/<slug>/sign", methods=["GET", "POST"])
@public_form
def sign(slug: str) -> ResponseReturnValue:
    campaign = _embeddable(slug)
    source = clean_source(campaign, request.values.get("source"))
    if request.method == "GET" and "source" in request.args and source is None:
        return frame.without_source()
    options = frame.options(campaign, source)
    with force_locale(options.lang):
        if request.method == "POST":
            return _post(campaign, options)
        form = SignForm(postal_code=settings_for(campaign).postal_code)
        return cacheable(_form_page(campaign, options, form))


def _form_page(
    campaign: Campaign,
    options: Options,
    form: SignForm,
    status: int = 200,
    challenge: str = "",
    expired: bool = False,
) -> Response:
    form.for_group(campaign.group.name).with_partners(partner_lines(campaign.id))
    body = render_template(
        "embeds/sign.html",
        campaign=campaign,
        options=options,
        form=form,
        form_token=tokens.issue(campaign.slug),
        is_open=signing.is_open(campaign),
        totals=counting.totals(campaign.id, campaign.signature_goal),
        challenge_language=challenge,
        expired=expired,
    )
    return Response(body, status=status, mimetype="text/html")


def _post(campaign: Campaign, options: Options) -> Response:
    target = sign_target(campaign.slug)
    if target is None:
        abort(404)
    form = SignForm(postal_code=target.postal_code).with_partners(partner_lines(target.campaign_id))
    if not target.is_open:
        return no_store(_form_page(campaign, options, form, 409))
    if not tokens.is_valid(request.form.get("form_token", ""), campaign.slug):
        # Open too long (or not served by us): the same form again, their details kept.
        form.validate()
        return no_store(_form_page(campaign, options, form, 400, expired=True))
    if not form.validate():
        return no_store(_form_page(campaign, options, form, 400))
    signer = signer_from(form, options.lang, options.source)
    if signer is None:
        return no_store(_form_page(campaign, options, form, 400))
    screening = signing.screen(target.campaign_id, signer)
    if screening.reason == abuse.CHALLENGE:
        language = "fr-fr" if options.lang == "fr" else "en"
        return no_store(_form_page(campaign, options, form, challenge=language))
    try:
        first.sign(target, signer, screening)
        db.session.commit()
    except IntegrityError:
        # The same address signed in a concurrent request, which sent the email.
        db.session.rollback()
    # What the main sign form answers, whatever happened (signatures.views._check_email):
    # the answer must not tell a stranger whether this address had signed before.
    body = render_template(
        "embeds/check_email.html", campaign=campaign, options=options, email=signer.address.email
    )
    return no_store(Response(body, mimetype="text/html"))


@bp.get("/embed/<slug>/count")
def count(slug: str) -> ResponseReturnValue:
    campaign = _embeddable(slug)
    options = frame.options(campaign, None)
    with force_locale(options.lang):
        body = render_template(
            "embeds/count.html",
            campaign=campaign,
            options=options,
            totals=counting.totals(campaign.id, campaign.signature_goal),
        )
    return cacheable(Response(body, mimetype="text/html"))


@bp.get("/c/<slug>/badge.svg")
def badge_svg(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    with force_locale(frame.language(campaign)):
        svg = badge.render(campaign, counting.totals(campaign.id, campaign.signature_goal))
    response = cacheable(Response(svg, mimetype="image/svg+xml"))
    # An image, never a page: no script in it runs, whatever a title holds.
    response.headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'"
    return response


@bp.get("/oembed")
def oembed_json() -> ResponseReturnValue:
    if request.args.get("format", "json") != "json":
        # oEmbed says 501 here; a 4xx is what every other bad query gets from Cahier.
        return _oembed_error(400, _("Only the JSON format is available."))
    url = request.args.get("url", "")
    if not url:
        return _oembed_error(400, _("Give the address of a campaign page in “url”."))
    campaign = oembed.campaign_of(url)
    if campaign is None:
        return _oembed_error(404, _("This address is not a public campaign of this site."))
    with force_locale(frame.language(campaign)):
        document = oembed.document(campaign, oembed.max_size(request.args))
    return cacheable(jsonify(document))


def _oembed_error(status: int, message: str) -> Response:
    response = jsonify(error=message)
    response.status_code = status
    return response
