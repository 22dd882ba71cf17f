"""A message that carries a count is a plural form ("1 signature", "2 signatures").

The rule, applied to every message Babel extracts the way tests/core/test_translations.py does:

* any ``%(name)d`` placeholder is a count, except the names in ``NOT_COUNTS``, which number
  or identify something (revision 3, line 12, 40 %) rather than count it;
* a ``%(name)s`` placeholder is a count when its name is in ``COUNT_NAMES`` (templates pass
  counts as strings through ``numberformat``, so the type alone cannot tell).

Such a message must be the singular or plural of an ``ngettext`` call. Name placeholders
accordingly: a count is ``num`` (what ngettext fills in), ``count``, ``total`` and the like.
"""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]
METHODS = [
    ("organizer/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}

# Numbers that are labels, not quantities: "revision %(number)d", "from revision %(old)d to
# revision %(new)d", "line %(line)d, column %(column)d", "%(percent)d %%", "job %(id)d".
NOT_COUNTS = frozenset(
    {"number", "old", "new", "version", "id", "line", "column", "position", "percent", "year"}
)
COUNT_NAMES = frozenset(
    {
        "num",
        "count",
        "n",
        "total",
        "signers",
        "people",
        "signatures",
        "threshold",
        "goal",
        "committed",
        "named",
        "screenings",
        "attendees",
        "days",
        "hours",
        "minutes",
        "done",
        "expected",
        "processed",
        "remaining",
    }
)
PLACEHOLDER = re.compile(r"%\((\w+)\)([sd])")


def counts_in(message: str) -> list[str]:
    return [
        name
        for name, kind in PLACEHOLDER.findall(message)
        if (kind == "d" and name not in NOT_COUNTS) or (kind == "s" and name in COUNT_NAMES)
    ]


def singular_messages_with_a_count() -> list[str]:
    offenders = []
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        if isinstance(message, str) and counts_in(message):
            offenders.append(f"{filename}:{line}: {message}")
    return sorted(offenders)


def test_the_rule_tells_counts_from_labels():
    assert counts_in("%(count)d signatures") == ["count"]
    assert counts_in("%(num)s people have signed") == ["num"]
    assert counts_in("Use at least %(size)d characters.") == ["size"]
    assert counts_in("Revision %(number)d") == []
    assert counts_in("From revision %(old)d to revision %(new)d") == []
    assert counts_in("Organized by %(names)s.") == []


def test_every_message_with_a_count_is_a_plural_form():
    offenders = singular_messages_with_a_count()
    assert offenders == [], "use ngettext for these:\n" + "\n".join(offenders)
