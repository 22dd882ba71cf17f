"""The forms of the group's webhooks page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from organizer.api.models import WebhookEvent
from organizer.api.webhook_targets import MAX_URL_LENGTH
from organizer.forms import Form

EVENT_NAMES = {
    WebhookEvent.SIGNATURE_CONFIRMED: _l("A signature is confirmed"),
    WebhookEvent.SIGNATURE_WITHDRAWN: _l("A signer withdraws their signature"),
    WebhookEvent.RSVP_CREATED: _l("Someone RSVPs to a screening (going or on the waitlist)"),
    WebhookEvent.RSVP_CANCELLED: _l("An RSVP is cancelled"),
    WebhookEvent.SUPPORTER_UNSUBSCRIBED: _l("A supporter unsubscribes"),
}


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _events_field() -> CheckboxesField:
    return CheckboxesField(
        _l("Events"),
        choices=[SelectChoice(event.value, name) for event, name in EVENT_NAMES.items()],
        validators=[DataRequired(message=_l("Choose at least one event."))],
        validate_choice=True,
    )


class SubscribeForm(Form):
    url = StringField(
        _l("Receiver URL"),
        validators=[DataRequired(), Length(max=MAX_URL_LENGTH)],
        description=_l("An https:// address. Cahier sends it a signed POST for each event."),
    )
    events = _events_field()


class EventsForm(Form):
    events = _events_field()


class ActionForm(Form):
    """A button and a CSRF token."""
