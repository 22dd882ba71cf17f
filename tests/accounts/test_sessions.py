"""Sessions live on the server: logout ends them, and they expire when idle or old."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from organizer.accounts.models import LoginSession
from organizer.db import utcnow
from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.support.web import csrf_token, submit

PRIVATE = "/account/settings"


def _user(app):
    with app.app_context():
        user = UserFactory()
        db.session.commit()
        return user.email, user.id


def _log_in(app, email, remember=False):
    client = app.test_client()
    data = {"email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "y"
    assert submit(client, "/account/login", data).status_code == 302
    return client


def _cookie(client, name="cahier_session"):
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def _copy(app, client):
    """Another browser holding a stolen copy of ``client``'s cookie."""
    thief = app.test_client()
    thief.set_cookie("cahier_session", _cookie(client))
    return thief


def _post_with_token(client, url):
    token = csrf_token(client.get(PRIVATE).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token})


def test_a_copied_cookie_stops_working_after_logout(app, db_session):
    email, _ = _user(app)
    client = _log_in(app, email)
    thief = _copy(app, client)
    assert thief.get(PRIVATE).status_code == 200
    assert _post_with_token(client, "/account/logout").status_code == 302
    assert thief.get(PRIVATE).status_code == 302  # to the login page
    assert client.get(PRIVATE).status_code == 302


def test_logout_revokes_only_this_browsers_session(app, db_session):
    email, _ = _user(app)
    laptop, phone = _log_in(app, email), _log_in(app, email)
    _post_with_token(laptop, "/account/logout")
    assert phone.get(PRIVATE).status_code == 200


def test_log_out_everywhere_ends_every_session(app, db_session):
    email, _ = _user(app)
    laptop, phone = _log_in(app, email), _log_in(app, email)
    page = laptop.get(PRIVATE).get_data(as_text=True)
    assert "Log out everywhere" in page
    response = _post_with_token(laptop, "/account/logout/everywhere")
    assert response.status_code == 302
    assert phone.get(PRIVATE).status_code == 302
    assert laptop.get(PRIVATE).status_code == 302
    assert _log_in(app, email).get(PRIVATE).status_code == 200


def _age(app, user_id, **columns):
    with app.app_context():
        db.session.execute(
            update(LoginSession).where(LoginSession.user_id == user_id).values(**columns)
        )
        db.session.commit()


def test_an_idle_session_ends(app, db_session):
    email, user_id = _user(app)
    client = _log_in(app, email)
    idle = app.config["SESSION_IDLE_MINUTES"]
    _age(app, user_id, last_seen_at=utcnow() - timedelta(minutes=idle - 1))
    assert client.get(PRIVATE).status_code == 200  # and this visit counts as activity
    with app.app_context():
        seen = db.session.scalar(select(LoginSession.last_seen_at))
    assert utcnow() - seen < timedelta(minutes=1)
    _age(app, user_id, last_seen_at=utcnow() - timedelta(minutes=idle + 1))
    assert client.get(PRIVATE).status_code == 302


def test_a_session_ends_after_its_lifetime_even_when_used(app, db_session):
    email, user_id = _user(app)
    client = _log_in(app, email)
    days = app.config["SESSION_LIFETIME_DAYS"]
    _age(app, user_id, created_at=utcnow() - timedelta(days=days, minutes=1))
    assert client.get(PRIVATE).status_code == 302


def test_recent_activity_is_not_written_on_every_request(app, db_session):
    email, user_id = _user(app)
    client = _log_in(app, email)
    moment = utcnow() - timedelta(seconds=20)
    _age(app, user_id, last_seen_at=moment)
    client.get(PRIVATE)
    with app.app_context():
        assert db.session.scalar(select(LoginSession.last_seen_at)) == moment


def test_a_session_from_before_server_sessions_is_refused(app, db_session):
    from organizer.accounts.sessions import load_user

    _email, user_id = _user(app)
    with app.test_request_context():
        assert load_user(f"{user_id}:1") is None
        assert load_user(f"{user_id}:1:made-up-key") is None


def test_a_remember_cookie_is_revoked_with_its_session(app, db_session):
    from flask import session
    from flask_login.utils import encode_cookie

    from organizer.accounts import sessions
    from organizer.accounts.models import User

    _email, user_id = _user(app)
    with app.test_request_context():
        sessions.start_session(db.session.get(User, user_id), remember=True)
        db.session.commit()
        # Flask-Login's remember cookie encodes the same id as the session.
        remembered = encode_cookie(session["_user_id"])
    returning = app.test_client()
    returning.set_cookie("remember_token", remembered)
    assert returning.get(PRIVATE).status_code == 200
    with app.app_context():
        db.session.execute(update(LoginSession).values(revoked_at=utcnow()))
        db.session.commit()
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert later.get(PRIVATE).status_code == 302


def test_anonymous_readers_still_get_no_cookie(app, db_session):
    client = app.test_client()
    response = client.get("/")
    assert "Set-Cookie" not in response.headers


def test_logout_is_logged_without_address_or_key(app, db_session, caplog):
    email, _ = _user(app)
    client = _log_in(app, email)
    key = _cookie(client)
    with caplog.at_level("INFO"):
        _post_with_token(client, "/account/logout")
    (record,) = [r for r in caplog.records if r.getMessage() == "logged out"]
    assert isinstance(record.login_session, int)
    text = " ".join(r.getMessage() + str(r.__dict__) for r in caplog.records)
    assert email not in text and key not in text
