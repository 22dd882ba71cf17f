"""Merge fields: a small syntax of our own, never a Jinja template (organizers' text is data).

    {{ first_name }}              the supporter's first name, or nothing
    {{ first_name | "friend" }}   … or "friend" when we do not know it
    {{ manage_url }}              their "manage my data" link
    {{ unsubscribe_url }}         their one-click unsubscribe link
    {{ campaign_url:<slug> }}     the public page of one of the group's campaigns

A mailing is rendered once per language with each per-recipient field replaced by a
sentinel, a slot of organizer/mail/bodies.py (plain letters and digits, which Markdown, nh3
and URLs leave alone). The bodies are stored once so; each recipient's outbox row carries
its values in ``PER_RECIPIENT`` order, and the worker fills them in. The subject is filled
at expansion.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from flask_babel import lazy_gettext as _l

from organizer.mail import bodies

FIELD = re.compile(
    r"\{\{\s*(?P<name>[a-z_]+)(?::(?P<arg>[\w-]+))?\s*"
    r"(?:\|\s*\"(?P<fallback>[^\"{}]{0,80})\"\s*)?\}\}"
)
PER_RECIPIENT = ("first_name", "manage_url", "unsubscribe_url", "why")
SENTINELS = {name: bodies.slot(index) for index, name in enumerate(PER_RECIPIENT)}
SENTINEL = bodies.SLOT
_BY_INDEX = dict(enumerate(PER_RECIPIENT))
KNOWN = frozenset(("first_name", "manage_url", "unsubscribe_url", "campaign_url"))


def problems(text: str, campaign_slugs: frozenset[str]) -> list[str]:
    """What is wrong with the merge fields of ``text``, as sentences for the form."""
    found: list[str] = []
    for match in FIELD.finditer(text):
        name, arg = match["name"], match["arg"]
        if name not in KNOWN:
            found.append(str(_l("Unknown merge field: %(field)s.", field=match[0])))
        elif name == "campaign_url" and arg not in campaign_slugs:
            found.append(
                str(_l("No campaign of this group has the address %(slug)s.", slug=arg or ""))
            )
        elif name != "first_name" and match["fallback"] is not None:
            found.append(
                str(_l("Only the first name takes a fallback: %(field)s.", field=match[0]))
            )
    leftover = FIELD.sub("", text)
    if "{{" in leftover:
        found.append(
            str(_l('A merge field is not written as {{ field }} or {{ first_name | "friend" }}.'))
        )
    return found


def with_sentinels(text: str, campaign_url: Callable[[str], str]) -> tuple[str, str]:
    """``text`` with per-recipient fields as sentinels and campaign links resolved, and the
    first name's fallback (the last one given wins; one mailing greets everyone alike)."""
    fallback = ""

    def replace(match: re.Match[str]) -> str:
        nonlocal fallback
        name = match["name"]
        if name == "campaign_url":
            return campaign_url(match["arg"] or "")
        if name == "first_name" and match["fallback"] is not None:
            fallback = match["fallback"]
        return SENTINELS.get(name, "")

    return FIELD.sub(replace, text), fallback


Parts = tuple[tuple[str, str | None], ...]


def split(rendered: str) -> Parts:
    """``rendered`` cut once at its sentinels: (literal text, field after it or None)."""
    pieces = SENTINEL.split(rendered)
    literals, fields = pieces[0::2], pieces[1::2]
    return tuple(
        (text, _BY_INDEX[int(fields[i])] if i < len(fields) else None)
        for i, text in enumerate(literals)
    )


def join(parts: Parts, values: Mapping[str, str]) -> str:
    """``substitute`` for a template cut by ``split``: a join, no regular expression."""
    return "".join([text + values[name] if name else text for text, name in parts])


def substitute(rendered: str, values: Mapping[str, str]) -> str:
    """Put one recipient's values in place of the sentinels (values already escaped)."""
    return SENTINEL.sub(lambda m: values[_BY_INDEX[int(m[1])]], rendered)


def first_name(name: str | None, fallback: str) -> str:
    parts = (name or "").split()
    return parts[0] if parts else fallback
