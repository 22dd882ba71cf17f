"""Hypothesis strategies for hostile requests: path values, query strings, fields, bodies.

Values are bytes, percent-encoded as they are: a lone surrogate is sent as the bytes
``ED A0 80``, which no UTF-8 decoder accepts, as a hostile client would send it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

from .fuzz_forms import FieldSpec

MEGABYTE = 1_000_000  # just under MAX_CONTENT_LENGTH (1 MiB), so forms read it
# The first of each list is what hypothesis's simplest example, the first it tries, sends.
NUMBERS = ["9" * 400, "0", "-1", "-" + "9" * 400, str(2**31), str(2**63), "1e309", "NaN",
           "inf", "-0", "0x10", "٣", "²", "\uff11\uff12", "1.5", " 7 "]  # fmt: skip
DATES = ["9999-12-31", "0001-01-01", "0000-00-00", "2026-02-30", "2026-13-01", "99999-01-01",
         "-0001-01-01", "2026-03-29T02:30", "2026-12-01T25:61", "31/12/2026", "24:00",
         "now"]  # fmt: skip
ZONES = ["Mars/Olympus", "../../etc/passwd", "UTC+99", "Etc/GMT+13", "EST5EDT,M3", "Europe/"]
HOSTILE = [b"\x00", b"a\x00b", b"\r\n", b"x\r\nX-Evil: y", b"\xed\xa0\x80", b"\xed\xbf\xbf",
           b"\xff\xfe", b"\xc0\xaf", b"%00", b"x" * 10_000, b"<x>&amp;", b"'; --",
           b"{{ 7*7 }}", b"//evil.example", b"\\\\evil", b" ", b"", b"\xe2\x80\xae"]  # fmt: skip
BENIGN = {
    "number": ["1", "2", "5", "100"],
    "date": ["2026-12-24", "2027-01-15", "19:30"],
    "bool": ["y", "on", "1"],
    "email": ["ada@example.org", "olive@example.org"],
    "timezone": ["Europe/Paris", "America/New_York", "UTC"],
    "country": ["FR", "GB", "US"],
    "text": ["Ada Lovelace", "Strike", "A note."],
    "choice": ["en", "fr", "public", "going"],
    "file": ["x"],
}


def _encode(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _megabyte(char: bytes) -> bytes:
    return char * MEGABYTE


hostile_values = st.one_of(
    st.sampled_from(HOSTILE),
    st.sampled_from(NUMBERS + DATES + ZONES).map(_encode),
    st.sampled_from([b"x", b"\x00", b"9"]).map(_megabyte),
    st.text(st.characters(codec=None, exclude_categories=()), max_size=30).map(_encode),
    st.characters(categories=["Cs"]).map(lambda lone: _encode(f"a{lone}b")),
    st.binary(max_size=30),
)


AIMED = {"number": NUMBERS, "date": DATES, "timezone": ZONES}


def value_for(spec: FieldSpec | None) -> st.SearchStrategy[bytes]:
    """A value for the field: aimed at its kind, hostile in general, or one that passes."""
    kind = spec.kind if spec else "text"
    benign = list(spec.choices) if spec and spec.choices else BENIGN[kind]
    aimed = st.sampled_from(AIMED.get(kind, ["\x00"])).map(_encode)
    return st.one_of(aimed, hostile_values, st.sampled_from(benign).map(_encode))


@dataclass(frozen=True)
class Body:
    data: bytes | None
    content_type: str | None


def _form_encoded(pairs: list[tuple[str, bytes]]) -> bytes:
    return b"&".join(
        quote_from_bytes(_encode(k), safe="").encode()
        + b"="
        + quote_from_bytes(v, safe="").encode()
        for k, v in pairs
    )


def _multipart(pairs: list[tuple[str, bytes]], files: set[str]) -> bytes:
    parts = []
    for name, value in pairs:
        filename = b'; filename="x.pdf"' if name in files else b""
        head = b'Content-Disposition: form-data; name="' + _encode(name) + b'"' + filename
        parts.append(b"--fuzzboundary\r\n" + head + b"\r\n\r\n" + value + b"\r\n")
    return b"".join(parts) + b"--fuzzboundary--\r\n"


def _json(pairs: list[tuple[str, bytes]]) -> bytes:
    decoded = {k: v.decode("utf-8", "surrogatepass") if _is_text(v) else 1e400 for k, v in pairs}
    return json.dumps(decoded).encode()


def _is_text(value: bytes) -> bool:
    try:
        value.decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:
        return False
    return True


def _xml(pairs: list[tuple[str, bytes]]) -> bytes:
    fields = b"".join(b"<f>" + v.replace(b"<", b"&lt;") + b"</f>" for _k, v in pairs)
    return b'<?xml version="1.0"?><!DOCTYPE f [<!ENTITY e "ee">]><form>&e;' + fields + b"</form>"


def body(pairs: list[tuple[str, bytes]], files: set[str], shape: str) -> Body:
    """The fields, sent the way ``shape`` names: a browser's ways, and others."""
    if shape == "form":
        return Body(_form_encoded(pairs), "application/x-www-form-urlencoded")
    if shape == "multipart":
        return Body(_multipart(pairs, files), "multipart/form-data; boundary=fuzzboundary")
    if shape == "multipart-without-boundary":
        return Body(_multipart(pairs, files), "multipart/form-data")
    if shape == "json":
        return Body(_json(pairs), "application/json")
    if shape == "xml":
        return Body(_xml(pairs), "application/xml")
    if shape == "form-as-text":
        return Body(_form_encoded(pairs), "text/plain; charset=utf-7")
    return Body(None, None)


SHAPES = ["form", "form", "form", "multipart", "multipart-without-boundary", "json", "xml",
          "form-as-text", "none"]  # fmt: skip


def path_segment(value: bytes) -> str:
    return quote_from_bytes(value, safe="")


INT_PATH = ["9" * 400, "0", "-1", "007", str(2**31 - 1), str(2**31), str(2**63), "1" * 5000]
STRING_PATH = [b"\x00", b"\xed\xa0\x80", b"\xff", b"\r\n", b"x\r\nX-Evil: y", b"x" * 10_000,
               b"..", b"%2e%2e", b" ", b"NEW", b"new", b"a/b"]  # fmt: skip
