"""Origins organizers type: normalized as browsers compare them, or refused with a reason."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from organizer.embeds.origins import MAX_ORIGINS, OriginError, is_valid, normalize, parse_lines


@pytest.mark.parametrize(
    ("typed", "origin"),
    [
        ("https://Partner.Example.org", "https://partner.example.org"),
        ("https://partner.example.org/", "https://partner.example.org"),
        ("https://partner.example.org:443", "https://partner.example.org"),
        ("http://localhost:8000", "http://localhost:8000"),
        ("  http://127.0.0.1:9000 ", "http://127.0.0.1:9000"),
    ],
)
def test_origins_are_normalized(typed, origin):
    assert normalize(typed) == origin
    assert is_valid(origin)


@pytest.mark.parametrize(
    "typed",
    [
        "partner.example.org",  # no scheme
        "ftp://partner.example.org",
        "https://partner.example.org/petition",  # a path
        "https://partner.example.org?x=1",
        "https://user@partner.example.org",
        "https://*.example.org",
        "https://a.org; script-src *",
        "https://a.org 'unsafe-inline'",
        "https://partner.example.org:99999",
        "https://-bad-.org",
        "*",
        "'self'",
    ],
)
def test_anything_but_an_origin_is_refused(typed):
    with pytest.raises(OriginError):
        normalize(typed)
    assert not is_valid(typed)


def test_lines_are_deduplicated_and_bounded():
    assert parse_lines("https://a.org\n\nhttps://A.org/\nhttp://b.org:81\n") == [
        "https://a.org",
        "http://b.org:81",
    ]
    with pytest.raises(OriginError):
        parse_lines("\n".join(f"https://site{n}.org" for n in range(MAX_ORIGINS + 1)))


@given(st.text(max_size=60))
def test_what_passes_can_go_into_a_csp_header(text):
    """Whatever an organizer types, a value that passes holds nothing a header or a CSP
    directive would read as a separator, a keyword or a wildcard."""
    try:
        origin = normalize(text)
    except OriginError:
        return
    assert not set(origin) & set(" \t\r\n;,'\"*\\")
    assert origin.startswith(("http://", "https://"))
    assert is_valid(origin)
