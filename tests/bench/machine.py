"""What the figures were measured on."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any


def _first(path: str, prefix: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _version(*command: str) -> str:
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        return "missing"
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    # wrk prints its version in its usage text and exits 1; the first line is what we want.
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def describe(postgres_bin: str) -> dict[str, Any]:
    from importlib.metadata import version

    mem_kib = int(_first("/proc/meminfo", "MemTotal").split()[0] or 0)
    return {
        "cpu_model": _first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gb": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "versions": {
            "postgresql": _version(str(Path(postgres_bin) / "postgres"), "--version"),
            "redis": _version("redis-server", "--version"),
            "wrk": _version("wrk", "--version"),
            **{
                name: version(name)
                for name in ("flask", "sqlalchemy", "psycopg", "gunicorn", "granian", "celery")
            },
            "redis_py": version("redis"),
        },
        "load_generator": "wrk, same machine, loopback",
    }


def cpu_ticks() -> tuple[int, int]:
    """(stolen, total) clock ticks of all cores since boot, from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0, 0
    ticks = [int(f) for f in fields[:8]]  # user to steal; guest time is counted in user
    return ticks[7], sum(ticks)


class Steal:
    """The share of the cores the hypervisor gave to other guests meanwhile. On this shared
    virtual machine it ranged 0.2 to 20 % from one 8 s run to the next, and a run at 20 % had
    the throughput and tail of a machine with a fifth less CPU: figures taken under it are
    the host's, not Cahier's (docs/performance.md)."""

    def __init__(self) -> None:
        self.start = cpu_ticks()

    def percent(self) -> float:
        stolen, total = cpu_ticks()
        elapsed = total - self.start[1]
        return round(100 * (stolen - self.start[0]) / elapsed, 1) if elapsed > 0 else 0.0
