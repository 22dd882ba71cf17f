"""deploy/ is checked here, since no Docker engine runs on these machines."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
APP_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yml").read_text())


def _documented() -> set[str]:
    names = set()
    for line in (DEPLOY / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=", line)
        if match:
            names.add(match[1])
    return names


def test_compose_has_the_whole_stack(compose):
    assert {"postgres", "redis", "web", "worker", "beat", "migrate"} <= set(compose["services"])


def test_redis_never_evicts_and_keeps_an_append_only_file(compose):
    command = " ".join(compose["services"]["redis"]["command"])
    assert "--maxmemory-policy noeviction" in command
    assert "--appendonly yes" in command


def test_migrations_run_once_before_web_workers_and_beat(compose):
    services = compose["services"]
    assert services["migrate"]["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_every_variable_compose_uses_is_documented(compose):
    text = (DEPLOY / "docker-compose.yml").read_text()
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    for name in APP_SERVICES:
        used |= set(compose["services"][name]["environment"])
    assert used - _documented() == set()


def test_every_setting_cahier_reads_is_documented():
    source = (ROOT / "organizer" / "config.py").read_text()
    read = set(re.findall(r'env(?:\.get\(|, )"([A-Z][A-Z0-9_]*)"', source))
    assert len(read) > 20
    assert read - _documented() == set()


def test_the_app_trusts_exactly_the_one_proxy_nginx_adds(compose):
    web_env = compose["services"]["web"]["environment"]
    assert web_env["TRUSTED_PROXIES"] == "${TRUSTED_PROXIES:-1}"
    nginx = (DEPLOY / "nginx.conf").read_text()
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in nginx
    assert "ssl_certificate " in nginx


def test_the_image_is_multi_stage_slim_non_root_with_compiled_translations():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", dockerfile, re.M)
    assert len(stages) >= 2 and all(s.endswith("-slim") for s in stages)
    users = re.findall(r"^USER (\S+)", dockerfile, re.M)
    assert users and users[-1] not in ("root", "0")
    assert "pybabel compile" in dockerfile
    for copied in re.findall(r"^COPY (?!--from)(\S+)", dockerfile, re.M):
        assert (ROOT / copied).exists(), copied


def _run(args, env):
    return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("service", APP_SERVICES)
def test_each_service_command_exists_in_the_project(compose, service, services, tmp_path):
    command = compose["services"][service]["command"]
    env = services.env(CAHIER_INSTANCE_PATH=str(tmp_path))
    program = command[0]
    if program == "flask":
        # `flask … db upgrade --help` fails unless that command exists.
        result = _run([sys.executable, "-m", "flask", *command[1:], "--help"], env)
    elif program == "celery":
        result = _run([sys.executable, "-m", "celery", *command[1:3], command[3], "--help"], env)
    elif command[:3] == ["python", "-m", "granian"]:
        # granian has no dry run: its options are checked by its parser, and its target by
        # importing it (which builds the app, as each granian worker does).
        module, _, name = command[-1].partition(":")
        check = f"import {module} as m; assert callable(m.{name})"
        result = _run([sys.executable, "-c", check], env)
        assert result.returncode == 0, result.stdout + result.stderr
        result = _run([sys.executable, "-m", "granian", *command[3:-1], "--help"], env)
    else:
        pytest.fail(f"unexpected program {program!r} in {service}")
    assert result.returncode == 0, result.stdout + result.stderr


def test_nginx_lets_the_app_end_a_cached_count_with_its_second():
    # organizer/edge_cache.py's X-Accel-Expires keeps the count at most 1 s old in nginx;
    # ignoring it would bring back entries that live up to 2 s.
    ignored = re.findall(r"proxy_ignore_headers ([^;]+);", (DEPLOY / "nginx.conf").read_text())
    bench = (ROOT / "tests" / "bench" / "nginx.py").read_text()
    assert len(ignored) == 2
    assert all("X-Accel-Expires" not in line for line in ignored)
    assert all(f"proxy_ignore_headers {line};" in bench for line in ignored)
