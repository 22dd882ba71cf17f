from __future__ import annotations

from limits import parse

from organizer.extensions import limiter
from organizer.signatures import abuse


def _storage_client():
    return limiter.limiter.storage.get_connection()


def test_both_limits_are_counted_where_the_limiter_itself_keeps_them(app, ctx):
    app.config["SIGN_LIMIT_PER_IP"] = "3/minute"
    app.config["SIGN_LIMIT_PER_DOMAIN"] = "5/minute"
    reasons = [abuse.suspect_reason(990001, "ip-a", "flood.example", "") for _ in range(4)]
    assert reasons == [None, None, None, abuse.IP_LIMIT]
    # The counters are the limiter's own: its window stats agree with the four hits.
    ip_stats = limiter.limiter.get_window_stats(parse("3/minute"), "sign-ip", "990001", "ip-a")
    domain_stats = limiter.limiter.get_window_stats(
        parse("5/minute"), "sign-domain", "990001", "flood.example"
    )
    assert ip_stats.remaining == 0 and domain_stats.remaining == 1
    # Other IPs reach the domain limit together.
    assert abuse.suspect_reason(990001, "ip-b", "flood.example", "") is None
    assert abuse.suspect_reason(990001, "ip-c", "flood.example", "") == abuse.DOMAIN_LIMIT


def test_limits_still_hold_when_redis_forgot_the_script(app, ctx):
    app.config["SIGN_LIMIT_PER_IP"] = "1/minute"
    _storage_client().script_flush()
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") is None
    _storage_client().script_flush()
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") == abuse.IP_LIMIT
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") == abuse.IP_LIMIT
