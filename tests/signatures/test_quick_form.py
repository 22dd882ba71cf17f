"""The sign POST read without WTForms (organizer.signatures.quick_form) against SignForm.

Whatever the quick reader accepts, SignForm must accept with the same signer; whatever it
leaves to the form, the view hands to the form. Together they accept and refuse exactly as
the form alone did, and the quick reader must take the plain forms a browser sends.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from organizer.partners.lines import PartnerLine
from organizer.signatures.forms import SignForm, signer_from
from organizer.signatures.models import PostalCodeMode
from organizer.signatures.quick_form import quick_signer

LINES = (PartnerLine(7, "Friends of the Earth"), PartnerLine(12, "Open Rights"))
FIELDS = ("name", "email", "country", "postal_code", "website", "show_name", "receive_updates",
          "name_to_authorities", "partners", "altcha", "other")  # fmt: skip
# Edges of the form's rules: whitespace, the characters its filters act on, lengths around
# its limits, the false values of a box, unknown and lowercase countries, refused addresses.
TRICKY = st.sampled_from(
    ["", " ", "\t", "\n", "a\nb", "a\rb", "a\x00b", "\u2028", "\x1c", "false", "False", "0",
     "on", "y", "FR", "GB", "fr", "ZZ", "7", "12", "13", " 7", "x" * 16, "x" * 17, "x" * 120,
     "x" * 121, "a@example.org", " a@example.org ", "A.B+c@GMAIL.com", "a@mailinator.com",
     "not an address", "a@b", "é@exämple.org", "  Ada  ", "Ada\u00a0", "x" * 2001]
)  # fmt: skip
VALUES = st.one_of(TRICKY, st.text(max_size=24), st.text(alphabet="ab \n\x00@.", max_size=8))


def _wtforms_signer(mode, locale):
    form = SignForm(postal_code=mode).with_partners(LINES)
    if not form.validate():
        return None
    return signer_from(form, locale, None)


def _both(app, pairs, mode, content_type="application/x-www-form-urlencoded"):
    with app.test_request_context(
        "/c/x/sign", method="POST", data=MultiDict(pairs), content_type=content_type
    ):
        return quick_signer(mode, LINES, "en", None), _wtforms_signer(mode, "en")


VALID = {"name": "Ada", "email": "a@example.org", "country": "FR", "postal_code": "75011",
         "website": ""}  # fmt: skip
LIMITS = {"name": 120, "email": 320, "postal_code": 16, "website": 2000}


def _edges(name):
    """Values at and just past the field's length limit, and with a filtered character."""
    limit = LIMITS.get(name, 8)
    filler = "a" * (limit - 16) + "@example.org" if name == "email" else "x" * (limit - 4)
    return st.sampled_from(
        [filler + tail for tail in ("abcd", "abcde", "ab\rd", "ab\nd", "a\x00cd", "   ")]
    )


@st.composite
def posted(draw):
    """A valid form with one or two of its values replaced or left out, and extra pairs
    before or after (the first value of a repeated name is the one read)."""
    changed = draw(st.sets(st.sampled_from(list(VALID)), min_size=1, max_size=2))
    pairs = [
        (name, draw(st.one_of(VALUES, _edges(name))) if name in changed else value)
        for name, value in VALID.items()
        if name not in changed or draw(st.integers(0, 9))
    ]
    extra = st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=4)
    return draw(extra) + pairs + draw(extra)


@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=posted(), mode=st.sampled_from(list(PostalCodeMode)))
@example(pairs=list(VALID.items()), mode=PostalCodeMode.OFF)
@example(pairs=[*VALID.items(), ("name", "x")][::-1], mode=PostalCodeMode.OFF)
@example(pairs=[("name", "x" * 121), *VALID.items()], mode=PostalCodeMode.OFF)
@example(pairs=[("postal_code", "x" * 17), *VALID.items()], mode=PostalCodeMode.OPTIONAL)
@example(pairs=[("postal_code", "x" * 17), *VALID.items()], mode=PostalCodeMode.REQUIRED)
@example(pairs=[("postal_code", " \n"), *VALID.items()], mode=PostalCodeMode.OPTIONAL)
@example(pairs=[("website", "x" * 2001), *VALID.items()], mode=PostalCodeMode.OFF)
@example(pairs=[("name", "A\rda"), *VALID.items()], mode=PostalCodeMode.OFF)
@example(pairs=[("email", "a\x00@example.org"), *VALID.items()], mode=PostalCodeMode.OFF)
def test_what_the_quick_reader_accepts_the_form_accepts_alike(app, pairs, mode):
    quick, full = _both(app, pairs, mode)
    if quick is not None:
        assert full == quick


PLAIN = st.fixed_dictionaries(
    {
        "name": st.text(alphabet="Ada Lovelace-éß'", min_size=1, max_size=120).filter(str.strip),
        "email": st.sampled_from(["ada@example.org", "A.Da+x@gmail.com", "b@exämple.org"]),
        "country": st.sampled_from(["FR", "GB", "DE", "US"]),
        "postal_code": st.text(alphabet="0123456789 AB", max_size=16),
    },
    optional={
        "show_name": st.sampled_from(["y", "on", "false", ""]),
        "receive_updates": st.sampled_from(["y", "1"]),
        "name_to_authorities": st.just("y"),
        "partners": st.sampled_from(["7", "12", "99"]),
        "website": st.text(alphabet="abc ", max_size=10),
    },
)


@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fields=PLAIN, mode=st.sampled_from(list(PostalCodeMode)))
def test_the_forms_a_browser_sends_take_the_quick_path(app, fields, mode):
    if mode == PostalCodeMode.REQUIRED and not fields["postal_code"].strip():
        fields["postal_code"] = "75011"
    quick, full = _both(app, list(fields.items()), mode)
    assert full is not None
    assert quick == full


def test_a_body_that_is_not_form_encoded_is_left_to_the_form(app):
    pairs = [("name", "Ada"), ("email", "a@example.org"), ("country", "FR")]
    quick, full = _both(app, pairs, PostalCodeMode.OFF, "multipart/form-data")
    assert quick is None
    assert full is not None
