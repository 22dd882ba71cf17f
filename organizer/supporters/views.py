"""The group's supporter list, supporter page, tags, CSV export and import.

The list's filters live in the query string (``in=country:FR&ex=tag:3&q=ada&mailable=1``),
so that a filtered list is a link; tagging in bulk and the export act on that same selection.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from wtforms import SelectChoice

from organizer.audit.services import record
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.groups.permissions import (
    GroupPermission,
    can_in_group,
    group_by_slug_or_404,
    require_group,
)
from organizer.mailings import filters
from organizer.supporters import exporting, forms, importing, received, tags
from organizer.supporters.actions import actions_of
from organizer.supporters.audience import Audience, Condition, InvalidCondition
from organizer.supporters.models import Supporter
from organizer.supporters.selection import Selection
from organizer.supporters.services import consent_history

bp = Blueprint("supporters", __name__)
PER_PAGE = 50
BASE = "/organize/groups/<slug>"


def _group(slug: str, permission: GroupPermission) -> Group:
    group = group_by_slug_or_404(slug)
    require_group(current_user, group, permission)
    return group


def _conditions(values: list[str], errors: list[str]) -> tuple[Condition, ...]:
    found = []
    for value in values:
        try:
            found.append(Condition.from_param(value))
        except InvalidCondition:
            errors.append(_("The filter %(filter)s cannot be read and was left out.", filter=value))
    return tuple(found)


def _selection(args: MultiDict[str, str]) -> tuple[Selection, list[str]]:
    errors: list[str] = []
    audience = Audience(
        includes=_conditions(args.getlist("in"), errors),
        excludes=_conditions(args.getlist("ex"), errors),
    )
    selection = Selection(
        audience=audience,
        search=args.get("q", "").strip()[:200],
        mailable_only=args.get("mailable") == "1",
    )
    return selection, errors


def _params(selection: Selection, **extra: Any) -> list[tuple[str, str]]:
    params = [("in", c.to_param()) for c in selection.audience.includes]
    params += [("ex", c.to_param()) for c in selection.audience.excludes]
    if selection.search:
        params.append(("q", selection.search))
    if selection.mailable_only:
        params.append(("mailable", "1"))
    params += [(k, str(v)) for k, v in extra.items() if v is not None]
    return params


def _list_url(group: Group, selection: Selection, endpoint: str = ".index", **extra: Any) -> str:
    query = urlencode(_params(selection, **extra))
    return url_for(endpoint, slug=group.slug) + (f"?{query}" if query else "")


def _added(selection: Selection, args: MultiDict[str, str]) -> Selection | None:
    """The selection with the filter the "add a filter" form asks for, if it asks."""
    choice = args.get("add", "")
    if args.get("date_kind") and args.get("date"):
        choice = f"{args['date_kind']}:{args['date']}"
    if not choice:
        return None
    condition = Condition.from_param(choice)
    audience = selection.audience
    if args.get("mode") == "ex":
        audience = Audience(audience.includes, (*audience.excludes, condition))
    else:
        audience = Audience((*audience.includes, condition), audience.excludes)
    return Selection(audience, selection.search, selection.mailable_only)


def _without(selection: Selection, mode: str, index: int) -> Selection:
    includes, excludes = list(selection.audience.includes), list(selection.audience.excludes)
    del (includes if mode == "in" else excludes)[index]
    return Selection(Audience(tuple(includes), tuple(excludes)), selection.search,
                     selection.mailable_only)  # fmt: skip


@bp.get(f"{BASE}/supporters", endpoint="index")
@login_required
def index(slug: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.VIEW_COUNTS)
    selection, errors = _selection(request.args)
    try:
        wider = _added(selection, request.args)
    except InvalidCondition:
        errors.append(_("Choose a filter, and a date for the date filters."))
        wider = None
    if wider is not None:
        return redirect(_list_url(group, wider))
    sees_people = can_in_group(current_user, group, GroupPermission.VIEW_SUPPORTERS)
    if not sees_people:
        # A count of "name or email contains …" would tell a viewer who is on the list.
        selection = Selection(selection.audience, "", selection.mailable_only)
    total = selection.count(group.id)
    page = max(1, request.args.get("page", 1, type=int) or 1)
    pages = max(1, -(-total // PER_PAGE))
    people = selection.page(group.id, min(page, pages), PER_PAGE) if sees_people else []
    found = filters.choices(group.id)
    chips = [
        (mode, i, filters.describe(c, found), _list_url(group, _without(selection, mode, i)))
        for mode, conditions in (("in", selection.audience.includes),
                                 ("ex", selection.audience.excludes))
        for i, c in enumerate(conditions)
    ]  # fmt: skip
    return render_template(
        "supporters/index.html", group=group, selection=selection, errors=errors, total=total,
        people=people, page=min(page, pages), pages=pages, sees_people=sees_people,
        rows=filters.rows(group.id), chips=chips, hidden=_params(selection),
        page_url=lambda n: _list_url(group, selection, page=n),
        toggle_url=_list_url(group, Selection(selection.audience, selection.search,
                                              not selection.mailable_only)),
        export_url=_list_url(group, selection, ".export"),
        bulk_url=_list_url(group, selection, ".bulk_tag"),
        manages=can_in_group(current_user, group, GroupPermission.MANAGE_SUPPORTERS),
        country_name=filters.country_name, language_name=filters.language_name,
    )  # fmt: skip


def _supporter(group: Group, public_id: str) -> Supporter:
    supporter = db.session.scalar(
        select(Supporter).where(Supporter.group_id == group.id, Supporter.public_id == public_id)
    )
    if supporter is None:
        abort(404)
    return supporter


@bp.get(f"{BASE}/supporters/<public_id>", endpoint="show")
@login_required
def show(slug: str, public_id: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.VIEW_SUPPORTERS)
    supporter = _supporter(group, public_id)
    form = forms.ChooseTagForm()
    own = {t.id for t in tags.tags_of(supporter)}
    form.tag_id.choices = [
        SelectChoice(t.id, t.name) for t, _n in tags.group_tags(group.id) if t.id not in own
    ]
    return render_template(
        "supporters/show.html", group=group, supporter=supporter, form=form,
        action_form=forms.ActionForm(), tags=tags.tags_of(supporter),
        history=consent_history(supporter), actions=actions_of(supporter),
        mailings=received.mailings_of(supporter),
        manages=can_in_group(current_user, group, GroupPermission.MANAGE_SUPPORTERS),
        country_name=filters.country_name, language_name=filters.language_name,
    )  # fmt: skip


@bp.post(f"{BASE}/supporters/<public_id>/tags", endpoint="add_tag")
@login_required
def add_tag(slug: str, public_id: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.MANAGE_SUPPORTERS)
    supporter = _supporter(group, public_id)
    form = forms.ChooseTagForm()
    form.tag_id.choices = [SelectChoice(t.id, t.name) for t, _n in tags.group_tags(group.id)]
    tag = tags.tag_in_group(group.id, form.tag_id.data) if form.validate_on_submit() else None
    if tag is None:
        flash(_("Choose one of the group's tags."), "error")
    else:
        added = tags.add_tag(supporter, tag)
        db.session.commit()
        done = _("Tagged %(tag)s.", tag=tag.name)
        already = _("This supporter already had the tag %(tag)s.", tag=tag.name)
        flash(done if added else already, "success")
    return redirect(url_for(".show", slug=slug, public_id=public_id))


@bp.post(f"{BASE}/supporters/<public_id>/tags/<int:tag_id>/remove", endpoint="remove_tag")
@login_required
def remove_tag(slug: str, public_id: str, tag_id: int) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.MANAGE_SUPPORTERS)
    supporter = _supporter(group, public_id)
    tag = tags.tag_in_group(group.id, tag_id)
    if tag is None or not forms.ActionForm().validate_on_submit():
        abort(400)
    removed = tags.remove_tag(supporter, tag)
    db.session.commit()
    done = _("The tag %(tag)s was taken off.", tag=tag.name)
    absent = _("This supporter did not have the tag %(tag)s.", tag=tag.name)
    flash(done if removed else absent, "success")
    return redirect(url_for(".show", slug=slug, public_id=public_id))


@bp.route(f"{BASE}/tags", methods=["GET", "POST"], endpoint="tags")
@login_required
def tag_list(slug: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.VIEW_SUPPORTERS)
    manages = can_in_group(current_user, group, GroupPermission.MANAGE_SUPPORTERS)
    form = forms.TagForm()
    if request.method == "POST":
        if not manages:
            abort(403)
        if form.validate_on_submit():
            try:
                tag = tags.create_tag(group.id, form.name.data or "")
            except tags.TagError as exc:
                form.name.errors = [str(exc)]
            else:
                db.session.commit()
                flash(_("The tag %(tag)s is created.", tag=tag.name), "success")
                return redirect(url_for(".tags", slug=slug))
    return render_template(
        "supporters/tags.html", group=group, form=form, tags=tags.group_tags(group.id),
        manages=manages,
    )  # fmt: skip


@bp.route(f"{BASE}/supporters/tag", methods=["GET", "POST"], endpoint="bulk_tag")
@login_required
def bulk_tag(slug: str) -> ResponseReturnValue:
    """GET previews how many the current filter holds; POST (the confirm button) tags them."""
    group = _group(slug, GroupPermission.MANAGE_SUPPORTERS)
    selection, errors = _selection(request.args)
    form = forms.BulkTagForm(request.form if request.method == "POST" else request.args,
                             meta={"csrf": request.method == "POST"})  # fmt: skip
    form.tag_id.choices = [SelectChoice(t.id, t.name) for t, _n in tags.group_tags(group.id)]
    tag = tags.tag_in_group(group.id, form.tag_id.data) if form.tag_id.data else None
    if request.method == "POST" and form.validate() and tag is not None:
        if form.action.data == "remove":
            changed = tags.untag_selection(group.id, selection, tag)
            message = ngettext("The tag %(tag)s was taken off %(num)d supporter.",
                               "The tag %(tag)s was taken off %(num)d supporters.",
                               changed, tag=tag.name)  # fmt: skip
        else:
            changed = tags.tag_selection(group.id, selection, tag)
            message = ngettext("%(num)d more supporter now has the tag %(tag)s.",
                               "%(num)d more supporters now have the tag %(tag)s.",
                               changed, tag=tag.name)  # fmt: skip
        db.session.commit()
        flash(message, "success")
        return redirect(_list_url(group, selection))
    return render_template(
        "supporters/bulk_tag.html", group=group, form=form, tag=tag, errors=errors,
        total=selection.count(group.id), back_url=_list_url(group, selection),
        action_url=_list_url(group, selection, ".bulk_tag"),
        has_tags=bool(form.tag_id.choices), tags_url=url_for(".tags", slug=slug),
    )  # fmt: skip


@bp.get(f"{BASE}/supporters.csv", endpoint="export")
@login_required
def export(slug: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.VIEW_SUPPORTERS)
    selection, _errors = _selection(request.args)
    record(current_user, "supporters.exported", "group", group.id,
           {"filters": selection.audience.to_dict(), "search": bool(selection.search),
            "mailable_only": selection.mailable_only})  # fmt: skip
    db.session.commit()
    response = Response(
        stream_with_context(exporting.csv_chunks(group.id, selection)), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{group.slug}-supporters.csv"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(f"{BASE}/supporters/import", methods=["GET", "POST"], endpoint="import_csv")
@login_required
def import_csv(slug: str) -> ResponseReturnValue:
    group = _group(slug, GroupPermission.MANAGE_SUPPORTERS)
    form = forms.ImportForm()
    checked = None
    if form.validate_on_submit():
        checked = importing.check(form.file.data.read())
        wording = (form.consent_wording.data or "").strip()
        if checked.consenting and not wording:
            form.consent_wording.errors = [
                _("Some rows say yes to consent: copy the text they agreed to.")
            ]
        if checked.consenting and not form.agreed_on.data:
            form.agreed_on.errors = [_("Say when they agreed.")]
        if checked.consenting and not form.attest.data:
            form.attest.errors = [_("Confirm that they agreed to this text.")]
        ready = (
            not checked.errors
            and checked.rows
            and not (form.consent_wording.errors or form.agreed_on.errors or form.attest.errors)
        )
        if ready:
            count = importing.apply(group, checked, actor=current_user, wording=wording,
                                    agreed_on=form.agreed_on.data)  # fmt: skip
            db.session.commit()
            flash(ngettext(
                "%(num)d supporter imported, %(subscribed)d of them subscribed.",
                "%(num)d supporters imported, %(subscribed)d of them subscribed.",
                count, subscribed=checked.consenting,
            ), "success")  # fmt: skip
            return redirect(url_for(".index", slug=slug))
    return render_template("supporters/import.html", group=group, form=form, checked=checked)
