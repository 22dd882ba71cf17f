"""Drive one scenario with wrk (a separate process) and read back its JSON line."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.bench.machine import Steal

LUA = Path(__file__).with_name("lua")


@dataclass(frozen=True)
class Load:
    connections: int
    threads: int = 1
    duration: int = 30
    timeout_seconds: int = 5


def run_wrk(
    url: str, script: str, load: Load, workdir: Path, args: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Run wrk for ``load.duration`` seconds; figures in req/s, ms and fractions."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is not installed; `make bench` installs it")
    combined = workdir / f"wrk-{script}"
    combined.write_text((LUA / "report.lua").read_text() + "\n" + (LUA / script).read_text())
    command = [
        wrk, "-t", str(load.threads), "-c", str(load.connections), "-d", f"{load.duration}s",
        "--timeout", f"{load.timeout_seconds}s", "-s", str(combined), url, "--", *args,
    ]  # fmt: skip
    steal = Steal()
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=load.duration + 120, check=False
    )
    stolen = steal.percent()
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("WRK_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    figures = summarize(json.loads(line.removeprefix("WRK_JSON ")))
    figures["connections"] = load.connections
    figures["cpu_steal_pct"] = stolen
    return figures


def summarize(raw: dict[str, Any]) -> dict[str, Any]:
    seconds = raw["duration_us"] / 1e6
    statuses = {str(k): int(v) for k, v in sorted(raw["statuses"].items())}
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    failed = socket_errors + sum(n for code, n in statuses.items() if int(code) >= 400)
    attempts = raw["requests"] + socket_errors - errors["read"]  # a read error is a request too
    latency = raw["latency_us"]
    return {
        "seconds": round(seconds, 2),
        "requests": raw["requests"],
        "sent": raw["sent"],
        "accepted_by_body": raw["accepted"],
        "req_per_s": round(raw["requests"] / seconds, 1),
        "p50_ms": round(latency["p50"] / 1000, 2),
        "p95_ms": round(latency["p95"] / 1000, 2),
        "p99_ms": round(latency["p99"] / 1000, 2),
        "max_ms": round(latency["max"] / 1000, 2),
        "errors": failed,
        "error_rate": round(failed / attempts, 6) if attempts else 0.0,
        "socket_errors": errors,
        "statuses": statuses,
    }
