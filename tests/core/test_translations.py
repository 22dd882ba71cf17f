"""Every user-facing string ships in English and French."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
METHODS = [
    ("organizer/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _french_catalog():
    with (ROOT / "organizer/translations/fr/LC_MESSAGES/messages.po").open("rb") as fh:
        return read_po(fh, locale="fr")


def test_every_string_in_the_source_has_a_french_translation():
    catalog = _french_catalog()
    untranslated = []
    for message in sorted(_source_messages()):
        entry = catalog.get(message)
        translation = entry.string if entry else None
        if isinstance(translation, tuple):
            translation = translation[0]
        if not translation or (entry and entry.fuzzy):
            untranslated.append(message)
    assert untranslated == [], "run `make translations` and translate these"


def test_french_placeholders_match_the_english_ones():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in _french_catalog():
        if not entry.id or not entry.string:
            continue
        source = entry.id if isinstance(entry.id, str) else entry.id[0]
        target = entry.string if isinstance(entry.string, str) else entry.string[0]
        assert sorted(placeholder.findall(source)) == sorted(placeholder.findall(target)), source


def _key(value):
    """A plural entry's id and strings come as a list or tuple; make them comparable."""
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_compiled_catalog_is_current():
    mo_path = ROOT / "organizer/translations/fr/LC_MESSAGES/messages.mo"
    with mo_path.open("rb") as fh:
        compiled = read_mo(fh)
    compiled_strings = {_key(m.id): _key(m.string) for m in compiled if m.id}
    source_strings = {_key(m.id): _key(m.string) for m in _french_catalog() if m.id and m.string}
    assert compiled_strings == source_strings, "run `make translations` to recompile"


def test_no_message_has_a_bare_percent_sign():
    """Jinja's gettext always applies %-formatting, so a lone % would crash the page."""
    import re

    for message in _source_messages():
        without_placeholders = re.sub(r"%\(\w+\)[sdif]|%%", "", message)
        assert "%" not in without_placeholders, message
