"""`make run`'s stack with no environment at all: SQLite, embedded Redis, dev mailbox."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request

import pytest

from tests.support.services import ROOT, ManagedProcess, free_port, wait_for
from tests.support.web import csrf_token

pytestmark = pytest.mark.integration


def _flask(env, *args):
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_the_zero_setup_stack_serves_pages_and_delivers_mail(tmp_path, services):
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORT": str(port),
        "CAHIER_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    _flask(env, "db", "upgrade")
    first = _flask(env, "seed-demo")
    second = _flask(env, "seed-demo")
    assert "organizer@example.org / password:" in first
    assert "password printed on the first run" in second
    assert (tmp_path / "instance" / "cahier.db").exists()

    stack = ManagedProcess(
        "devstack",
        [sys.executable, "-m", "flask", "--app", "app", "devstack"],
        env,
        services.log_dir,
    )
    stack.start()
    try:
        stack.wait_for_log("Cahier is running on http://127.0.0.1:")
        stack.wait_for_log("ready.")  # the worker
        base = f"http://127.0.0.1:{port}"
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

        def get(path):
            with opener.open(base + path, timeout=5) as response:
                return response.read().decode()

        wait_for(lambda: _answers(get), what="the web process")
        assert "Cahier" in get("/")
        form = get("/account/register")
        data = urllib.parse.urlencode(
            {
                "csrf_token": csrf_token(form),
                "display_name": "Louise",
                "email": "louise@example.org",
                "password": "tulips in the rain at dawn",
            }
        ).encode()
        request = urllib.request.Request(
            base + "/account/register", data=data, headers={"Origin": base}
        )
        with opener.open(request, timeout=10) as response:
            assert "Check your email" in response.read().decode()
        wait_for(
            lambda: "louise@example.org" in get("/dev/mail"),
            timeout=30,
            what="the worker to deliver to the dev mailbox",
        )
    finally:
        os.killpg(stack.process.pid, signal.SIGINT)  # what Ctrl-C sends
        stack.process.wait(20)
    assert stack.process.returncode == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)


def _answers(get):
    try:
        return get("/healthz")
    except OSError:
        return None


def test_a_cli_command_beside_the_stack_leaves_its_redis_running(tmp_path, services):
    """Issue 14 item 10: a `flask` command used to stop the stack's embedded Redis at exit."""
    port = free_port()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORT": str(port),
        "CAHIER_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    _flask(env, "db", "upgrade")
    seeded = _flask(env, "seed-demo")
    slug = seeded.split("Demo campaign published: /c/", 1)[1].split()[0]
    stack = ManagedProcess(
        "devstack-cli",
        [sys.executable, "-m", "flask", "--app", "app", "devstack"],
        env,
        services.log_dir,
    )
    stack.start()
    try:
        stack.wait_for_log("ready.")  # the worker
        base = f"http://127.0.0.1:{port}"

        def get(path):
            with urllib.request.urlopen(base + path, timeout=5) as response:
                return response.read().decode()

        wait_for(lambda: _answers(get), what="the web process")
        _flask(env, "import-regulators")
        _flask(env, "routes")
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert response.status == 200
        data = urllib.parse.urlencode(
            {"name": "Louise", "email": "louise.signs@example.org", "country": "FR"}
        ).encode()
        request = urllib.request.Request(
            f"{base}/c/{slug}/sign", data=data, headers={"Origin": base}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200
        wait_for(
            lambda: "louise.signs@example.org" in get("/dev/mail"),
            timeout=30,
            what="the worker to deliver the confirmation to the dev mailbox",
        )
        with urllib.request.urlopen(base + "/readyz", timeout=5) as response:
            assert response.status == 200
    finally:
        os.killpg(stack.process.pid, signal.SIGINT)
        stack.process.wait(20)
