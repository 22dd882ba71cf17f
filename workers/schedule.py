"""The beat schedule, in one place. Intervals come from configuration so tests need not wait."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def beat_schedule(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        "mail-sweep": {
            "task": "mail.sweep",
            "schedule": float(config["OUTBOX_SWEEP_INTERVAL_SECONDS"]),
        },
        "letters-sweep": {
            "task": "letters.sweep",
            "schedule": float(config["LETTERS_SWEEP_INTERVAL_SECONDS"]),
        },
        **_signatures(config),
        "event-reminders": {
            "task": "events.send_due_reminders",
            "schedule": float(config["EVENT_REMINDER_INTERVAL_SECONDS"]),
        },
        "event-rsvp-digests": {
            "task": "events.send_rsvp_digests",
            "schedule": float(config["EVENT_DIGEST_INTERVAL_SECONDS"]),
        },
        "supporters-retention": {
            "task": "supporters.anonymize_inactive",
            "schedule": float(config["SUPPORTER_RETENTION_INTERVAL_SECONDS"]),
        },
        "mailings-tick": {
            "task": "mailings.tick",
            "schedule": float(config["MAILING_TICK_INTERVAL_SECONDS"]),
        },
        "webhooks-sweep": {
            "task": "webhooks.sweep",
            "schedule": float(config["WEBHOOK_SWEEP_INTERVAL_SECONDS"]),
        },
    }


def _signatures(config: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    every = {
        "signatures.fold_counts": "SIGNATURE_COUNT_INTERVAL_SECONDS",
        "signatures.check_pledges": "PLEDGE_CHECK_INTERVAL_SECONDS",
        "signatures.reconcile_counts": "SIGNATURE_RECONCILE_INTERVAL_SECONDS",
        "signatures.abuse_reports": "SIGNATURE_REPORT_INTERVAL_SECONDS",
        "signatures.purge_ip_hmacs": "SIGNATURE_PURGE_INTERVAL_SECONDS",
        "signatures.sweep_revision_notices": "REVISION_NOTICE_SWEEP_INTERVAL_SECONDS",
        "signatures.sweep_sign_again": "OUTBOX_SWEEP_INTERVAL_SECONDS",
    }
    return {
        task.replace(".", "-"): {"task": task, "schedule": float(config[setting])}
        for task, setting in every.items()
    }
