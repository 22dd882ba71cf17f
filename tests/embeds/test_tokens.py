"""The embedded form's token: signed, for one campaign, and for a limited time."""

from __future__ import annotations

from organizer.embeds import tokens


def test_a_token_is_valid_for_its_campaign_only(ctx):
    token = tokens.issue("strike")
    assert tokens.is_valid(token, "strike")
    assert not tokens.is_valid(token, "other")
    assert not tokens.is_valid(token[:-2] + "xx", "strike")
    assert not tokens.is_valid("", "strike")


def test_a_token_expires(ctx, monkeypatch):
    token = tokens.issue("strike")
    monkeypatch.setattr(tokens, "MAX_AGE_SECONDS", -1)
    assert not tokens.is_valid(token, "strike")
