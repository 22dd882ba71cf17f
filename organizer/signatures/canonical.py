"""Canonical email addresses for dedupe (DESIGN.md decision 5), and refused domains.

This is not the account normalization: an account keeps the address as typed (lowercased),
while a signature is matched on the mailbox the message ends up in, so that
``J.Doe+petition@googlemail.com`` and ``jdoe@gmail.com`` sign once.

Per-provider rules (add a provider only when its documentation says it behaves so):

=====================================  ============  ===========  ==================
Domain                                 Dots dropped  +tag dropped Domain folded to
=====================================  ============  ===========  ==================
gmail.com, googlemail.com              yes           yes          gmail.com
outlook.com, hotmail.com, live.com,    no            yes          (kept)
msn.com
icloud.com, me.com, mac.com            no            yes          (kept)
fastmail.com, fastmail.fm              no            yes          (kept)
proton.me, protonmail.com, pm.me       no            yes          (kept)
any other domain                       no            no           (kept)
=====================================  ============  ===========  ==================

Everywhere, the domain is lowercased (IDNA as email-validator normalizes it) and so is the
local part: RFC 5321 allows case-sensitive mailboxes, but no provider we know of uses them,
and ``Jane@`` and ``jane@`` signing twice would be the worse error.
"""

from __future__ import annotations

from dataclasses import dataclass

from disposable_email_domains import blocklist
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
DROP_DOTS = frozenset({"gmail.com"})
DROP_TAGS = frozenset(
    {
        "gmail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "fastmail.com",
        "fastmail.fm",
        "proton.me",
        "protonmail.com",
        "pm.me",
    }
)


class EmailRefused(ValueError):
    """The address cannot sign; the message says why, in the visitor's language."""


@dataclass(frozen=True)
class Address:
    email: str  # where mail goes: the address as typed, with its domain normalized
    canonical: str
    domain: str  # the canonical domain, for rate limits and moderation


def canonical_email(address: str) -> str:
    """The canonical form of an address already known to be syntactically valid."""
    local, _, domain = address.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    domain = DOMAIN_ALIASES.get(domain, domain)
    local = local.lower()
    if domain in DROP_TAGS:
        local = local.split("+", 1)[0]
    if domain in DROP_DOTS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def is_disposable(domain: str) -> bool:
    """True for a throwaway-mailbox domain, or a subdomain of one."""
    parts = domain.lower().split(".")
    return any(".".join(parts[i:]) in blocklist for i in range(len(parts) - 1))


def parse_address(raw: str) -> Address:
    """Validate a typed address and return its sending and canonical forms, or refuse it."""
    try:
        valid = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise EmailRefused(_l("Enter a valid email address.")) from exc
    if is_disposable(valid.domain):
        raise EmailRefused(
            _l(
                "Addresses at %(domain)s are disposable: please sign with an address "
                "you will keep, so that we can confirm your signature.",
                domain=valid.domain,
            )
        )
    canonical = canonical_email(valid.normalized)
    return Address(email=valid.normalized, canonical=canonical, domain=canonical.rpartition("@")[2])
