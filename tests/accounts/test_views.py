from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from organizer.accounts import tokens
from organizer.extensions import db, limiter
from organizer.mail.models import OutboundEmail
from tests.factories import PASSWORD, UserFactory
from tests.support.web import submit


def _log_in(client, email, password=PASSWORD):
    return submit(client, "/account/login", {"email": email, "password": password})


def _user(app, **fields):
    with app.app_context():
        user = UserFactory(**fields)
        db.session.commit()
        return user.email, user.id


def test_register_shows_check_your_email(client):
    response = submit(
        client,
        "/account/register",
        {
            "display_name": "Ada",
            "email": "ada@example.org",
            "password": "tulips in the rain",
        },
    )
    assert response.status_code == 200
    assert "Check your email" in response.get_data(as_text=True)


def test_register_with_a_common_password_is_a_form_error(client):
    response = submit(
        client,
        "/account/register",
        {
            "display_name": "Ada",
            "email": "ada@example.org",
            "password": "1234567890",
        },
    )
    assert response.status_code == 200
    assert "most common" in response.get_data(as_text=True)


def test_register_with_a_malformed_email_is_a_form_error(client):
    response = submit(
        client,
        "/account/register",
        {
            "display_name": "Ada",
            "email": "not an email",
            "password": "tulips in the rain",
        },
    )
    assert response.status_code == 200
    assert "Enter a valid email address." in response.get_data(as_text=True)


def test_the_verify_link_needs_a_post(app, client):
    _email, user_id = _user(app, email_verified_at=None)
    with app.app_context():
        from organizer.accounts.models import User

        token = tokens.make_verify_token(db.session.get(User, user_id))
    page = client.get(f"/account/verify/{token}")
    assert page.status_code == 200
    with app.app_context():
        assert db.session.get(User, user_id).email_verified_at is None
    response = submit(client, f"/account/verify/{token}", {})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user_id).email_verified_at is not None


def test_a_bad_verify_link_is_a_400_with_a_message(client):
    response = submit(client, "/account/verify/garbage", {})
    assert response.status_code == 400
    assert "This link does not work" in response.get_data(as_text=True)


def test_login_starts_a_fresh_session(app, client):
    email, _ = _user(app)
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    response = _log_in(client, email)
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert "planted" not in session
        # user id, session version, and the key of the session kept on the server
        assert session["_user_id"].split(":")[1] == "1"
    assert client.get("/account/settings").status_code == 200


def test_login_with_a_wrong_password_is_a_form_error(app, client):
    email, _ = _user(app)
    response = _log_in(client, email, "wrong password here")
    assert response.status_code == 200
    assert "do not match an account" in response.get_data(as_text=True)


def test_an_unverified_account_cannot_log_in_and_gets_a_new_link(app, client):
    email, _ = _user(app, email_verified_at=None)
    response = _log_in(client, email)
    assert "Verify your email address first" in response.get_data(as_text=True)
    with app.app_context():
        kinds = db.session.scalars(select(OutboundEmail.kind).where(OutboundEmail.to_addr == email))
        assert list(kinds) == ["verify_email"]


def test_login_never_redirects_to_another_host(app, client):
    email, _ = _user(app)
    page = client.get("/account/login?next=https://evil.example/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.get_data(True))[1]
    response = client.post(
        "/account/login?next=https://evil.example/",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/organize"


def test_after_login_an_organizer_lands_on_their_campaigns(app, client):
    from tests.factories import CampaignFactory

    with app.app_context():
        campaign = CampaignFactory(title="Users' terms")
        db.session.commit()
        email = campaign.created_by.email
    response = _log_in(client, email)
    assert response.status_code == 302 and response.headers["Location"] == "/organize"
    page = client.get("/organize").get_data(as_text=True)
    assert "Your campaigns" in page and "Users&#39; terms" in page


def test_after_login_a_safe_next_wins_over_the_campaigns(app, client):
    email, _ = _user(app)
    response = submit(
        client,
        "/account/login?next=/organize/new",
        {"email": email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/organize/new"


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(app, client):
    email, _ = _user(app)
    known = submit(client, "/account/password/forgot", {"email": email})
    unknown = submit(client, "/account/password/forgot", {"email": "stranger@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.get_data() == unknown.get_data()


def test_changing_the_password_logs_out_other_sessions(app, db_session):
    email, _ = _user(app)
    here, elsewhere = app.test_client(), app.test_client()
    _log_in(here, email)
    _log_in(elsewhere, email)
    response = submit(
        here,
        "/account/password",
        {
            "current_password": PASSWORD,
            "password": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get("/account/settings").status_code == 200
    assert elsewhere.get("/account/settings").status_code == 302


def test_settings_change_the_language(app, client):
    email, _ = _user(app)
    _log_in(client, email)
    response = submit(client, "/account/settings", {"locale": "fr"}, follow_redirects=True)
    assert "Vos réglages sont enregistrés." in response.get_data(as_text=True)


def test_logout_needs_a_post_with_a_token(app, client):
    email, _ = _user(app)
    _log_in(client, email)
    assert client.post("/account/logout").status_code == 400
    assert client.get("/account/logout").status_code == 405


@pytest.fixture
def strict_limits(app):
    saved = {k: app.config[k] for k in ("LOGIN_LIMIT_PER_ACCOUNT", "LOGIN_LIMIT_PER_IP")}
    limiter.reset()
    yield app.config
    app.config.update(saved)
    limiter.reset()


def test_login_is_throttled_per_account(app, client, strict_limits):
    strict_limits["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    email, _ = _user(app)
    codes = [_log_in(client, email, "wrong guess number x").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    page = _log_in(client, email)
    assert page.status_code == 429
    assert "Too many attempts" in page.get_data(as_text=True)
    other_email, _ = _user(app)
    assert _log_in(client, other_email).status_code == 302


def test_login_is_throttled_per_ip(app, client, strict_limits):
    strict_limits["LOGIN_LIMIT_PER_IP"] = "2/minute"
    first, _ = _user(app)
    second, _ = _user(app)
    assert _log_in(client, first, "wrong guess number x").status_code == 200
    assert _log_in(client, second, "wrong guess number x").status_code == 200
    response = _log_in(client, second)
    assert response.status_code == 429
    assert "Retry-After" in response.headers
