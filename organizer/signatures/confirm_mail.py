"""The confirmation email of a first signature, rendered once per campaign and language.

Every first signature of a campaign gets the same email but for the signer's name and two
links. Rendering its three templates was a quarter of a signature's CPU, so each process
renders them once with markers in those places and fills each signer's values in: escaped
in the HTML part, as they are in the text part, exactly as the templates would render them
(tests/signatures/test_confirm_mail.py compares the two).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from markupsafe import escape

from organizer.mail.rendering import RenderedEmail, render_email
from organizer.signatures.memo import app_cache, remember
from organizer.signatures.target import SignTarget

TEMPLATE = "signature_confirm"
CACHE_KEY = "cahier.confirmation_emails"
NAME = "cahier-marker-name-5e2a"
CONFIRM_URL = "cahier-marker-confirm-5e2a"
MANAGE_URL = "cahier-marker-manage-5e2a"


@dataclass(frozen=True)
class NewSigner:
    """What the email shows of a signature it has no ORM object for."""

    name: str


def confirmation_email(
    target: SignTarget, locale: str, name: str, confirm_url: str, manage_url: str
) -> RenderedEmail:
    days = int(current_app.config["SIGNATURE_TOKEN_MAX_AGE_DAYS"])
    cache = app_cache(CACHE_KEY)
    key = (target.slug, target.title, locale, days)
    blank: RenderedEmail | None = cache.get(key)
    if blank is None:
        blank = remember(cache, key, render(target, locale, NAME, CONFIRM_URL, MANAGE_URL))
    raw = {NAME: name, CONFIRM_URL: confirm_url, MANAGE_URL: manage_url}
    escaped = {marker: str(escape(value)) for marker, value in raw.items()}
    return RenderedEmail(
        subject=" ".join(_fill(blank.subject, raw).split()),
        text=_fill(blank.text, raw),
        html=_fill(blank.html, escaped),
    )


def render(
    target: SignTarget, locale: str, name: str, confirm_url: str, manage_url: str
) -> RenderedEmail:
    """The email as its templates render it, without the cache."""
    return render_email(
        TEMPLATE,
        locale,
        signature=NewSigner(name),
        campaign=target,
        confirm_url=confirm_url,
        manage_url=manage_url,
        pledges=[],
        days=int(current_app.config["SIGNATURE_TOKEN_MAX_AGE_DAYS"]),
    )


def _fill(text: str, values: dict[str, str]) -> str:
    for marker, value in values.items():
        text = text.replace(marker, value)
    return text
