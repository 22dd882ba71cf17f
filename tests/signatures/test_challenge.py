"""A shared connection past the per-IP sign limit solves a proof-of-work challenge instead of
losing its signatures; no raw address is kept in Redis."""

from __future__ import annotations

import base64
import json

import altcha
import pytest
import redis
from sqlalchemy import select

from organizer.extensions import db, limiter
from organizer.signatures.models import Signature
from tests.factories import UserFactory
from tests.support.mail import emails_to
from tests.support.web import submit

from .conftest import ORIGIN, make_campaign, setup

FORM = {"name": "Ada Lovelace", "country": "GB", "show_name": "y"}


@pytest.fixture
def shared(app, db_session):
    """Two sign limits as production has them, cheap challenges, one campaign."""
    keys = ("SIGN_LIMIT_PER_IP", "SIGN_CHALLENGE_COUNTER_MIN", "SIGN_CHALLENGE_COUNTER_MAX")
    saved = {k: app.config[k] for k in keys}
    app.config.update(
        SIGN_LIMIT_PER_IP="2/minute", SIGN_CHALLENGE_COUNTER_MIN=1, SIGN_CHALLENGE_COUNTER_MAX=20
    )
    with setup(app):
        make_campaign(UserFactory(), slug="stall")
    yield
    app.config.update(saved)


def _client(app, ip):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = ip
    return client


def _sign(client, email, **extra):
    return client.post("/c/stall/sign", data={**FORM, "email": email, **extra}, headers=ORIGIN)


def _solution(client, slug="stall"):
    issued = client.get(f"/c/{slug}/challenge")
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    challenge = altcha.Challenge.from_dict(issued.get_json())
    solved = altcha.solve_challenge(challenge)
    assert solved is not None
    return altcha.Payload(challenge, solved).to_base64()


def _signature(app, email):
    with app.app_context():
        return db.session.scalar(select(Signature).where(Signature.email == email))


def _mailed(app, email):
    with app.app_context():
        return emails_to(email)


def test_past_the_ip_limit_the_form_asks_for_a_challenge_and_keeps_nothing(app, shared):
    client = _client(app, "198.51.100.31")
    for i in range(2):
        assert "Check your email" in _sign(client, f"s{i}@example.org").get_data(as_text=True)
    third = _sign(client, "s2@example.org")
    html = third.get_data(as_text=True)
    assert third.status_code == 200 and third.headers["Cache-Control"] == "no-store"
    assert "<altcha-widget" in html and 'challenge="/c/stall/challenge"' in html
    assert "<noscript>" in html and 'value="s2@example.org"' in html
    assert "Check your email" not in html
    assert _signature(app, "s2@example.org") is None and _mailed(app, "s2@example.org") == []


def test_a_solved_challenge_signs_normally(app, shared):
    client = _client(app, "198.51.100.32")
    for i in range(3):
        _sign(client, f"t{i}@example.org")
    done = _sign(client, "t2@example.org", altcha=_solution(client))
    assert "Check your email" in done.get_data(as_text=True)
    signature = _signature(app, "t2@example.org")
    assert signature is not None and not signature.suspect
    assert [m.kind for m in _mailed(app, "t2@example.org")] == ["signature_confirm"]


def test_a_solution_counts_once_and_only_where_it_was_issued(app, shared):
    client = _client(app, "198.51.100.33")
    solution = _solution(client)
    assert not _signature_by(app, client, "u0@example.org", solution).suspect
    replayed = _signature_by(app, client, "u1@example.org", solution)
    other_ip = _signature_by(
        app, _client(app, "198.51.100.34"), "u2@example.org", _solution(client)
    )
    for signature in (replayed, other_ip):
        assert signature.suspect and signature.suspect_reason == "challenge-failed"
    assert _mailed(app, "u1@example.org") == [] and _mailed(app, "u2@example.org") == []


def test_a_forged_solution_is_quietly_suspect(app, shared):
    client = _client(app, "198.51.100.35")
    payload = json.loads(base64.b64decode(_solution(client)))
    payload["challenge"]["parameters"]["cost"] = 1
    forged = base64.b64encode(json.dumps(payload).encode()).decode()
    assert _signature_by(app, client, "v0@example.org", forged).suspect
    assert _signature_by(app, client, "v1@example.org", "not base64 at all").suspect


def test_past_the_hard_limit_even_solved_signatures_are_quietly_suspect(app, shared):
    app.config["SIGN_HARD_LIMIT_PER_IP"] = "1/minute"
    client = _client(app, "198.51.100.36")
    assert not _signature_by(app, client, "w0@example.org", _solution(client)).suspect
    held = _signature_by(app, client, "w1@example.org", _solution(client))
    assert held.suspect and held.suspect_reason == "ip-limit"


def _signature_by(app, client, email, solution):
    # Whatever the verdict, the visitor is told the same thing.
    response = _sign(client, email, altcha=solution)
    assert "Check your email" in response.get_data(as_text=True)
    return _signature(app, email)


def test_the_challenge_of_an_unknown_campaign_is_a_404(app, shared):
    assert _client(app, "198.51.100.37").get("/c/nowhere/challenge").status_code == 404


def test_redis_holds_no_raw_address_after_a_login_attempt_and_a_signature(app, client, shared):
    submit(client, "/account/login", {"email": "nobody@example.org", "password": "wrong"})
    _sign(client, "x0@example.org")
    clients = [
        limiter.limiter.storage.get_connection(),
        redis.Redis.from_url(app.config["REDIS_URL"]),
    ]
    keys = [key for c in clients for key in c.scan_iter(count=1000)]
    assert any(b"LIMITER" in key for key in keys)
    assert [key for key in keys if b"127.0.0.1" in key] == []
    clients[1].close()


def test_a_pledge_past_the_ip_limit_asks_for_the_challenge_too(app, shared):
    from datetime import timedelta

    from organizer.db import utcnow
    from organizer.signatures import pledges

    with setup(app):
        owner = UserFactory()
        campaign = make_campaign(owner, slug="stall-pledge")
        deadline = utcnow().date() + timedelta(days=30)
        pledge_id = pledges.create_pledge(campaign, owner, "I strike", 100, deadline).id
    client = _client(app, "198.51.100.38")
    url = f"/c/stall-pledge/pledges/{pledge_id}"
    for i in range(3):
        data = {**FORM, "email": f"y{i}@example.org"}
        response = client.post(url, data=data, headers=ORIGIN)
    html = response.get_data(as_text=True)
    assert "<altcha-widget" in html and "press “I commit” again" in html
    assert _signature(app, "y2@example.org") is None
    data = {**FORM, "email": "y2@example.org", "altcha": _solution(client, "stall-pledge")}
    assert "Check your email" in client.post(url, data=data, headers=ORIGIN).get_data(as_text=True)
    assert not _signature(app, "y2@example.org").suspect
