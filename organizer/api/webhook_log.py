"""The delivery log in the reader's language: statuses and the short error codes that
organizer.api.webhook_delivery records ("timeout", "address: 10.0.0.1", …)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from organizer.api.models import DeliveryStatus

STATUS_NAMES = {
    DeliveryStatus.PENDING: _l("Waiting"),
    DeliveryStatus.DELIVERED: _l("Delivered"),
    DeliveryStatus.ABANDONED: _l("Given up"),
}


def describe_error(error: str | None) -> str:
    if not error:
        return ""
    kind, _sep, detail = error.partition(": ")
    if kind == "timeout":
        return _("The receiver did not answer in time.")
    if kind == "dns":
        return _("The host name does not resolve.")
    if kind == "address":
        return _("The host resolves to %(address)s, which is not a public address.", address=detail)
    if kind == "url":
        return _("The URL is no longer accepted.")
    if kind == "tls":
        return _("The secure connection failed (%(detail)s).", detail=detail)
    if kind == "connection":
        return _("The connection failed (%(detail)s).", detail=detail)
    if kind == "redirect":
        return _("The receiver answered with a redirect, which webhooks do not follow.")
    if kind == "status":
        return _("The receiver answered with an error.")
    if kind == "disabled":
        return _("The webhook was turned off before this was sent.")
    return error
