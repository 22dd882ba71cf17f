"""Organizer pages under /organize/<slug>/letters: routing preview, letters, sending, responses.

Thin: forms in, services do the work, one commit per request.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import login_required
from markupsafe import Markup

from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.extensions import db
from organizer.letters import (
    delivery,
    documents,
    forms,
    milestones,
    responses,
    services,
    settings,
)
from organizer.letters.models import Channel, DocumentKind, Letter, MilestoneTrigger
from organizer.letters.models import Response as LetterResponse
from organizer.letters.services import LetterError
from organizer.security import upload_limit

bp = Blueprint("letters", __name__, url_prefix="/organize/<slug>/letters")


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every page here needs a login; the role is checked per campaign below."""


def _campaign(slug: str) -> Campaign:
    campaign, _role = campaign_for(slug, Permission.MANAGE_LETTERS)
    return campaign


def _letter(slug: str, letter_id: int) -> tuple[Campaign, Letter]:
    campaign = _campaign(slug)
    letter = services.get_letter(campaign, letter_id)
    if letter is None:
        abort(404)
    return campaign, letter


def _to_letter(letter: Letter, anchor: str = "") -> ResponseReturnValue:
    url = url_for(".letter", slug=letter.campaign.slug, letter_id=letter.id)
    return redirect(url + (f"#{anchor}" if anchor else ""))


@bp.get("")
def index(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    return render_template(
        "letters/index.html",
        campaign=campaign,
        letters=services.letters_of(campaign),
        triggers=milestones.triggers_of(campaign),
        trigger_form=forms.TriggerForm(),
        action_form=forms.ActionForm(),
    )


@bp.route("/plan", methods=["GET", "POST"])
def plan(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    values = request.form if request.method == "POST" else request.args
    drop, add = values.getlist("drop"), values.getlist("add")
    try:
        routing = services.preview(campaign, drop=drop, add=add)
    except LetterError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index", slug=slug))
    form = forms.ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        if not routing.plan.letters:
            flash(_("No body is left in the plan: nothing was written."), "error")
        elif not routing.to_write:
            flash(_("Every body in the plan already has a letter on this revision: nothing "
                    "was written. Open a sent letter to follow it up."), "error")  # fmt: skip
        else:
            written = services.write_letters(routing, current())
            db.session.commit()
            flash(ngettext("%(num)d draft letter written. Read it, then send it.",
                           "%(num)d draft letters written. Read them, then send.",
                           len(written)), "success")  # fmt: skip
            return redirect(url_for(".index", slug=slug))
    return render_template(
        "letters/plan.html", campaign=campaign, routing=routing, drop=drop, add=add, form=form
    )


@bp.route("/<int:letter_id>", methods=["GET", "POST"])
def letter(slug: str, letter_id: int) -> ResponseReturnValue:
    campaign, letter = _letter(slug, letter_id)
    form = forms.LetterForm(obj=letter)
    if letter.is_editable and form.validate_on_submit():
        try:
            services.edit(letter, current(), form.subject.data or "", form.body.data or "")
        except LetterError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("The letter is saved."), "success")
            return _to_letter(letter)
    return _letter_page(campaign, letter, form=form)


def _flash_refusal(letter: Letter, exc: LetterError) -> None:
    if isinstance(exc, delivery.SettingsMissing):
        link = url_for(".letter_settings", slug=letter.campaign.slug)
        flash(Markup('{} <a href="{}">{}</a>').format(
            str(exc), link, _("Letter settings")), "error")  # fmt: skip
    else:
        flash(str(exc), "error")


def _act(letter: Letter, action: str, anchor: str = "") -> ResponseReturnValue:
    """Run a one-button action with the CSRF check, commit, and return to the letter."""
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    slug = letter.campaign.slug  # a deleted letter can no longer load its campaign
    try:
        if action == "generate":
            services.request_documents(letter)
            message = _("The documents are being generated.")
        elif action == "email":
            sender = settings.settings_of(letter.campaign)
            reply_to = sender.email if sender and sender.email else current().email
            delivery.send_by_email(letter, current(), reply_to=reply_to)
            message = _("The letter is in the outbox.")
        else:
            services.delete_draft(letter, current())
            message = _("The draft is deleted.")
    except LetterError as exc:
        _flash_refusal(letter, exc)
        return _to_letter(letter, anchor)
    db.session.commit()
    flash(message, "success")
    if action == "delete":
        return redirect(url_for(".index", slug=slug))
    return _to_letter(letter, anchor)


@bp.post("/<int:letter_id>/generate")
def generate(slug: str, letter_id: int) -> ResponseReturnValue:
    return _act(_letter(slug, letter_id)[1], "generate", "documents")


@bp.post("/<int:letter_id>/email")
def send_email(slug: str, letter_id: int) -> ResponseReturnValue:
    return _act(_letter(slug, letter_id)[1], "email", "delivery")


@bp.post("/<int:letter_id>/follow-up")
def follow_up(slug: str, letter_id: int) -> ResponseReturnValue:
    _campaign_obj, letter = _letter(slug, letter_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        written = services.write_follow_up(letter, current())
    except LetterError as exc:
        flash(str(exc), "error")
        return _to_letter(letter)
    db.session.commit()
    flash(_("A follow-up draft is written. Read it, then send it."), "success")
    return _to_letter(written)


@bp.post("/<int:letter_id>/delete")
def delete(slug: str, letter_id: int) -> ResponseReturnValue:
    return _act(_letter(slug, letter_id)[1], "delete")


@bp.post("/<int:letter_id>/sent")
def record_sent(slug: str, letter_id: int) -> ResponseReturnValue:
    _campaign_obj, letter = _letter(slug, letter_id)
    form = forms.SentForm()
    if not form.validate_on_submit() or form.sent_on.data is None:
        flash(_("Give the date the letter was sent."), "error")
        return _to_letter(letter, "delivery")
    try:
        delivery.record_sent(
            letter, current(), Channel(form.channel.data), form.sent_on.data, form.note.data or ""
        )
    except LetterError as exc:
        _flash_refusal(letter, exc)
        return _to_letter(letter, "delivery")
    except ValueError as exc:
        flash(str(exc), "error")
        return _to_letter(letter, "delivery")
    db.session.commit()
    flash(_("The sending is recorded."), "success")
    return _to_letter(letter, "delivery")


@bp.post("/<int:letter_id>/response")
@upload_limit("LETTERS_RESPONSE_MAX_BYTES")
def record_response(slug: str, letter_id: int) -> ResponseReturnValue:
    campaign, letter = _letter(slug, letter_id)
    form = forms.ResponseForm(sent_on=responses.sent_date(letter))
    if not form.validate_on_submit() or form.received_on.data is None:
        return _letter_page(campaign, letter, response_form=form), 422
    upload = form.document.data
    content = upload.read() if upload else None
    try:
        recorded = responses.record_response(
            letter, current(), form.received_on.data, form.summary.data or "",
            content or None, upload.filename if upload else "",
        )  # fmt: skip
    except LetterError as exc:
        flash(str(exc), "error")
        return _to_letter(letter, "responses")
    db.session.commit()
    flash(_("The response is recorded. Read the email to signers, then choose."), "success")
    return redirect(
        url_for(".response_notify", slug=slug, letter_id=letter.id, response_id=recorded.id)
    )


def _letter_page(
    campaign: Campaign,
    letter: Letter,
    form: forms.LetterForm | None = None,
    response_form: forms.ResponseForm | None = None,
) -> str:
    """The letter page; a form that failed validation shows its errors under its fields."""
    return render_template(
        "letters/letter.html",
        campaign=campaign,
        letter=letter,
        form=form or forms.LetterForm(obj=letter),
        action_form=forms.ActionForm(),
        sent_form=forms.SentForm(),
        response_form=response_form or forms.ResponseForm(sent_on=responses.sent_date(letter)),
        recipient=delivery.email_recipient(letter),
        production=delivery.is_production(),
        sender=settings.settings_of(campaign),
        addressee=documents.addressee(letter.regulator),
    )


def _response(
    slug: str, letter_id: int, response_id: int
) -> tuple[Campaign, Letter, LetterResponse]:
    campaign, letter = _letter(slug, letter_id)
    found = next((r for r in letter.responses if r.id == response_id), None)
    if found is None:
        abort(404)
    return campaign, letter, found


@bp.route("/<int:letter_id>/responses/<int:response_id>/notify", methods=["GET", "POST"])
def response_notify(slug: str, letter_id: int, response_id: int) -> ResponseReturnValue:
    campaign, letter, found = _response(slug, letter_id, response_id)
    form = forms.ActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            count = responses.decide_notification(
                found, current(), request.form.get("choice") == "email"
            )
        except LetterError as exc:
            flash(str(exc), "error")
            return _to_letter(letter, "responses")
        db.session.commit()
        if count:
            flash(ngettext("The response is being emailed to %(num)d signer.",
                           "The response is being emailed to %(num)d signers.", count),
                  "success")  # fmt: skip
        else:
            flash(_("No signer was emailed."), "success")
        return _to_letter(letter, "responses")
    return render_template(
        "letters/response_notify.html",
        campaign=campaign,
        letter=letter,
        response=found,
        email=responses.preview(found, str(get_locale() or "en")),
        recipients=responses.recipient_count(letter),
        form=form,
    )


@bp.route("/settings", methods=["GET", "POST"])
def letter_settings(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    form = forms.SettingsForm(obj=settings.form_values(campaign))
    if form.validate_on_submit():
        settings.save(campaign, current(), settings.SettingsDetails(
            signatory=form.signatory.data or "", organization=form.organization.data or "",
            postal_address=form.postal_address.data or "", email=form.email.data or "",
        ))  # fmt: skip
        db.session.commit()
        flash(_("The letter settings are saved."), "success")
        return redirect(url_for(".index", slug=slug))
    return render_template("letters/settings.html", campaign=campaign, form=form), (
        422 if form.is_submitted() else 200
    )


@bp.get("/<int:letter_id>/documents/<kind>")
def document(slug: str, letter_id: int, kind: str) -> ResponseReturnValue:
    _campaign_obj, letter = _letter(slug, letter_id)
    try:
        found = letter.document(DocumentKind(kind))
    except ValueError:
        abort(404)
    if found is None:
        abort(404)
    return Response(
        found.content,
        mimetype=found.mime_type,
        headers={"Content-Disposition": f'attachment; filename="{found.filename}"'},
    )


@bp.get("/<int:letter_id>/responses/<int:response_id>.pdf")
def response_document(slug: str, letter_id: int, response_id: int) -> ResponseReturnValue:
    _campaign_obj, letter = _letter(slug, letter_id)
    found = next((r for r in letter.responses if r.id == response_id), None)
    if found is None or not found.document:
        abort(404)
    return Response(
        found.document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="response-{found.id}.pdf"'},
    )


@bp.post("/triggers")
def add_trigger(slug: str) -> ResponseReturnValue:
    campaign = _campaign(slug)
    form = forms.TriggerForm()
    if not form.validate_on_submit() or form.threshold.data is None:
        flash(_("Give a number of signatures of at least 1."), "error")
        return redirect(url_for(".index", slug=slug, _anchor="triggers"))
    try:
        milestones.add_trigger(campaign, current(), form.threshold.data)
    except LetterError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The trigger is set."), "success")
    return redirect(url_for(".index", slug=slug, _anchor="triggers"))


@bp.post("/triggers/<int:trigger_id>/cancel")
def cancel_trigger(slug: str, trigger_id: int) -> ResponseReturnValue:
    campaign = _campaign(slug)
    trigger = db.session.get(MilestoneTrigger, trigger_id)
    if trigger is None or trigger.campaign_id != campaign.id:
        abort(404)
    if not forms.ActionForm().validate_on_submit():
        abort(400)
    try:
        milestones.cancel_trigger(trigger, current())
    except LetterError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("The trigger is cancelled."), "success")
    return redirect(url_for(".index", slug=slug, _anchor="triggers"))
