"""The base of every form: what hostile input must never get past, in one place.

Every form in Cahier derives from :class:`Form`. Its fields are bound through
:meth:`Form.Meta.bind_field`, which adds the rules below to every field of their kind, so a
form written tomorrow gets them without remembering to:

- whole numbers are bounded in digits before anything compares them (WTForms' range check
  calls ``math.isnan``, which overflows on a 309-digit integer);
- text refuses NUL (PostgreSQL cannot store it, and no person types it);
- single-line text has its line breaks turned into spaces (a title with a newline would break
  every header and calendar line it is written into);
- text without its own maximum length gets a generous one.

Forms read form-encoded or multipart bodies only, never JSON (Flask-WTF would otherwise
accept a JSON body, whose lone surrogates and nested arrays no field expects).
"""

from __future__ import annotations

from typing import Any

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import Field, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length, StopValidation

MAX_DIGITS = 18
SINGLE_LINE_MAX = 2000
MULTI_LINE_MAX = 100_000
NUL_MESSAGE = _l("This field contains a character that is not allowed.")


class BoundedIntegerField(IntegerField):
    """An IntegerField that refuses numbers too long for any range check or database."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and len(str(valuelist[0]).strip().lstrip("+-")) > MAX_DIGITS:
            self.data = None
            raise ValueError(
                ngettext(
                    "Enter a whole number of at most %(num)d digit.",
                    "Enter a whole number of at most %(num)d digits.",
                    MAX_DIGITS,
                )
            )
        super().process_formdata(valuelist)

    def pre_validate(self, form: Any) -> None:
        # The number could not be read: its own error says why, range checks would only add noise.
        # An empty value is left to the validators, so that Optional() still accepts it.
        typed = bool(self.raw_data and str(self.raw_data[0]).strip())
        if self.process_errors and typed:
            raise StopValidation()


def refuse_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(str(NUL_MESSAGE))
    return value


def single_line(value: Any) -> Any:
    if isinstance(value, str) and ("\n" in value or "\r" in value):
        return " ".join(value.splitlines())
    return value


def _has_length(field: Field) -> bool:
    return any(isinstance(v, Length) and v.max not in (None, -1) for v in field.validators)


def harden(field: Field) -> Field:
    """Add the shared text rules to a bound field (see the module docstring)."""
    if not isinstance(field, StringField):
        return field
    multi_line = isinstance(field, TextAreaField)
    extra = [refuse_nul]
    if not multi_line and not isinstance(field, PasswordField):
        extra.append(single_line)
    field.filters = [*field.filters, *extra]
    if not _has_length(field):
        limit = MULTI_LINE_MAX if multi_line else SINGLE_LINE_MAX
        field.validators = [*field.validators, Length(max=limit)]
    return field


class Form(FlaskForm):
    """The base of every Cahier form."""

    class Meta(FlaskForm.Meta):
        def bind_field(
            self, form: Any, unbound_field: UnboundField, options: dict[str, Any]
        ) -> Any:
            if unbound_field.field_class is IntegerField:
                unbound_field = UnboundField(
                    BoundedIntegerField, *unbound_field.args, **unbound_field.kwargs
                )
            return harden(super().bind_field(form, unbound_field, options))

        def wrap_formdata(self, form: Any, formdata: Any) -> Any:
            # Flask-WTF falls back to a JSON body; forms read HTML form posts only.
            if formdata is _Auto and has_request_context() and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)
