"""Coalition pages: the campaign's partners (its owners invite and end), the partner
group's partnerships (its owners accept, decline and leave; its team sets the site and the
logo), and each partner's logo, public and cacheable. Thin: forms in, services work, one
commit here."""

from __future__ import annotations

import hashlib

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for
from organizer.embeds.snippets import snippet
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.groups.permissions import (
    GroupPermission,
    can_in_group,
    group_by_slug_or_404,
    require_group,
)
from organizer.partners import forms, services, totals
from organizer.partners.models import Partner, PartnerStatus

bp = Blueprint("partners", __name__)
bp.record_once(lambda state: init_template_helpers(state.app))

LOGO_MAX_AGE = 24 * 3600


def _current() -> User:
    user: User = current_user._get_current_object()
    return user


# --- The campaign's side ------------------------------------------------------------------


@bp.route("/organize/<slug>/partners", methods=["GET", "POST"], endpoint="campaign")
@login_required
def campaign_partners(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    form = forms.InviteForm()
    status = 200
    if form.validate_on_submit():
        try:
            partner = services.invite(campaign, form.slug.data or "", _current())
        except services.PartnerError as exc:
            form.slug.errors = [str(exc)]
            status = 400
        else:
            db.session.commit()
            flash(_("%(name)s is invited. Its owners accept or decline on their group's "
                    "dashboard.", name=partner.group.name), "success")  # fmt: skip
            return redirect(url_for(".campaign", slug=campaign.slug))
    elif form.is_submitted():
        status = 400
    return render_template(
        "partners/campaign.html", campaign=campaign, form=form, action_form=forms.ActionForm(),
        partners=services.partners_of(campaign),
    ), status  # fmt: skip


@bp.post("/organize/<slug>/partners/<int:partner_id>/end")
@login_required
def end(slug: str, partner_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    partner = services.partner_of_campaign(campaign, partner_id) or abort(404)
    _check_button()
    was_invited = partner.status == PartnerStatus.INVITED
    if _apply(lambda: services.leave(partner, _current(), by_campaign=True)):
        if was_invited:
            flash(_("The invitation to %(name)s is withdrawn.", name=partner.group.name),
                  "success")  # fmt: skip
        else:
            flash(_("%(name)s is no longer a partner. The consents signers gave it stay.",
                    name=partner.group.name), "success")  # fmt: skip
    return redirect(url_for(".campaign", slug=campaign.slug))


# --- The partner group's side -------------------------------------------------------------


def _group_for(slug: str, permission: GroupPermission) -> Group:
    group = group_by_slug_or_404(slug)
    require_group(current_user, group, permission)
    return group


def _partnership(group: Group, partner_id: int) -> Partner:
    return services.partner_of_group(group, partner_id) or abort(404)


@bp.get("/organize/groups/<slug>/partnerships", endpoint="partnerships")
@login_required
def partnerships(slug: str) -> ResponseReturnValue:
    group = _group_for(slug, GroupPermission.VIEW_COUNTS)
    found = services.partnerships_of(group, tuple(PartnerStatus))
    return render_template(
        "partners/partnerships.html", group=group, partnerships=found,
        totals={p.id: totals.partner_totals(p) for p in found
                if p.status != PartnerStatus.DECLINED},
        snippets={p.id: snippet(p.campaign, source=p.source_code)
                  for p in found if p.status == PartnerStatus.ACTIVE},
        action_form=forms.ActionForm(), origin_form=forms.OriginForm(formdata=None),
        logo_form=forms.LogoForm(formdata=None),
    )  # fmt: skip


@bp.post("/organize/groups/<slug>/partnerships/<int:partner_id>/<any(accept, decline, leave):step>")
@login_required
def answer(slug: str, partner_id: int, step: str) -> ResponseReturnValue:
    group = _group_for(slug, GroupPermission.MANAGE_TEAM)
    partner = _partnership(group, partner_id)
    _check_button()
    actions = {
        "accept": lambda: services.accept(partner, _current()),
        "decline": lambda: services.decline(partner, _current()),
        "leave": lambda: services.leave(partner, _current(), by_campaign=False),
    }
    if _apply(actions[step]):
        flash(_answered(step, group.name, partner.campaign.title), "success")
    if step == "decline" and request.form.get("next") == "dashboard":
        return redirect(url_for("groups.dashboard", slug=group.slug))
    return redirect(url_for(".partnerships", slug=group.slug))


@bp.post("/organize/groups/<slug>/partnerships/<int:partner_id>/origin")
@login_required
def origin(slug: str, partner_id: int) -> ResponseReturnValue:
    group = _group_for(slug, GroupPermission.EDIT_SETTINGS)
    partner = _partnership(group, partner_id)
    form = forms.OriginForm()
    if not form.validate_on_submit():
        abort(400)
    if _apply(lambda: services.set_origin(partner, _current(), form.origin.data or "")):
        flash(_("Your site is saved."), "success")
    return redirect(url_for(".partnerships", slug=group.slug) + f"#partner-{partner.id}")


@bp.post("/organize/groups/<slug>/partnerships/<int:partner_id>/logo")
@login_required
def logo_upload(slug: str, partner_id: int) -> ResponseReturnValue:
    group = _group_for(slug, GroupPermission.EDIT_SETTINGS)
    partner = _partnership(group, partner_id)
    if request.form.get("remove"):
        _check_button()
        done = _apply(lambda: services.remove_logo(partner, _current()))
        message = _("The logo is removed.")
    else:
        form = forms.LogoForm()
        if not form.validate_on_submit():
            flash(" ".join(str(e) for e in form.logo.errors) or _("Choose a PNG or JPEG file."),
                  "error")  # fmt: skip
            return redirect(url_for(".partnerships", slug=group.slug) + f"#partner-{partner.id}")
        data = form.logo.data.read(services.logos.MAX_BYTES + 1)
        done = _apply(lambda: services.set_logo(partner, _current(), data))
        message = _("The logo is saved. It shows on the campaign page while you are a partner.")
    if done:
        flash(message, "success")
    return redirect(url_for(".partnerships", slug=group.slug) + f"#partner-{partner.id}")


def _answered(step: str, group: str, title: str) -> str:
    if step == "accept":
        return _("%(group)s is now a partner of “%(title)s”.", group=group, title=title)
    if step == "decline":
        return _("%(group)s declined the invitation of “%(title)s”.", group=group, title=title)
    return _(
        "%(group)s has left the coalition of “%(title)s”. The consents signers gave it stay.",
        group=group, title=title,
    )  # fmt: skip


def _check_button() -> None:
    if not forms.ActionForm().validate_on_submit():
        abort(400)


def _apply(action: object) -> bool:
    """Run the service and commit; a refusal is flashed, and nothing is written."""
    try:
        action()  # type: ignore[operator]
    except services.PartnerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False
    db.session.commit()
    return True


# --- Public --------------------------------------------------------------------------------


@bp.get("/partners/<public_id>/logo")
def logo(public_id: str) -> ResponseReturnValue:
    row = db.session.execute(
        select(Partner.logo, Partner.logo_mime).where(
            Partner.public_id == public_id[:36], Partner.status == PartnerStatus.ACTIVE
        )
    ).first()
    if row is None or row.logo is None:
        abort(404)
    etag = hashlib.sha256(row.logo).hexdigest()[:32]
    response = Response(row.logo, mimetype=row.logo_mime or "application/octet-stream")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={LOGO_MAX_AGE}"
    return response.make_conditional(request)


def invitations_for(group: Group) -> list[Partner]:
    """Invitations the group's owners can answer, for their dashboard."""
    if not can_in_group(current_user, group, GroupPermission.MANAGE_TEAM):
        return []
    return services.partnerships_of(group, (PartnerStatus.INVITED,))


def coalition(campaign: Campaign, total: int) -> totals.Breakdown | None:
    return totals.breakdown(campaign.id, total)


def init_template_helpers(app: App) -> None:
    app.add_template_global(invitations_for, "partner_invitations")
    app.add_template_global(coalition)
    app.jinja_env.globals["partner_action_form"] = forms.ActionForm
