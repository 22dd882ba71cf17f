"""Group pages: the public page, "your groups", and the team's dashboard, team and settings.
Thin: forms in, services work, one commit here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.sansio.app import App
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.accounts.models import User
from organizer.campaigns.permissions import role_for
from organizer.extensions import db
from organizer.groups import dashboard, forms, services
from organizer.groups.models import Group, GroupMembership, GroupRole
from organizer.groups.permissions import (
    ROLE_NAMES,
    GroupPermission,
    can_in_group,
    group_by_slug_or_404,
    require_group,
)

bp = Blueprint("groups", __name__)
bp.record_once(lambda state: init_template_helpers(state.app))


def _current() -> User:
    user: User = current_user._get_current_object()
    return user


def _group_for(slug: str, permission: GroupPermission) -> tuple[Group, GroupRole]:
    group = group_by_slug_or_404(slug)
    return group, require_group(current_user, group, permission)


@bp.get("/groups/<slug>")
def public(slug: str) -> ResponseReturnValue:
    group = group_by_slug_or_404(slug)
    campaigns = dashboard.campaigns_of(group, public_only=True)
    return render_template("groups/public.html", group=group, campaigns=campaigns)


@bp.route("/organize/groups", methods=["GET", "POST"])
@login_required
def mine() -> ResponseReturnValue:
    form = forms.NewGroupForm()
    if form.validate_on_submit():
        try:
            group = services.new_group(
                _current(), form.name.data or "", form.description.data or ""
            )
        except services.GroupError as exc:
            form.name.errors = [str(exc)]
        else:
            db.session.commit()
            flash(
                _("The group %(name)s is created. You are its owner.", name=group.name), "success"
            )
            return redirect(url_for(".dashboard", slug=group.slug))
    memberships = services.groups_of(_current())
    return render_template("groups/mine.html", memberships=memberships, form=form)


@bp.get("/organize/groups/<slug>", endpoint="dashboard")
@login_required
def dashboard_page(slug: str) -> ResponseReturnValue:
    group, role = _group_for(slug, GroupPermission.VIEW_COUNTS)
    summary = dashboard.summary(group)
    opens = {c.id for c in summary.campaigns if role_for(c, current_user) is not None}
    return render_template(
        "groups/dashboard.html", group=group, role=role, summary=summary, opens=opens,
        starts_campaigns=role in services.CAMPAIGN_MAKERS,
    )  # fmt: skip


@bp.route("/organize/groups/<slug>/settings", methods=["GET", "POST"])
@login_required
def settings(slug: str) -> ResponseReturnValue:
    group, _role = _group_for(slug, GroupPermission.EDIT_SETTINGS)
    form = forms.SettingsForm(obj=group)
    if form.validate_on_submit():
        services.update_settings(
            group, _current(), name=form.name.data or "", description=form.description.data or "",
            postal_address=form.postal_address.data or "",
        )  # fmt: skip
        db.session.commit()
        flash(_("The group settings are saved."), "success")
        return redirect(url_for(".settings", slug=group.slug))
    return render_template("groups/settings.html", group=group, form=form)


@bp.route("/organize/groups/<slug>/team", methods=["GET", "POST"])
@login_required
def team(slug: str) -> ResponseReturnValue:
    group, _role = _group_for(slug, GroupPermission.MANAGE_TEAM)
    form = forms.AddMemberForm()
    if form.validate_on_submit():
        try:
            added = services.add_member(
                group, _current(), form.email.data or "", GroupRole(form.role.data)
            )
        except services.GroupError as exc:
            form.email.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("%(name)s is on the team.", name=added.user.display_name), "success")
            return redirect(url_for(".team", slug=group.slug))
    return _team_page(group, form)


def _team_page(group: Group, form: forms.AddMemberForm, errors: dict[int, str] | None = None,
               status: int = 200) -> ResponseReturnValue:  # fmt: skip
    return render_template(
        "groups/team.html", group=group, members=services.team(group), form=form,
        action_form=forms.ActionForm(), role_form=forms.RoleForm(), errors=errors or {},
    ), status  # fmt: skip


def _member_or_404(group: Group, membership_id: int) -> GroupMembership:
    found = services.member(group, membership_id)
    if found is None:
        abort(404)
    return found


@bp.post("/organize/groups/<slug>/team/<int:membership_id>/role")
@login_required
def change_role(slug: str, membership_id: int) -> ResponseReturnValue:
    group, _role = _group_for(slug, GroupPermission.MANAGE_TEAM)
    membership = _member_or_404(group, membership_id)
    form = forms.RoleForm()
    if not form.validate_on_submit():
        return _team_page(group, forms.AddMemberForm(formdata=None),
                          {membership.id: _("Choose one of the roles.")}, 400)  # fmt: skip
    try:
        services.change_role(group, _current(), membership, GroupRole(form.role.data))
    except services.GroupError as exc:
        return _team_page(group, forms.AddMemberForm(formdata=None), {membership.id: str(exc)}, 400)
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=membership.user.display_name,
            role=str(ROLE_NAMES[membership.role]).lower()), "success")  # fmt: skip
    return _after_team_change(group)


@bp.post("/organize/groups/<slug>/team/<int:membership_id>/remove")
@login_required
def remove(slug: str, membership_id: int) -> ResponseReturnValue:
    group, _role = _group_for(slug, GroupPermission.MANAGE_TEAM)
    membership = _member_or_404(group, membership_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    name = membership.user.display_name
    try:
        services.remove_member(group, _current(), membership)
    except services.GroupError as exc:
        return _team_page(group, forms.AddMemberForm(formdata=None), {membership.id: str(exc)}, 400)
    db.session.commit()
    flash(_("%(name)s is no longer on the team.", name=name), "success")
    return _after_team_change(group)


def _after_team_change(group: Group) -> ResponseReturnValue:
    # An owner who stepped down or left can no longer open the team page.
    if can_in_group(current_user, group, GroupPermission.MANAGE_TEAM):
        return redirect(url_for(".team", slug=group.slug))
    if can_in_group(current_user, group, GroupPermission.VIEW_COUNTS):
        return redirect(url_for(".dashboard", slug=group.slug))
    return redirect(url_for(".mine"))


def in_a_group() -> bool:
    """Whether the reader is on a group's team: the header then links to "My groups"."""
    if not getattr(current_user, "is_authenticated", False):
        return False
    return services.is_in_a_group(current_user.id)


def _group_can(group: Group, permission: str) -> bool:
    return can_in_group(current_user, group, GroupPermission(permission))


def init_template_helpers(app: App) -> None:
    app.add_template_global(in_a_group)
    app.add_template_global(_group_can, "group_can")
    app.jinja_env.globals["group_role_names"] = ROLE_NAMES
