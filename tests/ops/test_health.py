from __future__ import annotations

import os
import subprocess
import sys

from tests.support.services import ROOT, free_port


def test_readyz_reports_each_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok", "migrations": "ok"},
    }


def test_readyz_is_503_when_redis_is_unreachable(app, client):
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    try:
        response = client.get("/readyz")
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["redis"] == "ConnectionError"
    assert body["checks"]["database"] == "ok"


def test_readyz_is_503_before_migrations(make_app, tmp_path):
    fresh = make_app({"TESTING": True}, DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.db'}")
    response = fresh.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["migrations"] == "database is not at the latest migration"


def _doctor(env):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "doctor"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )


def test_doctor_lists_every_problem(services, tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "CAHIER_INSTANCE_PATH": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "REDIS_URL": services.redis.url,
    }
    result = _doctor(env)
    assert result.returncode == 1
    out = result.stdout
    assert "CAHIER_ENV is 'development'" in out
    assert "SECRET_KEY is not set." in out
    assert "SMTP_URL is not set." in out
    assert "migrations: database is not at the latest migration Run `flask db upgrade`." in out


def test_doctor_is_happy_with_a_sound_production_setup(services, tmp_path):
    env = services.env(
        CAHIER_ENV="production",
        SECRET_KEY="s" * 48,
        TRUSTED_PROXIES="1",
        BASE_URL="https://cahier.example.org",
        CAHIER_INSTANCE_PATH=str(tmp_path),
    )
    result = _doctor(env)
    assert result.stdout.strip().endswith("No problems found."), result.stdout + result.stderr
    assert result.returncode == 0
