"""Public signature pages: sign, confirm, count.json, the signers wall and pledges.

Anonymous pages are identical for every visitor and set no cookie: the forms carry no token
(@public_form checks the origin instead) and nothing here touches the session.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from sqlalchemy.exc import IntegrityError

from organizer.campaigns import revisions
from organizer.campaigns.models import Campaign, Revision
from organizer.campaigns.web import public_campaign
from organizer.db_reads import read_outside_a_transaction
from organizer.edge_cache import keep_until_the_second_ends
from organizer.extensions import db
from organizer.partners.lines import PartnerLine, partner_lines
from organizer.security import public_form
from organizer.signatures import (
    abuse,
    answers,
    challenge,
    confirmation,
    counting,
    first,
    pledges,
    signing,
    wall,
)
from organizer.signatures.forms import SignForm, signer_from
from organizer.signatures.mailing import manage_url
from organizer.signatures.models import Pledge, PledgeStatus
from organizer.signatures.panel import init_template_helpers
from organizer.signatures.quick_form import quick_signer
from organizer.signatures.settings import settings_for
from organizer.signatures.signing import Signer
from organizer.signatures.target import SignTarget, sign_target
from organizer.sources.web import posted_source
from organizer.urls import external_url, page_number

bp = Blueprint("signatures", __name__)
bp.record_once(lambda state: init_template_helpers(state.app))


def _signable(slug: str) -> tuple[Campaign, Revision]:
    campaign = public_campaign(slug)
    revision = revisions.published_revision(campaign)
    if revision is None:
        abort(404)
    return campaign, revision


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _check_email(slug: str, email: str, pledge: Pledge | None = None) -> str:
    # Whatever happened (new, re-sent, suspect, capped), the visitor sees the same page.
    if pledge is None and not _has_session_cookie():
        return answers.check_email_page(slug, _locale(), email)
    return render_template("signatures/check_email.html", slug=slug, email=email, pledge=pledge)


def _has_session_cookie() -> bool:
    config = current_app.config
    names = (config["SESSION_COOKIE_NAME"], config.get("REMEMBER_COOKIE_NAME", "remember_token"))
    return any(name in request.cookies for name in names)


def _submit(
    campaign: Campaign, revision: Revision, form: SignForm, pledge: Pledge | None = None
) -> ResponseReturnValue | None:
    signer = signer_from(form, _locale(), posted_source(campaign.id))
    if signer is None:
        return None
    screening = signing.screen(campaign.id, signer)
    if screening.reason == abuse.CHALLENGE:
        return _no_store(
            render_template(
                "signatures/pledge.html",
                campaign=campaign,
                pledge=pledge,
                form=form,
                is_open=True,
                challenge_language=_challenge_language(),
            )
        )
    try:
        signing.sign(campaign, revision, signer, pledge, screening)
        db.session.commit()
    except IntegrityError:
        # The same address signed in a concurrent request, which sent the email.
        db.session.rollback()
    return _check_email(campaign.slug, signer.address.email, pledge)


def _submit_first(
    target: SignTarget, signer: Signer, form: Callable[[], SignForm]
) -> ResponseReturnValue:
    """The sign form's hot path (organizer.signatures.first), or the form again with a
    challenge to solve when the connection is past its per-IP limit: nothing is stored then."""
    screening = signing.screen(target.campaign_id, signer)
    if screening.reason == abuse.CHALLENGE:
        return _sign_page(target.slug, form(), _challenge_language())
    try:
        first.sign(target, signer, screening)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    return _check_email(target.slug, signer.address.email)


def _challenge_language() -> str:
    # The widget's own strings: it ships French as fr-fr, English built in.
    return "fr-fr" if _locale().startswith("fr") else "en"


@bp.route("/c/<slug>/sign", methods=["GET", "POST"])
@public_form
def sign(slug: str) -> ResponseReturnValue:
    form = None
    if request.method == "POST":
        target = sign_target(slug)
        if target is None:
            abort(404)
        if not target.is_open:
            abort(409, description=_closed_message())
        lines = partner_lines(target.campaign_id)
        source = posted_source(target.campaign_id)
        signer = quick_signer(target.postal_code, lines, _locale(), source)
        if signer is not None:
            return _submit_first(target, signer, lambda: _validated(target, lines))
        # Not plain: the form itself judges, and shows what is wrong.
        form = SignForm(postal_code=target.postal_code).with_partners(lines)
        if not form.validate():
            return _sign_page(slug, form)
        signer = signer_from(form, _locale(), source)
        if signer is not None:
            return _submit_first(target, signer, lambda: form)
    return _sign_page(slug, form)


def _validated(target: SignTarget, lines: tuple[PartnerLine, ...]) -> SignForm:
    """The form as WTForms reads it, for the page that asks for a challenge."""
    form = SignForm(postal_code=target.postal_code).with_partners(lines)
    form.validate()
    return form


def _sign_page(slug: str, form: SignForm | None, challenge_language: str = "") -> Response:
    campaign, _revision = _signable(slug)
    if form is None:
        form = SignForm(postal_code=settings_for(campaign).postal_code)
    form.for_group(campaign.group.name).with_partners(partner_lines(campaign.id))
    is_open = signing.is_open(campaign)
    body = render_template(
        "signatures/sign.html",
        campaign=campaign,
        form=form,
        is_open=is_open,
        challenge_language=challenge_language,
    )
    # A page showing what someone typed is theirs alone.
    return _no_store(body) if request.method == "POST" else Response(body, mimetype="text/html")


@bp.get("/c/<slug>/challenge")
def sign_challenge(slug: str) -> ResponseReturnValue:
    """A fresh proof-of-work challenge for this campaign and connection (ALTCHA v2)."""
    target = sign_target(slug)
    if target is None:
        abort(404)
    issued = challenge.issue(target.campaign_id, abuse.ip_hmac(request.remote_addr))
    response = jsonify(issued)
    response.headers["Cache-Control"] = "no-store"
    return response


def _closed_message() -> str:
    from flask_babel import gettext as _

    return _("This campaign is closed: it no longer takes signatures.")


@bp.route("/s/confirm/<token>", methods=["GET", "POST"])
@public_form
def confirm(token: str) -> ResponseReturnValue:
    if request.method == "POST":
        signature = confirmation.confirm(token)
        if signature is None:
            return _used_or_invalid(token)
        campaign = signature.campaign
        page_url = external_url("campaigns.page", slug=campaign.slug)
        # Rendered before the commit, which expires what the page reads: after it, the
        # signature and its campaign were each loaded again.
        body = render_template(
            "signatures/confirmed.html",
            campaign=campaign,
            signature=signature,
            page_url=page_url,
            manage_url=manage_url(signature),
        )
        db.session.commit()
        return _no_store(body)
    # A GET never confirms: mail scanners open links before people do.
    signature = confirmation.signature_for_token(token)
    if signature is None:
        return _used_or_invalid(token)
    return _no_store(render_template("signatures/confirm.html", signature=signature))


def _used_or_invalid(token: str) -> Response:
    signature = confirmation.already_confirmed_by(token)
    if signature is None:
        return _no_store(render_template("signatures/link_invalid.html"), 400)
    return _no_store(
        render_template(
            "signatures/already_confirmed.html",
            campaign=signature.campaign,
            manage_url=manage_url(signature),
        )
    )


def _no_store(body: str, status: int = 200) -> Response:
    response = Response(body, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/c/<slug>/count.json")
def count_json(slug: str) -> ResponseReturnValue:
    read_outside_a_transaction()
    found = counting.public_counters(slug)
    if found is None:
        abort(404)
    totals = found.counters.totals
    response = jsonify(
        campaign=slug,
        signatures=totals.online,
        offline=totals.offline,
        total=totals.total,
        goal=totals.goal,
        percent=totals.percent,
        by_country=dict(counting.breakdown(found.campaign_id, found.counters.stamp).countries),
    )
    config = current_app.config
    response.headers["Cache-Control"] = (
        f"public, max-age={config['COUNT_JSON_MAX_AGE_SECONDS']}, "
        f"stale-while-revalidate={config['COUNT_JSON_STALE_SECONDS']}"
    )
    response.headers["Access-Control-Allow-Origin"] = "*"
    return keep_until_the_second_ends(response)


@bp.get("/c/<slug>/signers")
def signers(slug: str) -> ResponseReturnValue:
    campaign = public_campaign(slug)
    page = page_number(request.args, maximum=wall.MAX_PAGE)
    names = wall.public_signers(campaign, page)
    return render_template(
        "signatures/signers.html",
        campaign=campaign,
        signers=names[: wall.PAGE_SIZE],
        page=page,
        has_next=len(names) > wall.PAGE_SIZE,
    )


@bp.route("/c/<slug>/pledges/<int:pledge_id>", methods=["GET", "POST"])
@public_form
def pledge(slug: str, pledge_id: int) -> ResponseReturnValue:
    campaign, revision = _signable(slug)
    found = pledges.get_pledge(campaign, pledge_id)
    if found is None:
        abort(404)
    form = (
        SignForm(postal_code=settings_for(campaign).postal_code)
        .for_group(campaign.group.name)
        .with_partners(partner_lines(campaign.id))
    )
    is_open = found.status == PledgeStatus.OPEN and signing.is_open(campaign)
    if request.method == "POST" and not is_open:
        abort(409, description=_closed_message())
    if form.validate_on_submit():
        done = _submit(campaign, revision, form, found)
        if done is not None:
            return done
    return render_template(
        "signatures/pledge.html", campaign=campaign, pledge=found, form=form, is_open=is_open
    )
