"""The sign form's POST read without WTForms, for the inputs a browser sends.

Building and validating :class:`~organizer.signatures.forms.SignForm` cost a sixth of a
signature's CPU, and in a spike nearly every POST is a well-formed form. This reads the
same fields by the same rules, but only where the answer is plain: any value the form's
filters would change or refuse (a NUL, a line break), any value a validator refuses, an
address :func:`~organizer.signatures.canonical.parse_address` refuses, or a body that is not
form-encoded gives None, and the caller then runs the real form, which says what is wrong.
So the real form stays the one judge of a bad input, and ``tests/signatures/test_quick_form.py``
checks with hypothesis that whatever this accepts, the form accepts with the same values.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from flask import request

from organizer.signatures.canonical import EmailRefused, parse_address
from organizer.signatures.forms import CONSENT_FIELDS, country_codes
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.signing import Signer

if TYPE_CHECKING:
    from werkzeug.datastructures import MultiDict

    from organizer.partners.lines import PartnerLine

# The form's limits (SignForm, and organizer.forms' default for text without its own).
NAME_MAX, EMAIL_MAX, POSTAL_MAX, OTHER_TEXT_MAX = 120, 320, 16, 2000
# What organizer.forms' filters act on: refuse_nul, and single_line's line breaks.
_FILTERED = ("\x00", "\n", "\r")
# BooleanField's false values, as posted.
_FALSE = ("", "false")


def _plain(value: str | None, limit: int) -> bool:
    return value is None or (len(value) <= limit and not any(c in value for c in _FILTERED))


def _required(value: str | None, limit: int) -> bool:
    return value is not None and bool(value.strip()) and _plain(value, limit)


def _postal_code(form: MultiDict[str, str], mode: PostalCodeMode) -> tuple[bool, str | None]:
    """(readable, the postal code as signer_from gives it)."""
    if mode == PostalCodeMode.OFF:
        return True, None
    value = form.get("postal_code")
    if mode == PostalCodeMode.REQUIRED and not _required(value, POSTAL_MAX):
        return False, None
    if value is None or not value.strip():
        return True, ""  # Optional() stops there, whatever else the value holds
    return _plain(value, POSTAL_MAX), value.strip()


def _consents(form: MultiDict[str, str], lines: Iterable[PartnerLine]) -> frozenset[str]:
    ticked: set[str] = {
        purpose
        for name, purpose in CONSENT_FIELDS.items()
        if name in form and form[name] not in _FALSE
    }
    offered = {str(line.partner_id) for line in lines}
    ticked |= {f"partner:{v}" for v in form.getlist("partners") if v in offered}
    return frozenset(ticked)


def quick_signer(
    postal_mode: PostalCodeMode, lines: Iterable[PartnerLine], locale: str, source: str | None
) -> Signer | None:
    """The signer :func:`~organizer.signatures.forms.signer_from` makes of a valid sign
    form, or None whenever the real form has to look at it."""
    if request.mimetype != "application/x-www-form-urlencoded":
        return None
    form = request.form
    name, email, country = form.get("name"), form.get("email"), form.get("country")
    website = form.get("website")
    readable, postal = _postal_code(form, postal_mode)
    if not (
        readable
        and _required(name, NAME_MAX)
        and _required(email, EMAIL_MAX)
        and _plain(website, OTHER_TEXT_MAX)
        and country in country_codes()
    ):
        return None
    assert name is not None and email is not None and country is not None
    try:
        address = parse_address(email)
    except EmailRefused:
        return None
    return Signer(
        name=name.strip(),
        address=address,
        country=country,
        postal_code=postal,
        consents=_consents(form, lines),
        locale=locale,
        ip=request.remote_addr,
        honeypot=website or "",
        solution=form.get("altcha", ""),
        source=source,
    )
