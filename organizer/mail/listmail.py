"""What a list message carries: RFC 8058 one-click unsubscribe, RFC 2919 List-Id, and the
VERP envelope sender through which a bounce finds its outbox row.

Tokens here end up in the local part of an address (``unsubscribe+…@``, ``bounce+…@``), which
some mail systems lower-case and which may hold 64 characters at most: so they are an id and
a truncated HMAC in hex, rather than itsdangerous's mixed-case base64.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from email.utils import parseaddr
from functools import lru_cache

from flask import current_app

from organizer.groups.models import Group
from organizer.urls import external_url

UNSUBSCRIBE_SALT = b"cahier.supporter-unsubscribe"
BOUNCE_SALT = b"cahier.outbox-bounce"
UNSUBSCRIBE_LOCAL = "unsubscribe"
BOUNCE_LOCAL = "bounce"
# 104 bits: far beyond guessing, and short enough for the 64-character local part.
_MAC_CHARS = 26
_TOKEN = re.compile(r"(\d{1,18})-([0-9a-f]{" + str(_MAC_CHARS) + r"})\Z")


def _mac(salt: bytes, value: int) -> str:
    # A mailing computes two per recipient: the keyed state is made once per key and salt.
    mac = _keyed(current_app.config["SECRET_KEY"], salt).copy()
    mac.update(str(value).encode())
    return mac.hexdigest()[:_MAC_CHARS]


@lru_cache(maxsize=16)
def _keyed(secret: str, salt: bytes) -> hmac.HMAC:
    return hmac.new(secret.encode(), salt + b":", hashlib.sha256)


def _token(salt: bytes, value: int) -> str:
    return f"{value}-{_mac(salt, value)}"


def _untoken(salt: bytes, token: str) -> int | None:
    found = _TOKEN.match(token.strip().lower())
    if found is None:
        return None
    value = int(found.group(1))
    return value if hmac.compare_digest(_mac(salt, value), found.group(2)) else None


def mail_domain() -> str:
    """The domain of MAIL_FROM: bounces and mailto unsubscribes come back to it, and an
    envelope sender in the From domain is what DMARC's SPF alignment asks for."""
    return _domain_of(current_app.config["MAIL_FROM"])


@lru_cache(maxsize=8)
def _domain_of(mail_from: str) -> str:
    return parseaddr(mail_from)[1].rpartition("@")[2].lower() or "cahier.invalid"


def supporter_token(supporter_id: int) -> str:
    """Signed and timeless: an unsubscribe link must work years later (RFC 8058)."""
    return _token(UNSUBSCRIBE_SALT, supporter_id)


def supporter_for_token(token: str) -> int | None:
    return _untoken(UNSUBSCRIBE_SALT, token)


def supporter_unsubscribe_url(supporter_id: int) -> str:
    return _unsubscribe_url(supporter_token(supporter_id))


def _unsubscribe_url(token: str) -> str:
    # Built once per BASE_URL: a token is [0-9a-z-] and needs no quoting.
    return _url_prefix(current_app.config["BASE_URL"]) + token


@lru_cache(maxsize=8)
def _url_prefix(base_url: str) -> str:
    placeholder = "0"
    return external_url("mail.unsubscribe_supporter", token=placeholder).removesuffix(placeholder)


def unsubscribe_address(supporter_id: int) -> str:
    return _unsubscribe_address(supporter_token(supporter_id))


def _unsubscribe_address(token: str) -> str:
    return f"{UNSUBSCRIBE_LOCAL}+{token}@{mail_domain()}"


def bounce_address(outbox_id: int) -> str:
    """The VERP envelope sender of one outbox row."""
    return f"{BOUNCE_LOCAL}+{_token(BOUNCE_SALT, outbox_id)}@{mail_domain()}"


def _tagged(address: str, local: str) -> str | None:
    # Accepts "<a@b>" and a display name: DSNs quote the original recipient in many forms.
    mailbox = parseaddr(address)[1] or address.strip().strip("<>")
    user, _, _domain = mailbox.rpartition("@")
    prefix, plus, tag = user.partition("+")
    if not plus or prefix.lower() != local:
        return None
    return tag


def outbox_id_for_bounce_address(address: str) -> int | None:
    tag = _tagged(address, BOUNCE_LOCAL)
    return _untoken(BOUNCE_SALT, tag) if tag is not None else None


def supporter_for_unsubscribe_address(address: str) -> int | None:
    tag = _tagged(address, UNSUBSCRIBE_LOCAL)
    return supporter_for_token(tag) if tag is not None else None


def list_id(group: Group, list_id_suffix: str) -> str:
    """RFC 2919: ``"Name" <slug.suffix.domain>``; a name that is not plain ASCII is left out
    rather than encoded, since an encoded word would swallow the angle brackets."""
    return _list_id(group.slug, group.name, list_id_suffix, mail_domain())


@lru_cache(maxsize=64)
def _list_id(slug: str, group_name: str, list_id_suffix: str, domain: str) -> str:
    suffix = re.sub(r"[^a-z0-9-]+", "-", list_id_suffix.lower()).strip("-") or "list"
    ident = f"<{slug}.{suffix}.{domain}>"
    name = group_name.replace('"', "").replace("\\", "")
    if name and name.isascii() and name.isprintable():
        return f'"{name}" {ident}'
    return ident


class ListHeaders:
    """The list headers of one group's list, with what is the same for every supporter
    (the keyed HMAC, the URL prefix, the domain, the List-Id) worked out once: a mailing
    builds them for each of its recipients, outside any request."""

    def __init__(self, group: Group, list_id_suffix: str) -> None:
        self._key = _keyed(current_app.config["SECRET_KEY"], UNSUBSCRIBE_SALT)
        self._url_prefix = _url_prefix(current_app.config["BASE_URL"])
        self._domain = mail_domain()
        self._list_id = list_id(group, list_id_suffix)

    def token(self, supporter_id: int) -> str:
        """``supporter_token(supporter_id)``."""
        mac = self._key.copy()
        mac.update(str(supporter_id).encode())
        return f"{supporter_id}-{mac.hexdigest()[:_MAC_CHARS]}"

    def unsubscribe_url(self, token: str) -> str:
        return self._url_prefix + token

    def headers(self, token: str) -> dict[str, str]:
        return {
            "List-Unsubscribe": (
                f"<{self._url_prefix}{token}>, "
                f"<mailto:{UNSUBSCRIBE_LOCAL}+{token}@{self._domain}?subject=unsubscribe>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": self._list_id,
        }


def list_headers(*, group: Group, supporter_id: int, list_id_suffix: str) -> dict[str, str]:
    """The headers of a message to one supporter of the group's list."""
    return ListHeaders(group, list_id_suffix).headers(supporter_token(supporter_id))


def envelope_sender_for(kind: str, outbox_id: int, default: str) -> str:
    """Mailings carry their VERP address; every other message keeps MAIL_FROM's."""
    return bounce_address(outbox_id) if kind == "mailing" else default
