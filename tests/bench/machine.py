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
