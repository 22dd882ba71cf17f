"""Issue 18 § 4: granian (WSGI) against gunicorn's sync workers, in the same run.

Both servers serve the baseline and Cahier with the same number of processes, each process
running one request at a time, against the same PostgreSQL, Redis and worker. For each
server the scenario drives the baseline insert, Cahier's sign POST and the uncached
campaign page, and reads the CPU each server's processes spent per request: rates move
with whatever else runs on two cores, CPU per request much less.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.bench import http_scenarios
from tests.bench.http_scenarios import Context
from tests.bench.stack import SERVER
from tests.support.services import free_port

SERVERS = ("gunicorn", "granian")
OTHER_SERVER = next(s for s in SERVERS if s != SERVER)


def servers(ctx: Context) -> dict[str, Any]:
    """Both servers run side by side; each path is driven on one and then the other, back to
    back, so that a change in the machine's load between paths skews neither."""
    other = OTHER_SERVER
    # A run id of its own for each: the sign scenario's addresses come from it, and one
    # already used by the main sign run would make every POST a signer on file.
    served = {SERVER: replace(ctx, run_id=f"{ctx.run_id}{SERVER[:2]}"), other: _other(ctx, other)}
    figures: dict[str, dict[str, Any]] = {server: {} for server in SERVERS}
    try:
        for path, drive in PATHS.items():
            for server in SERVERS:
                process = "baseline" if path == "baseline" else "web"
                if server != SERVER:
                    process += f"-{server}"
                figures[server][path] = _summary(drive(served[server]), process)
    finally:
        for name in (f"web-{other}", f"baseline-{other}"):
            ctx.stack.stop(name)
    results: dict[str, Any] = {server: _with_ratios(figures[server]) for server in SERVERS}
    results["bench_server"] = SERVER
    results["winner_on_cahier"] = _winner(results)
    return results


def _other(ctx: Context, server: str) -> Context:
    stack = replace(ctx.stack, web_port=free_port(), baseline_port=free_port())
    stack.serve(server, f"web-{server}", "cahier", stack.web_port)
    stack.serve(server, f"baseline-{server}", "baseline", stack.baseline_port)
    return replace(ctx, stack=stack, run_id=f"{ctx.run_id}{server[:2]}")


def _summary(result: dict[str, Any], process: str) -> dict[str, Any]:
    cpu = result.get("cpu_ms_per_request", {})
    return {
        "req_per_s": result.get("req_per_s"),
        "p99_ms": result.get("p99_ms"),
        "errors": result.get("errors"),
        "server_cpu_ms_per_request": cpu.get(process),
        "postgres_cpu_ms_per_request": cpu.get("postgres"),
    }


def _with_ratios(figures: dict[str, Any]) -> dict[str, Any]:
    rate = figures["baseline"]["req_per_s"]
    for path in ("sign", "page_uncached"):
        mine = figures[path]["req_per_s"]
        figures[path]["ratio_to_baseline"] = round(mine / rate, 3) if mine and rate else None
    return figures


def _page(ctx: Context) -> dict[str, Any]:
    path = ctx.path("campaigns.page", slug=ctx.campaign["slug"])
    return http_scenarios.drive(ctx, ctx.stack.base_url + str(path), "get.lua")


PATHS = {
    "baseline": http_scenarios.baseline,
    "sign": http_scenarios.sign,
    "page_uncached": _page,
}


def _winner(results: dict[str, Any]) -> dict[str, Any]:
    """Less server CPU per request wins, on the sign POST and on the page."""
    verdict: dict[str, Any] = {}
    for path in ("sign", "page_uncached"):
        costs = {s: results[s][path]["server_cpu_ms_per_request"] for s in SERVERS}
        if all(isinstance(c, (int, float)) for c in costs.values()):
            verdict[path] = min(costs, key=lambda s: costs[s])
    return verdict
