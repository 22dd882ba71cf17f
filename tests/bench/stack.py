"""The production-shaped stack on this machine: PostgreSQL, redis-server, gunicorn, a Celery
worker and beat, and an SMTP sink in its own process. Everything listens on 127.0.0.1.

Reuses tests/support/services.py; only what a benchmark needs differently lives here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.services import (
    ROOT,
    ManagedProcess,
    PostgresServer,
    RedisServer,
    celery_beat,
    celery_worker,
    free_port,
    wait_for,
)

# Durable settings (fsync and synchronous_commit on, as in production), sized for a
# benchmark: a big enough WAL that no checkpoint lands in a 60 s run, and room for every
# connection of every gunicorn and Celery process.
POSTGRES_SETTINGS = {
    "fsync": "on",
    "synchronous_commit": "on",
    "full_page_writes": "on",
    "max_connections": "300",
    "shared_buffers": "512MB",
    "effective_cache_size": "2GB",
    "work_mem": "16MB",
    "maintenance_work_mem": "256MB",
    "wal_buffers": "16MB",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "wal_compression": "on",
    "random_page_cost": "1.1",
    "jit": "off",
}


class BenchPostgres(PostgresServer):
    """A throwaway cluster with :data:`POSTGRES_SETTINGS` instead of the tests' fsync=off."""

    def start(self) -> None:
        if not Path(self.data).exists():
            self._run(self.initdb, "-D", self.data, "-U", "postgres", "--auth=trust",
                      "-E", "UTF8", "--locale=C.UTF-8")  # fmt: skip
        settings = " ".join(f"-c {k}={v}" for k, v in POSTGRES_SETTINGS.items())
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 {settings}"
        self._run(self.pg_ctl, "-D", self.data, "-o", options, "-l", str(self.dir / "log"),
                  "-w", "start")  # fmt: skip


class SinkProcess:
    """tests/bench/smtp_sink.py as a child process, read through its stats file."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.stats_path = workdir / "smtp-stats.json"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.bench.smtp_sink", str(self.port), str(self.stats_path)],
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(self.stats_path.exists, 20, what="the SMTP sink")

    def stats(self) -> dict[str, Any]:
        for _ in range(50):
            try:
                return dict(json.loads(self.stats_path.read_text()))
            except (OSError, ValueError):
                time.sleep(0.02)
        raise RuntimeError("the SMTP sink stopped writing its stats")

    def new_window(self) -> None:
        assert self.process is not None
        before = self.stats()["written_at"]
        self.process.send_signal(signal.SIGUSR1)
        # Wait for a file written after the reset, so no later read sees the old window.
        wait_for(lambda: self.stats()["written_at"] > before + 0.01, 5, what="sink reset")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
            self.process = None


# Issue 18 § 4: what serves Cahier and the baseline, always the same for both.
SERVER = os.environ.get("BENCH_SERVER", "granian")
# granian imports its target in each worker: those modules prepare it as
# deploy/gunicorn.conf.py's post_worker_init hook does (organizer.serving).
APPS = {
    "gunicorn": {"cahier": "app:app", "baseline": "tests.bench.baseline_app:app"},
    "granian": {"cahier": "deploy.wsgi:app", "baseline": "tests.bench.granian_apps:baseline"},
}


@dataclass
class Stack:
    postgres: BenchPostgres
    redis: RedisServer
    sink: SinkProcess
    database_url: str
    workdir: Path
    log_dir: Path
    web_workers: int
    web_port: int = field(default_factory=free_port)
    baseline_port: int = field(default_factory=free_port)
    nginx_port: int | None = None
    processes: dict[str, ManagedProcess] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self, **overrides: str) -> dict[str, str]:
        """Production settings, with the per-IP limits raised for one loopback client."""
        metrics_dir = self.workdir / "prometheus"
        metrics_dir.mkdir(exist_ok=True)
        env = {
            **os.environ,
            "CAHIER_ENV": "production",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis.url,
            "SMTP_URL": self.sink.url,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "BASE_URL": self.base_url,
            "CAHIER_INSTANCE_PATH": str(self.workdir / "instance"),
            "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir),
            "LOG_LEVEL": "WARNING",
            "GUNICORN_WORKERS": str(self.web_workers),
            "SIGN_LIMIT_PER_IP": "100000000/minute",
            "SIGN_HARD_LIMIT_PER_IP": "100000000/minute",
            "SIGN_LIMIT_PER_DOMAIN": "100000000/minute",
            "EVENT_RSVP_LIMIT_PER_IP": "100000000/minute",
            # One token pages the API flat out (Action Network's own limit is 4/second).
            "API_RATE_LIMIT": "100000000/second",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        env.update(overrides)
        return env

    def gunicorn(self, name: str, app: str, port: int, **env: str) -> ManagedProcess:
        """gunicorn with the production config file, on loopback."""
        command = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "deploy/gunicorn.conf.py"),
                   app]  # fmt: skip
        return self._serve(name, command, port, GUNICORN_BIND=f"127.0.0.1:{port}", **env)

    def granian(self, name: str, app: str, port: int, **env: str) -> ManagedProcess:
        """granian (a Rust HTTP server) in WSGI mode, as many processes as gunicorn has sync
        workers, each running one request at a time as a sync worker does."""
        command = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(self.web_workers),
                   "--blocking-threads", "1", "--http", "1", "--no-ws",
                   "--log-level", "warning", app]  # fmt: skip
        return self._serve(name, command, port, **env)

    def _serve(self, name: str, command: list[str], port: int, **env: str) -> ManagedProcess:
        process = ManagedProcess(name, command, self.env(**env), self.log_dir)
        self.processes[name] = process
        process.start()
        wait_for(lambda: _answers(process, port), 60, interval=0.2, what=name)
        return process

    def serve(self, server: str, name: str, app: str, port: int) -> ManagedProcess:
        """Cahier ("web") or the baseline on ``server``, gunicorn or granian."""
        start = self.granian if server == "granian" else self.gunicorn
        return start(name, APPS[server][app], port)

    def start_web(self) -> None:
        self.serve(SERVER, "web", "cahier", self.web_port)

    def start_baseline(self) -> None:
        self.serve(SERVER, "baseline", "baseline", self.baseline_port)

    def start_nginx(self) -> None:
        from tests.bench.nginx import start_nginx

        self.processes["nginx"], self.nginx_port = start_nginx(
            self.workdir, self.log_dir, self.web_port
        )

    def start_worker(self) -> None:
        """The mail worker at low priority, and a one-process worker for the count fold's own
        queue at normal priority (workers/factory.py), so that the count stays live while
        mail waits."""
        self.processes["worker"] = celery_worker(
            self.env(), self.log_dir, concurrency=2, queues="celery"
        )
        lower_priority(self.processes["worker"])
        if "counts_worker" not in self.processes:
            self.processes["counts_worker"] = celery_worker(
                self.env(), self.log_dir, concurrency=1, name="counts-worker", queues="counts"
            )

    def start_beat(self) -> None:
        schedule = self.workdir / "celerybeat-schedule"
        self.processes["beat"] = celery_beat(self.env(), self.log_dir, schedule)

    def cpu_roots(self) -> dict[str, int]:
        roots = {name: p.process.pid for name, p in self.processes.items() if p.process}
        if self.redis.process is not None:
            roots["redis"] = self.redis.process.pid
        if self.sink.process is not None:
            roots["smtp_sink"] = self.sink.process.pid
        roots["postgres"] = int(Path(self.postgres.data, "postmaster.pid").read_text().split()[0])
        return roots

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None:
            process.stop()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)


# Mail yields the CPU to requests, as docs/deploy.md recommends when a worker shares a
# machine with gunicorn: in a spike, confirmations wait in the outbox and go out as the CPU
# frees up. "idle" is Linux's SCHED_IDLE (only CPU nobody else wants); a number is a nice.
WORKER_PRIORITY = os.environ.get("BENCH_WORKER_PRIORITY", "19")


def lower_priority(process: ManagedProcess) -> None:
    """Lower the priority of a process and of the children it has forked so far."""
    from tests.bench.cpu import _tree

    if process.process is None or WORKER_PRIORITY in ("", "0"):
        return
    for pid in _tree(process.process.pid):
        with contextlib.suppress(OSError):  # a child that just exited
            if WORKER_PRIORITY == "idle":
                os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
            else:
                os.setpriority(os.PRIO_PROCESS, pid, int(WORKER_PRIORITY))


def _answers(process: ManagedProcess, port: int) -> bool:
    if process.process is not None and process.process.poll() is not None:
        raise RuntimeError(f"{process.name} exited early:\n{process.log()[-3000:]}")
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
            return bool(r.status == 200)
    except OSError:
        return False


@contextmanager
def running_stack(web_workers: int) -> Iterator[Stack]:
    """Start PostgreSQL, Redis and the SMTP sink; every process is stopped on the way out."""
    workdir = Path(tempfile.mkdtemp(prefix="cahier-bench-"))
    log_dir = ROOT / "test-artifacts" / "bench"
    log_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as cleanup:
        cleanup.callback(shutil.rmtree, workdir, ignore_errors=True)
        postgres = BenchPostgres()
        cleanup.callback(postgres.cleanup)
        postgres.start()
        redis = RedisServer()
        cleanup.callback(redis.stop)
        redis.start()
        sink = SinkProcess(workdir)
        cleanup.callback(sink.stop)
        sink.start()
        stack = Stack(postgres, redis, sink, postgres.create_database("bench"), workdir,
                      log_dir, web_workers)  # fmt: skip
        cleanup.callback(stack.stop_all)
        yield stack
