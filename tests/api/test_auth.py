"""The OSDI-API-Token header, scopes, the per-token rate limit, last-used times, logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from organizer.api.models import ApiToken
from organizer.api.tokens import hash_token, revoke
from organizer.db import utcnow
from organizer.extensions import db
from tests.api.conftest import api_get, make_token
from tests.campaigns.conftest import setup


def _token_row(app, plaintext):
    with app.app_context():
        row = db.session.scalar(
            select(ApiToken).where(ApiToken.token_hash == hash_token(plaintext))
        )
        db.session.expunge(row)
    return row


@pytest.mark.parametrize("header", [None, "", "cah_not-a-token"])
def test_no_valid_token_is_a_401_with_a_json_error(app, client, group_id, header):
    response = api_get(client, "/people", header)
    assert response.status_code == 401
    assert response.mimetype == "application/json"
    assert "OSDI-API-Token" in response.get_json()["error"]


def test_a_revoked_token_stops_working(app, client, group_id):
    token = make_token(app, group_id)
    assert api_get(client, "/people", token).status_code == 200
    with setup(app):
        revoke(db.session.get(ApiToken, _token_row(app, token).id))
    assert api_get(client, "/people", token).status_code == 401


@pytest.fixture
def token_cache(app):
    from organizer.api import tokens

    tokens.forget_recent()
    app.config["API_TOKEN_CACHE_SECONDS"] = 60.0
    yield
    app.config["API_TOKEN_CACHE_SECONDS"] = 0.0
    tokens.forget_recent()


def test_a_remembered_token_is_forgotten_when_revoked_here(app, client, group_id, token_cache):
    token = make_token(app, group_id)
    assert api_get(client, "/people", token).status_code == 200
    with setup(app):
        revoke(db.session.get(ApiToken, _token_row(app, token).id))
    assert api_get(client, "/people", token).status_code == 401


def test_another_process_stops_a_revoked_token_when_its_memory_expires(
    app, client, group_id, token_cache
):
    """What docs/api.md says: elsewhere, a revoked token works until API_TOKEN_CACHE_SECONDS
    have passed since this process looked it up, and not after."""
    from organizer.api import tokens

    token = make_token(app, group_id)
    assert api_get(client, "/people", token).status_code == 200
    with setup(app):  # as another web process would: the row only
        db.session.get(ApiToken, _token_row(app, token).id).revoked_at = utcnow()
    assert api_get(client, "/people", token).status_code == 200
    app.config["API_TOKEN_CACHE_SECONDS"] = 0.0
    tokens.forget_recent()  # what the expiry of its entry does
    assert api_get(client, "/people", token).status_code == 401


def test_a_token_without_the_scope_gets_403(app, client, group_id):
    reader = make_token(app, group_id)
    response = client.post("/api/v2/tags", json={"name": "volunteer"},
                           headers={"OSDI-API-Token": reader})  # fmt: skip
    assert response.status_code == 403
    assert "write" in response.get_json()["error"]


@pytest.fixture
def action_network_limit(app):
    saved = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "3/minute"
    yield
    app.config["API_RATE_LIMIT"] = saved


def test_the_rate_limit_is_per_token_with_retry_after(app, client, group_id, action_network_limit):
    token = make_token(app, group_id)
    other = make_token(app, group_id, label="Another tool")
    assert [api_get(client, "/people", token).status_code for _ in range(3)] == [200] * 3
    refused = api_get(client, "/people", token)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert "error" in refused.get_json()
    assert api_get(client, "/people", other).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(app, client, group_id):
    token = make_token(app, group_id)
    assert _token_row(app, token).last_used_at is None
    api_get(client, "/people", token)
    first = _token_row(app, token).last_used_at
    assert first is not None
    api_get(client, "/people", token)
    assert _token_row(app, token).last_used_at == first
    with setup(app):
        row = db.session.get(ApiToken, _token_row(app, token).id)
        row.last_used_at = utcnow() - timedelta(minutes=2)
    api_get(client, "/people", token)
    assert _token_row(app, token).last_used_at > first


def test_requests_are_logged_with_the_label_and_no_personal_data(app, client, world, caplog):
    token = make_token(app, world.group_id, label="Nightly sync")
    with caplog.at_level(logging.INFO, logger="organizer.api"):
        api_get(client, "/people", token, filter="email_address eq 'ada@example.org'")
        api_get(client, f"/people/{world.signers[0]}", token)
    lines = [r.getMessage() for r in caplog.records if r.name == "organizer.api"]
    assert len(lines) == 2
    assert all("token=Nightly sync" in line for line in lines)
    assert not any("ada" in line or world.signers[0] in line or token in line for line in lines)
