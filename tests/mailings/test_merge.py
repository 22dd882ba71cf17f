"""Merge fields are our own small syntax: organizers' text is never a template."""

from __future__ import annotations

from organizer.mailings import merge


def test_fields_become_sentinels_and_campaign_links_resolve(ctx):
    text, fallback = merge.with_sentinels(
        'Hi {{ first_name | "friend" }}, {{campaign_url:fair-pay}} {{ manage_url }}',
        lambda slug: f"https://x.example/c/{slug}",
    )
    assert fallback == "friend"
    assert "https://x.example/c/fair-pay" in text
    values = {"first_name": "Ada", "manage_url": "M", "unsubscribe_url": "U", "why": "W"}
    assert merge.substitute(text, values) == "Hi Ada, https://x.example/c/fair-pay M"


def test_jinja_is_not_evaluated(ctx):
    text, _ = merge.with_sentinels("{{ 7 * 7 }} {% if 1 %}x{% endif %}", lambda s: s)
    assert text == "{{ 7 * 7 }} {% if 1 %}x{% endif %}"
    assert merge.problems("{{ 7 * 7 }}", frozenset()) != []


def test_problems_name_each_bad_field(ctx):
    found = merge.problems(
        '{{ last_name }} {{ campaign_url:nope }} {{ manage_url | "x" }}', frozenset({"ok"})
    )
    assert len(found) == 3
    assert (
        merge.problems('{{ first_name | "amie" }} {{ campaign_url:ok }}', frozenset({"ok"})) == []
    )


def test_first_name_falls_back():
    assert merge.first_name("Ada Lovelace", "friend") == "Ada"
    assert merge.first_name("  ", "friend") == "friend"
    assert merge.first_name(None, "") == ""
