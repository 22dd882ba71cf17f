from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from organizer.accounts.models import LoginSession, RecoveryCode, User
from organizer.campaigns.models import Campaign
from organizer.extensions import db, limiter
from tests.factories import PASSWORD, CampaignFactory, MembershipFactory, UserFactory
from tests.support.web import csrf_token, submit

SECRET_RE = re.compile(r'<code class="totp-secret">([A-Z2-7]+)</code>')
CODE_RE = re.compile(r"<li><code>([0-9a-f-]{19})</code></li>")


def _user(app):
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        return user.email, user.id


def _log_in(client, email):
    return submit(client, "/account/login", {"email": email, "password": PASSWORD})


def _enrol(client):
    """Enrol the logged-in user; returns the secret read off the page and the codes."""
    page = client.get("/account/two-factor").get_data(as_text=True)
    assert "<svg" in page
    secret = SECRET_RE.search(page).group(1)
    done = submit(client, "/account/two-factor", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200
    codes = CODE_RE.findall(done.get_data(as_text=True))
    return secret, codes


def _next_code(secret):
    return pyotp.TOTP(secret).at(time.time() + 30)


def _sessions(app, user_id):
    with app.app_context():
        return len(
            db.session.scalars(select(LoginSession).where(LoginSession.user_id == user_id)).all()
        )


@pytest.fixture
def enrolled(app, client):
    email, user_id = _user(app)
    _log_in(client, email)
    secret, codes = _enrol(client)
    client.post("/account/logout", data={"csrf_token": _token(client)})
    return email, user_id, secret, codes


def _token(client):
    return csrf_token(client.get("/account/settings").get_data(as_text=True))


def test_enrolment_needs_a_current_code(app, client):
    email, user_id = _user(app)
    _log_in(client, email)
    client.get("/account/two-factor")
    refused = submit(client, "/account/two-factor", {"code": "000000"})
    assert "This code is not right" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user_id).two_factor_enabled_at is None


def test_enrolment_shows_ten_hashed_recovery_codes_once(app, client):
    email, user_id = _user(app)
    _log_in(client, email)
    secret, codes = _enrol(client)
    assert len(set(codes)) == 10
    with app.app_context():
        stored = db.session.scalars(
            select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user_id)
        ).all()
        assert len(stored) == 10 and not set(codes) & set(stored)
    manage = client.get("/account/two-factor").get_data(as_text=True)
    assert secret not in manage and codes[0] not in manage
    assert "10 unused recovery codes" in manage


def test_login_asks_for_the_code_before_any_session(app, client, enrolled):
    email, user_id, secret, _codes = enrolled
    before = _sessions(app, user_id)
    step = _log_in(client, email)
    assert step.status_code == 302 and step.location.endswith("/account/login/code")
    assert _sessions(app, user_id) == before
    assert client.get("/account/settings").status_code == 302  # not logged in yet
    wrong = submit(client, "/account/login/code", {"code": "123456"})
    assert "This code is not right" in wrong.get_data(as_text=True)
    # The current step was spent on enrolment; the app's next code is within the drift.
    ok = submit(client, "/account/login/code", {"code": _next_code(secret)})
    assert ok.status_code == 302
    assert _sessions(app, user_id) == before + 1
    assert client.get("/account/settings").status_code == 200


def test_a_code_is_not_accepted_twice(app, client, enrolled):
    email, user_id, secret, _codes = enrolled
    with app.app_context():
        spent_step = db.session.get(User, user_id).totp_last_step
    _log_in(client, email)
    # The very code the enrolment spent, whatever the clock says now.
    spent_code = pyotp.TOTP(secret).generate_otp(spent_step)
    again = submit(client, "/account/login/code", {"code": spent_code})
    assert again.status_code == 200
    assert "This code is not right" in again.get_data(as_text=True)


def test_a_recovery_code_works_once(app, client, enrolled):
    email, _user_id, _secret, codes = enrolled
    _log_in(client, email)
    assert submit(client, "/account/login/code", {"code": codes[3].upper()}).status_code == 302
    client.post("/account/logout", data={"csrf_token": _token(client)})
    _log_in(client, email)
    reused = submit(client, "/account/login/code", {"code": codes[3]})
    assert "used already" in reused.get_data(as_text=True)


def test_the_code_step_without_a_password_goes_to_login(client):
    assert client.get("/account/login/code").location.endswith("/account/login")


@pytest.fixture
def strict_limits(app):
    saved = app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    limiter.reset()
    yield app.config
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = saved
    limiter.reset()


def test_code_guesses_are_throttled_per_account(app, client, enrolled, strict_limits):
    strict_limits["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    email, _user_id, secret, _codes = enrolled
    _log_in(client, email)
    statuses = [
        submit(client, "/account/login/code", {"code": "000000"}).status_code for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    assert submit(client, "/account/login/code", {"code": _next_code(secret)}).status_code == 429


def test_turning_it_off_needs_the_password(app, client, enrolled):
    email, user_id, _secret, codes = enrolled
    _log_in(client, email)
    submit(client, "/account/login/code", {"code": codes[0]})
    refused = client.post(
        "/account/two-factor/off",
        data={"password": "not my password", "csrf_token": _token(client)},
    )
    assert refused.status_code == 400
    assert "Your password is not right" in refused.get_data(as_text=True)
    off = client.post(
        "/account/two-factor/off", data={"password": PASSWORD, "csrf_token": _token(client)}
    )
    assert off.status_code == 302
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.totp_secret is None and not user.has_two_factor


def test_a_team_requiring_it_sends_members_to_enrol(app, client):
    with app.app_context():
        member = UserFactory()
        campaign = CampaignFactory(require_two_factor=True)
        MembershipFactory(campaign=campaign, user=member)
        db.session.commit()
        email, slug = member.email, campaign.slug
    _log_in(client, email)
    page = client.get(f"/organize/{slug}/team")
    assert page.status_code == 302 and "/account/two-factor" in page.location
    _enrol(client)
    assert client.get(f"/organize/{slug}/team").status_code == 200


def test_an_owner_without_it_cannot_require_it(app, client):
    with app.app_context():
        campaign = CampaignFactory()
        db.session.commit()
        email, slug, campaign_id = campaign.created_by.email, campaign.slug, campaign.id
    _log_in(client, email)
    page = client.get(f"/organize/{slug}/team").get_data(as_text=True)
    assert "Require two-factor login for the team" in page
    require = {"require": "1", "csrf_token": csrf_token(page)}
    refused = client.post(f"/organize/{slug}/team/two-factor", data=require, follow_redirects=True)
    assert "for your own account first" in refused.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Campaign, campaign_id).require_two_factor
    _enrol(client)
    client.post(f"/organize/{slug}/team/two-factor", data=require)
    page = client.get(f"/organize/{slug}/team").get_data(as_text=True)
    assert "Stop requiring two-factor login" in page
