"""The campaign team: members and their roles, invitations, and the invitation link's page."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.campaigns import forms, services, team
from organizer.campaigns.models import Campaign, Role
from organizer.campaigns.permissions import ROLE_NAMES, Permission, can
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db

bp = Blueprint("campaign_team", __name__)


@bp.route("/organize/<slug>/team", methods=["GET", "POST"])
@login_required
def members(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.VIEW_DRAFT)
    manage = can(current(), campaign, Permission.MANAGE_TEAM)
    form = forms.InviteForm()
    if manage and form.validate_on_submit():
        try:
            team.invite(campaign, current(), form.email.data or "", Role(form.role.data))
        except services.CampaignError as exc:
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The invitation is on its way to %(email)s.", email=form.email.data), "success")
            return redirect(url_for(".members", slug=campaign.slug))
    return render_template(
        "campaigns/team.html", campaign=campaign, members=services.team(campaign),
        invitations=team.pending_invitations(campaign) if manage else [], form=form,
        action_form=forms.ActionForm(), role_form=forms.RoleForm(), manage=manage,
    )  # fmt: skip


def _after_change(campaign: Campaign) -> ResponseReturnValue:
    """Back to the team page, or to the dashboard when the change took that page away."""
    if can(current(), campaign, Permission.VIEW_DRAFT):
        return redirect(url_for(".members", slug=campaign.slug))
    return redirect(url_for("campaign_editor.dashboard"))


@bp.post("/organize/<slug>/team/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose one of the roles in the list."), "error")
        return redirect(url_for(".members", slug=campaign.slug))
    try:
        membership = team.change_role(campaign, current(), membership_id, Role(form.role.data))
    except services.CampaignError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".members", slug=campaign.slug))
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=membership.user.display_name,
            role=str(ROLE_NAMES[membership.role]).lower()), "success")  # fmt: skip
    return _after_change(campaign)


@bp.route("/organize/<slug>/team/<int:membership_id>/remove", methods=["GET", "POST"])
@login_required
def remove(slug: str, membership_id: int) -> ResponseReturnValue:
    """A page that asks first; only its button's POST removes the person."""
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    try:
        membership = team.member(campaign, membership_id)
    except services.CampaignError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".members", slug=campaign.slug))
    form = forms.ActionForm()
    if form.validate_on_submit():
        name = membership.user.display_name
        try:
            team.remove_member(campaign, current(), membership_id)
        except services.CampaignError as exc:
            flash(str(exc), "error")
            return redirect(url_for(".members", slug=campaign.slug))
        db.session.commit()
        flash(_("%(name)s is removed from the team.", name=name), "success")
        return _after_change(campaign)
    return render_template(
        "campaigns/team_remove.html", campaign=campaign, membership=membership, form=form,
        is_self=membership.user_id == current().id,
    )  # fmt: skip


@bp.route("/organize/<slug>/team/transfer", methods=["GET", "POST"])
@login_required
def transfer(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    others = [m for m in services.team(campaign) if m.user_id != current().id]
    form = forms.TransferForm()
    form.member.choices = [(m.id, f"{m.user.display_name} ({ROLE_NAMES[m.role]})") for m in others]
    if others and form.validate_on_submit():
        try:
            target = team.transfer_ownership(
                campaign, current(), form.member.data, bool(form.step_down.data)
            )
        except services.CampaignError as exc:
            form.member.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s is now an owner of %(title)s.", name=target.user.display_name,
                    title=campaign.title), "success")  # fmt: skip
            return _after_change(campaign)
    return render_template(
        "campaigns/team_transfer.html", campaign=campaign, form=form, has_others=bool(others)
    )


@bp.post("/organize/<slug>/team/two-factor")
@login_required
def require_two_factor(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    form = forms.ActionForm()
    wanted = request.form.get("require") == "1"
    if not form.validate_on_submit():
        flash(_("The setting could not be saved. Please try again."), "error")
    elif wanted and not current().has_two_factor:
        # Otherwise the owner would be sent away from the page they just changed.
        flash(_("Set up two-factor login for your own account first."), "error")
    else:
        campaign.require_two_factor = wanted
        db.session.commit()
        if wanted:
            flash(_("Every team member now needs two-factor login for this campaign."), "success")
        else:
            flash(_("Two-factor login is no longer required on this team."), "success")
    return redirect(url_for(".members", slug=campaign.slug) + "#two-factor")


@bp.post("/organize/<slug>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke(slug: str, invitation_id: int) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.MANAGE_TEAM)
    if forms.ActionForm().validate_on_submit():
        try:
            team.revoke(campaign, current(), invitation_id)
        except services.CampaignError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The invitation is cancelled."), "success")
    return redirect(url_for(".members", slug=campaign.slug))


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept(token: str) -> ResponseReturnValue:
    """The emailed link opens this page; only the button's POST, by the invited address,
    joins the team. Anyone else holding the link learns whom it is for, and nothing more."""
    invitation = team.invitation_for_token(token)
    if invitation is None:
        return render_template("campaigns/invitation_invalid.html"), 404
    user = current() if current_user.is_authenticated else None
    if user is None:
        return render_template("campaigns/invitation.html", invitation=invitation, user=None)
    form = forms.ActionForm()
    refused = None
    if form.validate_on_submit():
        try:
            membership = team.accept(token, user)
        except services.CampaignError as exc:
            refused = str(exc)
        else:
            db.session.commit()
            flash(_("You joined the team of %(title)s.", title=membership.campaign.title),
                  "success")  # fmt: skip
            return redirect(url_for("campaign_dashboard.overview", slug=membership.campaign.slug))
    page = render_template(
        "campaigns/invitation.html", invitation=invitation, user=user, form=form,
        is_for_me=team.is_for(invitation, user), refused=refused,
    )  # fmt: skip
    return page, 403 if refused else 200
