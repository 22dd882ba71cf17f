"""Ratios to the baseline, and each target of issue 7 with the figure that meets it or not."""

from __future__ import annotations

from typing import Any


def _get(results: dict[str, Any], *path: str) -> Any:
    value: Any = results
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _throughputs(results: dict[str, Any]) -> dict[str, Any]:
    return {
        "sign_req_per_s": _get(results, "sign", "req_per_s"),
        "confirm_per_s": _get(results, "confirm", "req_per_s"),
        "page_req_per_s": _get(results, "read", "page", "req_per_s"),
        "count_json_req_per_s": _get(results, "read", "count_json", "req_per_s"),
        "page_uncached_req_per_s": _get(results, "read", "page_app", "req_per_s"),
        "count_json_uncached_req_per_s": _get(results, "read", "count_json_app", "req_per_s"),
        "mail_emails_per_s": _get(results, "mail", "emails_per_s"),
        "export_rows_per_s": _get(results, "export", "rows_per_s"),
    }


def _latencies(results: dict[str, Any]) -> dict[str, Any]:
    return {
        "sign_p99_ms": _get(results, "sign", "p99_ms"),
        "confirm_p99_ms": _get(results, "confirm", "p99_ms"),
        "page_p99_ms": _get(results, "read", "page", "p99_ms"),
        "count_json_p99_ms": _get(results, "read", "count_json", "p99_ms"),
        "page_uncached_p99_ms": _get(results, "read", "page_app", "p99_ms"),
        "count_json_uncached_p99_ms": _get(results, "read", "count_json_app", "p99_ms"),
    }


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    """Throughputs divided by the baseline's req/s; latencies by the baseline's p99."""
    rate = _get(results, "baseline", "req_per_s")
    p99 = _get(results, "baseline", "p99_ms")
    out: dict[str, Any] = {"baseline_req_per_s": rate, "baseline_p99_ms": p99}
    for name, value in _throughputs(results).items():
        out[name] = round(value / rate, 3) if value and rate else None
    for name, value in _latencies(results).items():
        out[name] = round(value / p99, 3) if value and p99 else None
    return out


def _target(value: Any, ok: bool | None, goal: str) -> dict[str, Any]:
    return {"goal": goal, "measured": value, "met": ok if value is not None else None}


def targets(results: dict[str, Any]) -> dict[str, Any]:
    sign = results.get("sign") or {}
    base = _get(results, "baseline", "req_per_s")
    rate, p99 = sign.get("req_per_s"), sign.get("p99_ms")
    out = {
        "sign_rate": _target(rate, rate is not None and rate >= 1000, ">= 1000 req/s for 60 s"),
        "sign_p99": _target(p99, p99 is not None and p99 <= 25, "p99 <= 25 ms"),
        "sign_errors": _target(sign.get("errors"), sign.get("errors") == 0, "0 errors"),
        "sign_vs_baseline": _target(
            round(rate / base, 3) if rate and base else None,
            bool(rate and base and rate / base >= 0.6),
            ">= 0.6 of the baseline",
        ),
        "sign_nothing_lost": _target(
            sign.get("rows_in_db"),
            sign.get("nothing_lost"),
            "rows in the database == accepted requests",
        ),
    }
    for name in ("page", "count_json"):
        figures = _get(results, "read", name) or {}
        paced = _get(results, "read", name + "_paced") or figures
        r, p = figures.get("req_per_s"), paced.get("p99_ms")
        out[f"{name}_rate"] = _target(r, r is not None and r >= 4000, ">= 4000 req/s")
        at_rate = (paced.get("req_per_s") or 0) >= 4000
        out[f"{name}_p99"] = _target(p, p is not None and p <= 10 and at_rate,
                                     "p99 <= 10 ms at >= 4000 req/s (paced run)")  # fmt: skip
    for where in ("app", "edge"):
        stale = _get(results, "confirm", "staleness_under_load", where, "max_s")
        out[f"count_staleness_{where}"] = _target(stale, stale is not None and stale <= 2,
                                                  "<= 2 s under load")  # fmt: skip
    exact = _get(results, "confirm", "exact_after_reconcile")
    out["count_exact_after_reconcile"] = _target(exact, exact is True, "exact")
    mail = results.get("mail") or {}
    emails = mail.get("emails_per_s")
    out["mail_rate"] = _target(emails, emails is not None and emails >= 800, ">= 800 emails/s")
    out["mail_no_duplicates"] = _target(mail.get("duplicates_whole_run"),
                                        mail.get("none_sent_twice"), "none sent twice")  # fmt: skip
    export = results.get("export") or {}
    rows, rss = export.get("rows_per_s"), export.get("peak_rss_mb")
    out["export_rate"] = _target(rows, rows is not None and rows >= 200_000, ">= 200000 rows/s")
    out["export_rss"] = _target(rss, rss is not None and rss < 200, "peak RSS < 200 MB")
    worst = _get(results, "audience", "worst_p95_ms")
    out["audience_count_p95"] = _target(worst, worst is not None and worst <= 200,
                                        "p95 <= 200 ms over 1,000,000 supporters")  # fmt: skip
    api = results.get("api") or {}
    # Issue 16 sets its targets through gunicorn; the scenario pages through both servers.
    runs = {"": api}
    if "other_server" in api:
        runs[f"_{api['other_server']['server']}"] = api["other_server"]
    for suffix, figures in runs.items():
        rate, p99 = _get(figures, "paging", "req_per_s"), _get(figures, "paging", "p99_ms")
        out[f"api_paging_rate{suffix}"] = _target(rate, rate is not None and rate >= 300,
                                                  ">= 300 req/s paging 100,000 people")  # fmt: skip
        out[f"api_paging_p99{suffix}"] = _target(p99, p99 is not None and p99 <= 30,
                                                 "p99 <= 30 ms")  # fmt: skip
        last = figures.get("last_page_p99_ms")
        out[f"api_last_page_p99{suffix}"] = _target(last, last is not None and last <= 30,
                                                    "p99 of page 4,000 <= 30 ms")  # fmt: skip
    return out


def _cpu(results: dict[str, Any], *path: str) -> dict[str, Any]:
    return _get(results, *path, "cpu_ms_per_request") or {}


def round2_targets(results: dict[str, Any]) -> dict[str, Any]:
    """Issue 18's table: each path's rate, ratio, p99 and CPU per request, with its target."""
    base = _get(results, "baseline", "req_per_s")
    sign, confirm = results.get("sign") or {}, results.get("confirm") or {}
    rate = sign.get("req_per_s")
    ratio = round(rate / base, 3) if rate and base else None
    web = {
        "sign": _cpu(results, "sign").get("web"),
        "confirm": _cpu(results, "confirm").get("web"),
        "page": _cpu(results, "read", "page_app").get("web"),
        "count_json": _cpu(results, "read", "count_json_app").get("web"),
    }
    edge = _get(results, "confirm", "staleness_under_load", "edge") or {}
    p95, most = edge.get("p95_s"), edge.get("max_s")

    def at_most(value: Any, limit: float) -> bool:
        return value is not None and value <= limit

    return {
        "sign_vs_baseline": _target(ratio, bool(ratio and ratio >= 0.5), ">= 0.5 x baseline"),
        "sign_p99": _target(sign.get("p99_ms"), at_most(sign.get("p99_ms"), 25), "p99 <= 25 ms"),
        "sign_web_cpu_ms": _target(web["sign"], at_most(web["sign"], 1.2), "web <= 1.2 ms"),
        "confirm_web_cpu_ms": _target(web["confirm"], at_most(web["confirm"], 2), "web <= 2 ms"),
        "page_uncached_web_cpu_ms": _target(web["page"], at_most(web["page"], 3), "web <= 3 ms"),
        "count_json_uncached_web_cpu_ms": _target(
            web["count_json"], at_most(web["count_json"], 0.8), "web <= 0.8 ms"
        ),
        "count_staleness_edge_p95_s": _target(p95, at_most(p95, 1.5), "p95 <= 1.5 s"),
        "count_staleness_edge_max_s": _target(most, at_most(most, 2), "max <= 2 s"),
        # Figures of the table that carry no target of their own.
        "confirm_vs_baseline": (
            round(confirm["req_per_s"] / base, 3) if confirm.get("req_per_s") and base else None
        ),
        "postgres_cpu_ms": {
            "sign": _cpu(results, "sign").get("postgres"),
            "confirm": _cpu(results, "confirm").get("postgres"),
            "page": _cpu(results, "read", "page_app").get("postgres"),
            "count_json": _cpu(results, "read", "count_json_app").get("postgres"),
        },
    }
