"""Real services for the tests: PostgreSQL, redis-server, an SMTP server, Celery and gunicorn.

Each runs as its own process (the SMTP server as a thread of the test process) on a free
loopback port, started by the test session and stopped at its end.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
# How long a process may take to come up. Waiting longer costs nothing when all is well, and on
# a loaded machine (two test processes on two cores, or other work) importing the app and
# forking workers can take far more than the usual few seconds.
STARTUP_TIMEOUT = 120.0


def free_port() -> int:
    """A loopback port nobody listens on. Under pytest-xdist each worker takes only its own
    share of the ports, so that two workers are never handed the same port in the time
    between asking for it and a server binding it. (Shares of port // 2: Linux hands out
    ports of one parity to bind(), the other to connect().)"""
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    count = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port // 2 % count == index:
            return port


def wait_for(
    predicate: Callable[[], Any],
    timeout: float = 20.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _binary(name: str, *extra_dirs: str) -> str:
    found = shutil.which(name)
    for directory in extra_dirs:
        candidate = Path(directory) / name
        if not found and candidate.exists():
            found = str(candidate)
    if not found:
        raise RuntimeError(f"{name} is not installed; `make test` installs it")
    return found


class PostgresServer:
    """A throwaway cluster; run as the postgres user when the tests run as root."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="cahier-pg-"))
        self.port = free_port()
        bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
        extra = [str(bindir[-1])] if bindir else []
        self.initdb = _binary("initdb", *extra)
        self.pg_ctl = _binary("pg_ctl", *extra)
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")
            os.chmod(self.dir, 0o755)
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args: str) -> None:
        command = list(args)
        if self.user is not None:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    @property
    def data(self) -> str:
        return str(self.dir / "data")

    def start(self) -> None:
        if not Path(self.data).exists():
            self._run(
                self.initdb,
                "-D",
                self.data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            )
        options = (
            f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            self.pg_ctl,
            *("-D", self.data, "-o", options, "-l", str(self.dir / "log")),
            *("-w", "-t", str(int(STARTUP_TIMEOUT)), "start"),
        )

    def stop(self) -> None:
        self._run(self.pg_ctl, "-D", self.data, "-m", "fast", "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def cleanup(self) -> None:
        try:
            self.stop()
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.binary = _binary("redis-server")
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--protected-mode",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self._answers, STARTUP_TIMEOUT, what="redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


@dataclass
class ReceivedMail:
    envelope_to: list[str]
    message: EmailMessage
    # The bytes as received and MAIL FROM: what DKIM and VERP tests check.
    raw: bytes = b""
    envelope_from: str = ""

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class SmtpBehaviour:
    """Scripted answers: refuse some recipients, or defer a first delivery, or go slow."""

    refuse: dict[str, str] = field(default_factory=dict)
    defer_once: dict[str, str] = field(default_factory=dict)
    delay_seconds: float = 0.0
    # Offered as most relays do (RFC 2920), so that tests take the transport's pipelined
    # path; False for its one-command-at-a-time fallback.
    pipelining: bool = True


class SmtpSink:
    """A real SMTP server (aiosmtpd) on loopback that records what it accepts."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.port = free_port()
        self.received: list[ReceivedMail] = []
        self.greetings = 0
        self.behaviour = SmtpBehaviour()
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def reset(self) -> None:
        with self.lock:
            self.received.clear()
            self.greetings = 0
            self.behaviour = SmtpBehaviour()

    def messages_to(self, address: str) -> list[EmailMessage]:
        with self.lock:
            return [m.message for m in self.received if address in m.envelope_to]

    def received_by(self, address: str) -> list[ReceivedMail]:
        with self.lock:
            return [m for m in self.received if address in m.envelope_to]

    def wait_for_message(self, address: str, timeout: float = 20.0) -> EmailMessage:
        messages = wait_for(
            lambda: self.messages_to(address), timeout, what=f"an email to {address}"
        )
        return messages[0]


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        # One EHLO per SMTP connection: counting them counts connections.
        with self.sink.lock:
            self.sink.greetings += 1
        session.host_name = hostname
        if self.sink.behaviour.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        refusal = self.sink.behaviour.refuse.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        import asyncio

        for address in envelope.rcpt_tos:
            deferral = self.sink.behaviour.defer_once.pop(address, None)
            if deferral:
                return deferral
        if self.sink.behaviour.delay_seconds:
            await asyncio.sleep(self.sink.behaviour.delay_seconds)
        message = message_from_bytes(envelope.content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        with self.sink.lock:
            self.sink.received.append(
                ReceivedMail(
                    list(envelope.rcpt_tos),
                    message,
                    envelope.original_content or envelope.content,
                    str(envelope.mail_from or ""),
                )
            )
        return "250 Message accepted for delivery"


class ManagedProcess:
    """A child process whose output goes to a log file, ready when a line or URL says so."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.command = command
        self.env = env
        self.log_path = log_dir / f"{name}-{time.monotonic_ns()}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, text: str, timeout: float = STARTUP_TIMEOUT) -> None:
        def seen() -> bool:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.log()[-3000:]}")
            return text in self.log()

        wait_for(seen, timeout, interval=0.1, what=f"{self.name} to log {text!r}")

    def kill(self) -> None:
        """SIGKILL the whole process group, as an out-of-memory kill or a crash would."""
        if self.process is not None:
            os.killpg(self.process.pid, 9)
            self.process.wait(10)
            self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(10)
        except ProcessLookupError:
            pass
        self.process = None


def celery_worker(
    env: dict[str, str],
    log_dir: Path,
    concurrency: int = 2,
    name: str = "worker",
    queues: str = "celery,counts",
) -> ManagedProcess:
    worker = ManagedProcess(
        name,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(concurrency),
            "--loglevel",
            "INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--queues",
            queues,
            "--hostname",
            f"{name}-{time.monotonic_ns()}@%h",
        ],
        env,
        log_dir,
    )
    worker.start()
    worker.wait_for_log("ready.")
    return worker


def celery_beat(env: dict[str, str], log_dir: Path, schedule_file: Path) -> ManagedProcess:
    beat = ManagedProcess(
        "beat",
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(schedule_file),
        ],
        env,
        log_dir,
    )
    beat.start()
    beat.wait_for_log("beat: Starting")
    return beat


THREADS_PER_WEB_WORKER = 4


def web_server(env: dict[str, str], log_dir: Path, port: int, workers: int = 1) -> ManagedProcess:
    """gunicorn with no proxy in front, so with threads: a connection that sends nothing holds
    a thread (up to 5 s, then gthread moves it to its poller), not the whole process as it
    holds a sync worker. Chromium opens connections ahead of need; in a fresh clone's CI run
    two of them held both sync workers until gunicorn's 30 s timeout killed them ("WORKER
    TIMEOUT ... no URI read"), while a page's frame waited for its document."""
    web = ManagedProcess(
        "web",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--threads",
            str(THREADS_PER_WEB_WORKER),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-",
            "app:app",
        ],
        env,
        log_dir,
    )
    web.start()

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                return bool(r.status == 200)
        except OSError:
            if web.process is not None and web.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited early:\n{web.log()[-3000:]}") from None
            return False

    wait_for(healthy, STARTUP_TIMEOUT, interval=0.2, what="gunicorn")
    return web
