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
    # Past the soft per-IP limit a shared connection is asked to solve a challenge.
    assert reasons == [None, None, None, abuse.CHALLENGE]
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
    app.config["SIGN_HARD_LIMIT_PER_IP"] = "1/minute"
    _storage_client().script_flush()
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") is None
    _storage_client().script_flush()
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") == abuse.IP_LIMIT
    assert abuse.suspect_reason(990002, "ip-a", "gmail.com", "") == abuse.IP_LIMIT


def test_subdomains_share_their_registrable_domains_limit(app, ctx):
    app.config["SIGN_LIMIT_PER_DOMAIN"] = "2/minute"
    domains = ["sub1.example.org", "sub2.example.org", "deep.sub3.EXAMPLE.org."]
    reasons = [abuse.suspect_reason(990003, f"ip-{d}", d, "") for d in domains]
    assert reasons == [None, None, abuse.DOMAIN_LIMIT]
    # Under a public suffix, each registrant is its own domain.
    assert abuse.suspect_reason(990003, "ip-x", "a.example.co.uk", "") is None
    assert abuse.suspect_reason(990003, "ip-y", "b.example.co.uk", "") is None
    assert abuse.suspect_reason(990003, "ip-z", "alice.github.io", "") is None
    assert abuse.suspect_reason(990003, "ip-w", "bob.github.io", "") is None


def test_registrable_domains_come_from_the_public_suffix_list():
    assert abuse.registrable_domain("s1.sub1.example.org") == "example.org"
    assert abuse.registrable_domain("mail.example.co.uk") == "example.co.uk"
    assert abuse.registrable_domain("co.uk") == "co.uk"
    assert abuse.registrable_domain("[192.0.2.1]") == "[192.0.2.1]"
    assert abuse.registrable_domain("googlemail.gmail.com") == "gmail.com"
