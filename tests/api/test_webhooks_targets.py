"""Where a webhook may point (SSRF): the URL rules, the address checker, and the worker's
check of the address it connects to, in production and outside it."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator

import pytest

from organizer.api import webhook_delivery
from organizer.api.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from organizer.api.webhook_targets import (
    NonPublicAddress,
    Target,
    TargetError,
    UnresolvableHost,
    is_public,
    parse_url,
    resolve,
)
from organizer.extensions import db
from tests.api.webhooks_receiver import Receiver
from tests.factories import GroupFactory


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    started = Receiver().start()
    yield started
    started.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.8.9.10", "::1",  # loopback
        "10.1.2.3", "172.16.0.1", "192.168.1.1",  # private
        "169.254.169.254", "fe80::1",  # link-local (the cloud metadata address among them)
        "fc00::1", "fd12:3456::1",  # unique-local
        "0.0.0.0", "::", "100.64.0.1", "198.18.0.1", "224.0.0.1", "ff02::1", "240.0.0.1",
        "::ffff:127.0.0.1", "::ffff:10.0.0.1",  # IPv4 hidden in IPv6
        "64:ff9b::a00:1", "2002:7f00:1::",  # through NAT64 and 6to4 to 10.0.0.1, 127.0.0.1
    ],
)  # fmt: skip
def test_non_public_addresses_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700:4700::1111", "::ffff:1.1.1.1"])
def test_public_addresses_pass(address):
    assert is_public(ipaddress.ip_address(address))


def test_a_name_resolving_to_loopback_is_refused_in_production():
    target = parse_url("https://localhost/hook", production=True)
    with pytest.raises(NonPublicAddress) as refused:
        resolve(target, production=True)
    assert refused.value.address.is_loopback
    # Outside production a developer's own receiver is fine.
    assert resolve(target, production=False).is_loopback


@pytest.mark.parametrize(
    "url",
    ["https://127.0.0.1/hook", "https://[::1]/hook", "https://10.0.0.7/hook",
     "https://169.254.169.254/latest/meta-data", "https://[::ffff:192.168.0.1]/"],
)  # fmt: skip
def test_literal_private_addresses_are_refused_in_production(url):
    with pytest.raises(NonPublicAddress):
        parse_url(url, production=True)


@pytest.mark.parametrize(
    ("url", "production"),
    [
        ("http://127.0.0.1:8080/hook", True),  # plain http, even to loopback, in production
        ("http://example.org/hook", False),  # plain http is only for this machine
        ("ftp://example.org/hook", False),
        ("https://user:pass@example.org/hook", False),
        ("https:///hook", False),
        ("https://example.org:99999/", False),
        ("hooks.example.org/x", False),
    ],
)
def test_urls_a_webhook_cannot_use(url, production):
    with pytest.raises(TargetError):
        parse_url(url, production=production)


def test_loopback_http_is_allowed_outside_production():
    target = parse_url("http://localhost:8080/hook?key=1", production=False)
    assert target == Target("http", "localhost", 8080, "/hook?key=1")


def test_every_address_of_a_name_must_be_public(monkeypatch):
    """A name with a public and a private address is refused, whichever comes first."""

    def answer(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(socket, "getaddrinfo", answer)
    with pytest.raises(NonPublicAddress):
        resolve(Target("https", "mixed.example.org", 443, "/"), production=True)


def test_an_unknown_name_is_unresolvable():
    with pytest.raises(UnresolvableHost):
        resolve(Target("https", "no-such-host.invalid", 443, "/"), production=True)


def test_the_request_goes_to_the_checked_address_under_the_name(app, ctx, receiver):
    """The worker never resolves the name a second time: it connects to the address it
    checked and sends the name in the Host header (and as TLS SNI for https)."""
    target = Target("http", "hooks.example.invalid", receiver.port, "/pinned")
    address = ipaddress.ip_address("127.0.0.1")
    status = webhook_delivery.post(target, address, {"Content-Type": "application/json"}, b"[]")
    (request,) = receiver.to("/pinned")
    assert status == 200
    assert request.headers["Host"] == f"hooks.example.invalid:{receiver.port}"


def _loopback_delivery(url: str) -> int:
    group = GroupFactory()
    subscription = WebhookSubscription(group_id=group.id, url=url, events=[], secret="s" * 64)
    db.session.add(subscription)
    db.session.flush()
    delivery = WebhookDelivery(
        subscription_id=subscription.id, event="signature.confirmed", dedupe_key="k", payload={}
    )
    db.session.add(delivery)
    db.session.flush()
    return delivery.id


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_in_production_the_worker_refuses_a_target_that_resolves_to_loopback(
    app, ctx, receiver, monkeypatch, host
):
    """Say the URL was accepted when its name pointed elsewhere, and the DNS now answers
    127.0.0.1 (rebinding): the worker checks at connect time and posts nothing."""
    delivery_id = _loopback_delivery(f"https://{host}:{receiver.port}/private")
    monkeypatch.setitem(app.config, "CAHIER_ENV", "production")
    assert webhook_delivery.claim(delivery_id)
    outcome = webhook_delivery.deliver(delivery_id)
    row = db.session.get(WebhookDelivery, delivery_id)
    assert outcome.status == DeliveryStatus.PENDING and outcome.retry_in is not None
    assert row.last_error.startswith("address: 127.0.0.1") or row.last_error == "address: ::1"
    assert row.last_status_code is None
    assert receiver.requests == []


def test_retry_delays_double_up_to_the_cap(app, ctx, monkeypatch):
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_BASE_SECONDS", 30.0)
    monkeypatch.setitem(app.config, "WEBHOOK_RETRY_MAX_SECONDS", 3600.0)
    delays = [webhook_delivery.retry_delay(n) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
