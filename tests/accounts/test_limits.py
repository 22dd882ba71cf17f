"""The per-account login limit follows the account, however its address is spelled."""

from __future__ import annotations

import pytest

from organizer.accounts.limits import login_account_key
from organizer.extensions import db, limiter
from tests.factories import PASSWORD, UserFactory
from tests.support.web import submit

LOOK_ALIKES = [
    "victim@ex\uff41mple.org",  # a full-width a
    "VICTIM@\uff25\uff38\uff21\uff2d\uff30\uff2c\uff25\uff0e\uff2f\uff32\uff27",  # all full-width
    "  Victim@Example.ORG ",
    "victim\uff20example.org",  # a full-width @
]


@pytest.fixture
def strict_limits(app):
    saved = app.config["LOGIN_LIMIT_PER_ACCOUNT"]
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = "3/minute"
    limiter.reset()
    yield
    app.config["LOGIN_LIMIT_PER_ACCOUNT"] = saved
    limiter.reset()


def _log_in(client, email, password):
    return submit(client, "/account/login", {"email": email, "password": password})


@pytest.mark.parametrize("spelling", LOOK_ALIKES)
def test_a_locked_account_stays_locked_under_another_spelling(app, client, strict_limits, spelling):
    with app.app_context():
        UserFactory(email="victim@example.org")
        db.session.commit()
    codes = [_log_in(client, "victim@example.org", "wrong guess number x").status_code
             for _ in range(3)]  # fmt: skip
    assert codes == [200, 200, 200]
    assert _log_in(client, spelling, PASSWORD).status_code == 429
    assert _log_in(client, "victim@example.org", PASSWORD).status_code == 429


def test_the_key_is_the_normalized_address(ctx):
    keys = {login_account_key(spelling) for spelling in LOOK_ALIKES}
    assert keys == {"login-account:victim@example.org"}
    assert login_account_key("other@example.org") != login_account_key("victim@example.org")
    assert login_account_key("not an address\x00") == "login-account:not an address\x00"


def test_a_lockout_is_logged_without_the_address(app, client, strict_limits, caplog):
    with app.app_context():
        UserFactory(email="victim@example.org")
        db.session.commit()
    with caplog.at_level("INFO"):
        for _ in range(4):
            _log_in(client, "victim@example.org", "wrong guess number x")
    lockouts = [r for r in caplog.records if r.getMessage() == "login locked for an account"]
    assert len(lockouts) == 1
    assert len(lockouts[0].account_hash) == 12
    assert all("victim" not in r.getMessage() + str(r.__dict__) for r in caplog.records)
