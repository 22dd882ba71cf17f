"""Mailing pages: list, compose, audience, preview and test, send, pause/resume/cancel, report,
and the public web version. Thin: forms in, services work, one commit here."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Literal

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.accounts.models import User
from organizer.events.times import AmbiguousTimeError, LocalTimeError, is_timezone, to_utc
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.groups.permissions import GroupPermission, group_by_slug_or_404, require_group
from organizer.mailings import filters, forms, merge, sending, services
from organizer.mailings.models import Mailing, MailingStatus
from organizer.mailings.rendering import campaign_slugs
from organizer.supporters.audience import Audience, Condition, InvalidCondition

bp = Blueprint("mailings", __name__)
PREFIX = "/organize/groups/<slug>/mailings"


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _mailing(slug: str, mailing_id: int, permission: GroupPermission) -> tuple[Group, Mailing]:
    group = group_by_slug_or_404(slug)
    require_group(current_user, group, permission)
    mailing = services.get(group, mailing_id)
    if mailing is None:
        abort(404)
    return group, mailing


def _draft(slug: str, mailing_id: int) -> tuple[Group, Mailing]:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.SEND_MAILINGS)
    if mailing.status != MailingStatus.DRAFT:
        abort(
            409,
            description=_("This mailing has been sent or scheduled: it can no longer be changed."),
        )
    return group, mailing


@bp.get(PREFIX, endpoint="index")
@login_required
def index(slug: str) -> ResponseReturnValue:
    group = group_by_slug_or_404(slug)
    role = require_group(current_user, group, GroupPermission.VIEW_COUNTS)
    mailings = services.mailings_of(group)
    return render_template(
        "mailings/index.html",
        group=group,
        role=role,
        mailings=mailings,
        progress={m.id: sending.progress(m) for m in mailings},
        subjects={m.id: _subject(m) for m in mailings},
    )


def _subject(mailing: Mailing) -> str:
    """As the web version shows it (merge fields read as their fallback, not as {{ … }}), in
    the reader's language when that version has a subject, else in the first that has one."""
    for language in (None, *(c.language for c in mailing.contents)):
        title = services.archive_version(mailing, language)[2] if mailing.contents else ""
        if title:
            return title
    return ""


@bp.post(PREFIX + "/new")
@login_required
def new(slug: str) -> ResponseReturnValue:
    group = group_by_slug_or_404(slug)
    require_group(current_user, group, GroupPermission.SEND_MAILINGS)
    language = str(request.form.get("language") or _user().locale or "en")[:8]
    mailing = services.create(group, _user(), language)
    db.session.commit()
    return redirect(url_for(".compose", slug=slug, mailing_id=mailing.id))


def _compose_form(mailing: Mailing) -> forms.ComposeForm:
    # Not obj=mailing: WTForms would fill `contents` from mailing.contents too, and each
    # version would appear twice, the copy without its body overwriting it on save.
    return forms.ComposeForm(
        from_name=mailing.from_name,
        reply_to=mailing.reply_to,
        archive_public=mailing.archive_public,
        contents=[
            {"language": c.language, "subject": c.subject, "body": c.body_markdown}
            for c in mailing.contents
        ],
    )


@bp.route(PREFIX + "/<int:mailing_id>", methods=["GET", "POST"], endpoint="compose")
@login_required
def compose(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.VIEW_COUNTS)
    if mailing.status != MailingStatus.DRAFT:
        return redirect(url_for(".report", slug=slug, mailing_id=mailing.id))
    group, mailing = _draft(slug, mailing_id)
    form = _compose_form(mailing)
    if form.validate_on_submit() and _save(group, mailing, form):
        target = request.form.get("next") or ""
        if target == "add-language" or target.startswith("remove:"):
            _change_languages(mailing, target)
            return redirect(url_for(".compose", slug=slug, mailing_id=mailing.id))
        db.session.commit()
        flash(_("The mailing is saved."), "success")
        endpoint = {"audience": ".audience", "preview": ".preview"}.get(target or "", ".compose")
        return redirect(url_for(endpoint, slug=slug, mailing_id=mailing.id))
    return _compose_page(group, mailing, form)


def _change_languages(mailing: Mailing, target: str) -> None:
    """After the text was saved: add the chosen version, or remove ``remove:<code>``."""
    if target.startswith("remove:"):
        _remove_version(mailing, target.removeprefix("remove:"))
        return
    add = forms.AddLanguageForm()
    add.language.choices = forms.language_choices({c.language for c in mailing.contents})
    _add_version(mailing, add.language.data if add.validate() else None)


def _add_version(mailing: Mailing, language: str | None) -> None:
    code = language or ""
    added = bool(code) and services.add_language(mailing, code)
    db.session.commit()  # either way, the text saved just before stays saved
    if added:
        flash(
            _("A version in %(language)s is added.", language=filters.language_name(code)),
            "success",
        )
    else:
        flash(_("Choose a language that this mailing has no version in yet."), "error")


def _remove_version(mailing: Mailing, language: str) -> None:
    removed = services.remove_language(mailing, language)
    db.session.commit()
    if removed:
        flash(
            _("The version in %(language)s is removed.", language=filters.language_name(language)),
            "success",
        )
    else:
        flash(_("A mailing keeps at least one version."), "error")


def _compose_page(group: Group, mailing: Mailing, form: forms.ComposeForm) -> ResponseReturnValue:
    languages = {c.language for c in mailing.contents}
    add = forms.AddLanguageForm()
    spoken = services.audience_languages(mailing)
    unwritten = sorted(set(spoken) - languages, key=lambda code: -spoken[code])
    add.language.choices = forms.language_choices(languages, first=unwritten)
    return render_template(
        "mailings/compose.html",
        group=group,
        mailing=mailing,
        form=form,
        add_form=add,
        language_name=filters.language_name,
        spoken=spoken,
        unwritten=unwritten,
    )


def _save(group: Group, mailing: Mailing, form: forms.ComposeForm) -> bool:
    slugs = campaign_slugs(group.id)
    ok = True
    for entry in form.contents:
        content = services.content_for(mailing, entry.form.language.data or "")
        if content is None:
            continue
        for field in (entry.form.subject, entry.form.body):
            found = merge.problems(field.data or "", slugs)
            if found:
                field.errors = [*field.errors, *found]
                ok = False
        content.subject = " ".join((entry.form.subject.data or "").split())
        content.body_markdown = entry.form.body.data or ""
    if not ok:
        db.session.rollback()
        return False
    mailing.from_name = form.from_name.data or group.name
    mailing.reply_to = form.reply_to.data or None
    mailing.archive_public = bool(form.archive_public.data)
    db.session.flush()
    return True


@bp.post(PREFIX + "/<int:mailing_id>/languages")
@login_required
def add_language(slug: str, mailing_id: int) -> ResponseReturnValue:
    _group, mailing = _draft(slug, mailing_id)
    form = forms.AddLanguageForm()
    form.language.choices = forms.language_choices({c.language for c in mailing.contents})
    _add_version(mailing, form.language.data if form.validate_on_submit() else None)
    return redirect(url_for(".compose", slug=slug, mailing_id=mailing.id))


@bp.post(PREFIX + "/<int:mailing_id>/languages/<language>/remove")
@login_required
def remove_language(slug: str, mailing_id: int, language: str) -> ResponseReturnValue:
    _group, mailing = _draft(slug, mailing_id)
    _remove_version(mailing, language)
    return redirect(url_for(".compose", slug=slug, mailing_id=mailing.id))


@bp.route(PREFIX + "/<int:mailing_id>/audience", methods=["GET", "POST"])
@login_required
def audience(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _draft(slug, mailing_id)
    if request.method == "POST":
        _change_audience(mailing)
        return redirect(url_for(".audience", slug=slug, mailing_id=mailing.id))
    found = filters.choices(group.id, mailing.id)
    current = services.audience_of(mailing)
    return render_template(
        "mailings/audience.html",
        group=group,
        mailing=mailing,
        rows=filters.rows(group.id, mailing.id),
        includes=[filters.describe(c, found) for c in current.includes],
        excludes=[filters.describe(c, found) for c in current.excludes],
        count=services.audience_count(mailing),
        form=forms.ConditionForm(),
    )


def _change_audience(mailing: Mailing) -> None:
    current = services.audience_of(mailing)
    remove = forms.RemoveConditionForm()
    if request.form.get("action") == "remove" and remove.validate_on_submit():
        side = list(current.includes if remove.mode.data == "include" else current.excludes)
        if remove.index.data is not None and remove.index.data < len(side):
            del side[remove.index.data]
        if remove.mode.data == "include":
            mailing.audience = Audience(tuple(side), current.excludes).to_dict()
        else:
            mailing.audience = Audience(current.includes, tuple(side)).to_dict()
        db.session.commit()
        return
    form = forms.ConditionForm()
    try:
        if not form.validate_on_submit():
            raise InvalidCondition("form")
        condition = Condition(form.kind.data or "", (form.value.data or "").strip())
    except InvalidCondition:
        flash(_("Choose a value for the filter."), "error")
        return
    if form.mode.data == "exclude":
        mailing.audience = Audience(current.includes, (*current.excludes, condition)).to_dict()
    else:
        mailing.audience = Audience((*current.includes, condition), current.excludes).to_dict()
    db.session.commit()


@bp.get(PREFIX + "/<int:mailing_id>/preview")
@login_required
def preview(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.SEND_MAILINGS)
    language = request.args.get("language") or mailing.contents[0].language
    shown = services.preview(mailing, group, _user(), language)
    body = shown.html.partition("<body")[2].partition(">")[2].rpartition("</body>")[0]
    return render_template(
        "mailings/preview.html",
        group=group,
        mailing=mailing,
        shown=shown,
        html_body=body,
        language_name=filters.language_name,
        missing=services.missing(mailing, group),
    )


@bp.post(PREFIX + "/<int:mailing_id>/test")
@login_required
def test(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.SEND_MAILINGS)
    language = request.form.get("language") or mailing.contents[0].language
    services.send_test(mailing, group, _user(), language)
    db.session.commit()
    flash(_("A test is on its way to %(email)s.", email=_user().email), "success")
    return redirect(url_for(".preview", slug=slug, mailing_id=mailing.id, language=language))


@bp.route(PREFIX + "/<int:mailing_id>/send", methods=["GET", "POST"])
@login_required
def send(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.SEND_MAILINGS)
    if mailing.status != MailingStatus.DRAFT:
        flash(_("This mailing was already sent or scheduled; nothing more was done."), "info")
        return redirect(url_for(".report", slug=slug, mailing_id=mailing.id))
    from flask import current_app

    form = forms.SendForm(hourly_cap=current_app.config["MAILING_DEFAULT_HOURLY_CAP"] or None)
    count = services.audience_count(mailing)
    missing = services.missing(mailing, group)
    if form.validate_on_submit() and not missing:
        at = _when(form)
        if at is None and count == 0:
            # "Being sent" to nobody would read as if it had reached someone.
            form.when.errors = [_("Nobody is in this audience: there is no one to send it to.")]
        elif at is not False:
            return _sent(slug, mailing, at, form.hourly_cap.data)
    return render_template(
        "mailings/send.html",
        group=group,
        mailing=mailing,
        form=form,
        count=count,
        missing=missing,
        language_name=filters.language_name,
    )


def _when(form: forms.SendForm) -> datetime | Literal[False] | None:
    """The UTC instant asked for, None for "now", False (with a form error) when unreadable."""
    if form.when.data != "later":
        return None
    if form.day.data is None or form.time.data is None or not is_timezone(form.timezone.data or ""):
        form.day.errors = [*form.day.errors, _("Give the date and time to send it at.")]
        return False
    try:
        return to_utc(form.day.data, form.time.data, form.timezone.data or "UTC")
    except AmbiguousTimeError as exc:
        return exc.args[0][0]
    except LocalTimeError:
        form.time.errors = [
            *form.time.errors,
            _("This time does not exist in that timezone (the clocks go forward)."),
        ]
        return False


def _sent(slug: str, mailing: Mailing, at: datetime | None, cap: int | None) -> ResponseReturnValue:
    if not sending.send(mailing, at, cap):
        flash(_("This mailing was already sent or scheduled; nothing more was done."), "info")
    elif mailing.status == MailingStatus.SCHEDULED:
        db.session.commit()
        flash(_("The mailing is scheduled."), "success")
    else:
        db.session.commit()
        flash(_("The mailing is being sent."), "success")
    return redirect(url_for(".report", slug=slug, mailing_id=mailing.id))


def _lifecycle(
    slug: str, mailing_id: int, action: Callable[[Mailing], bool], done: str, refused: str
) -> ResponseReturnValue:
    _group, mailing = _mailing(slug, mailing_id, GroupPermission.SEND_MAILINGS)
    if action(mailing):
        db.session.commit()
        flash(done, "success")
    else:
        flash(refused, "error")
    return redirect(url_for(".report", slug=slug, mailing_id=mailing.id))


@bp.post(PREFIX + "/<int:mailing_id>/pause")
@login_required
def pause(slug: str, mailing_id: int) -> ResponseReturnValue:
    return _lifecycle(
        slug,
        mailing_id,
        sending.pause,
        _("The mailing is paused: nothing more goes out until you resume it."),
        _("Only a mailing that is sending can be paused."),
    )


@bp.post(PREFIX + "/<int:mailing_id>/resume")
@login_required
def resume(slug: str, mailing_id: int) -> ResponseReturnValue:
    return _lifecycle(
        slug,
        mailing_id,
        sending.resume,
        _("The mailing is sending again."),
        _("Only a paused mailing can be resumed."),
    )


@bp.post(PREFIX + "/<int:mailing_id>/cancel")
@login_required
def cancel(slug: str, mailing_id: int) -> ResponseReturnValue:
    return _lifecycle(
        slug,
        mailing_id,
        sending.cancel,
        _("The mailing is cancelled: what had not gone out yet will not."),
        _("This mailing can no longer be cancelled."),
    )


@bp.get(PREFIX + "/<int:mailing_id>/report")
@login_required
def report(slug: str, mailing_id: int) -> ResponseReturnValue:
    group, mailing = _mailing(slug, mailing_id, GroupPermission.VIEW_COUNTS)
    return render_template(
        "mailings/report.html",
        group=group,
        mailing=mailing,
        progress=sending.progress(mailing),
        report=services.report(mailing),
        subject=_subject(mailing),
    )


@bp.get("/groups/<slug>/mailings/<archive_id>", endpoint="archive")
def archive(slug: str, archive_id: str) -> ResponseReturnValue:
    group = group_by_slug_or_404(slug)
    mailing = services.archived(group, archive_id[:32])
    if mailing is None:
        abort(404)
    content, body, subject = services.archive_version(mailing, request.args.get("language"))
    others = [c.language for c in mailing.contents if c.language != content.language]
    return render_template(
        "mailings/archive.html",
        group=group,
        mailing=mailing,
        body=body,
        subject=subject,
        content=content,
        others=others,
        language_name=filters.language_name,
    )
