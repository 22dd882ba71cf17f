"""The group's webhooks page, for its owners: subscribe, the secret shown once, events,
turn off and on, a new secret, the delivery log. Thin: forms in, services work, one commit."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from organizer.accounts.models import User
from organizer.api import webhook_forms as forms
from organizer.api import webhooks
from organizer.api.models import WebhookSubscription
from organizer.api.webhook_log import STATUS_NAMES, describe_error
from organizer.extensions import db
from organizer.groups.models import Group
from organizer.groups.permissions import GroupPermission, group_by_slug_or_404, require_group

bp = Blueprint("webhooks", __name__)
PREFIX = "/organize/groups/<slug>/webhooks"
EXPIRED = "This form has expired or did not come from this site. Reload the page and try again."


def _user() -> User:
    user: User = current_user._get_current_object()
    return user


def _group(slug: str) -> Group:
    group = group_by_slug_or_404(slug)
    # A webhook sends supporters' data out of Cahier: the owners decide where.
    require_group(current_user, group, GroupPermission.MANAGE_API)
    return group


def _subscription(slug: str, public_id: str) -> tuple[Group, WebhookSubscription]:
    group = _group(slug)
    subscription = webhooks.get(group, public_id)
    if subscription is None:
        abort(404)
    return group, subscription


@bp.route(PREFIX, methods=["GET", "POST"], endpoint="index")
@login_required
def index(slug: str) -> ResponseReturnValue:
    group = _group(slug)
    form = forms.SubscribeForm()
    if form.validate_on_submit():
        try:
            subscription = webhooks.subscribe(
                group, form.url.data or "", list(form.events.data or []), _user()
            )
        except webhooks.WebhookError as exc:
            form.url.errors = [str(exc)]
        else:
            db.session.commit()
            # Shown in this answer only, never stored in the session cookie.
            return _detail(group, subscription, secret=subscription.secret, status=201)
    status = 400 if form.errors else 200
    return render_template(
        "api/webhooks.html", group=group, form=form,
        subscriptions=webhooks.subscriptions_of(group), event_names=forms.EVENT_NAMES,
    ), status  # fmt: skip


def _detail(
    group: Group,
    subscription: WebhookSubscription,
    secret: str | None = None,
    events_form: forms.EventsForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "api/webhook.html", group=group, subscription=subscription, secret=secret,
        events_form=events_form or forms.EventsForm(formdata=None, events=subscription.events),
        action_form=forms.ActionForm(), deliveries=webhooks.deliveries_of(subscription),
        event_names=forms.EVENT_NAMES, status_names=STATUS_NAMES, describe_error=describe_error,
    ), status  # fmt: skip


@bp.get(PREFIX + "/<public_id>", endpoint="detail")
@login_required
def detail(slug: str, public_id: str) -> ResponseReturnValue:
    group, subscription = _subscription(slug, public_id)
    return _detail(group, subscription)


@bp.post(PREFIX + "/<public_id>/events", endpoint="events")
@login_required
def change_events(slug: str, public_id: str) -> ResponseReturnValue:
    group, subscription = _subscription(slug, public_id)
    form = forms.EventsForm()
    if form.validate_on_submit():
        try:
            webhooks.change_events(subscription, list(form.events.data or []), _user())
        except webhooks.WebhookError as exc:
            form.events.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("The webhook's events are saved."), "success")
            return redirect(url_for(".detail", slug=group.slug, public_id=public_id))
    return _detail(group, subscription, events_form=form, status=400)


@bp.post(PREFIX + "/<public_id>/secret", endpoint="rotate")
@login_required
def rotate(slug: str, public_id: str) -> ResponseReturnValue:
    group, subscription = _subscription(slug, public_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400, description=_(EXPIRED))
    secret = webhooks.rotate_secret(subscription, _user())
    db.session.commit()
    return _detail(group, subscription, secret=secret)


@bp.post(PREFIX + "/<public_id>/<any(disable, enable, delete):action>", endpoint="act")
@login_required
def act(slug: str, public_id: str, action: str) -> ResponseReturnValue:
    group, subscription = _subscription(slug, public_id)
    if not forms.ActionForm().validate_on_submit():
        abort(400, description=_(EXPIRED))
    if action == "delete":
        webhooks.delete(subscription, _user())
        db.session.commit()
        flash(_("The webhook is deleted; nothing more is sent to it."), "success")
        return redirect(url_for(".index", slug=group.slug))
    try:
        changed = (webhooks.disable if action == "disable" else webhooks.enable)(
            subscription, _user()
        )
    except webhooks.WebhookError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".detail", slug=group.slug, public_id=public_id))
    db.session.commit()
    if not changed:
        flash(_("Nothing changed: the webhook was already in that state."), "info")
    elif action == "disable":
        flash(_("The webhook is off: events are no longer sent to it."), "success")
    else:
        flash(_("The webhook is on again: new events are sent to it."), "success")
    return redirect(url_for(".detail", slug=group.slug, public_id=public_id))
