"""Publishes the outbox's delivery tasks from a thread of each process, in batches.

A publish costs about a millisecond of CPU and a Redis round trip; at a thousand
signatures a second that is a core's worth of requests waiting on the broker. So a commit
only hands its ids to this process's dispatcher, whose thread publishes them at most every
``INTERVAL`` seconds, or as soon as ``DELIVER_BATCH`` are waiting, as ``mail.deliver_batch``
tasks (a lone id as ``mail.deliver``). Whatever never reaches the broker (Redis down, the
process killed before its thread ran) is still queued in the database, where the beat
sweeper finds it, as before.

Works in any process: gunicorn's sync workers and Celery's pool processes fork after the
app is made, so the state is renewed when the pid changes; what is pending is flushed at
exit (``atexit``; Celery's pool processes call ``flush_all`` on shutdown instead, see
``workers/mail.py``).
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import weakref
from collections.abc import Iterable

from flask import Flask

from organizer.ops.logs import request_id_var

log = logging.getLogger(__name__)

DELIVER_TASK = "mail.deliver"
DELIVER_BATCH_TASK = "mail.deliver_batch"
# Ids per batch task: one Celery message and one claim per batch rather than per email,
# while a worker that dies mid-batch leaves at most this many claims to the stale sweep.
DELIVER_BATCH = 100
# The longest an id waits in the process before it is published, unless the app's
# MAIL_DISPATCH_INTERVAL_SECONDS says otherwise. With several web processes each sees only
# its share of a spike: at 50 ms most publishes carried one id, a publish per request again.
INTERVAL = 0.25

_registry_lock = threading.Lock()
_dispatchers: weakref.WeakSet[Dispatcher] = weakref.WeakSet()


def dispatcher_for(app: Flask) -> Dispatcher:
    found = app.extensions.get("mail_dispatcher")
    if found is None:
        with _registry_lock:
            found = app.extensions.get("mail_dispatcher")
            if found is None:
                found = app.extensions["mail_dispatcher"] = Dispatcher(app)
                _dispatchers.add(found)
    return found


def flush_all() -> None:
    for dispatcher in list(_dispatchers):
        dispatcher.flush()


class Dispatcher:
    def __init__(self, app: Flask, interval: float | None = None) -> None:
        # The app, not its Celery object: tests swap app.extensions["celery"].
        self.app = app
        if interval is None:
            interval = float(app.config.get("MAIL_DISPATCH_INTERVAL_SECONDS", INTERVAL))
        self.interval = interval
        self._renew()

    def _renew(self) -> None:
        # After a fork nothing of the parent's thread or lock can be trusted, and what it
        # had pending is the parent's to publish.
        self.pid = os.getpid()
        self.lock = threading.Lock()
        self.pending: list[tuple[int, str | None]] = []
        self.waiting = threading.Event()  # something is pending
        self.full = threading.Event()  # a whole batch is pending
        self.thread: threading.Thread | None = None

    def add(self, email_ids: Iterable[int]) -> None:
        if self.pid != os.getpid():
            self._renew()
        request_id = request_id_var.get()
        with self.lock:
            self.pending.extend((email_id, request_id) for email_id in email_ids)
            full = len(self.pending) >= DELIVER_BATCH
            if self.thread is None:
                self._start()
        self.waiting.set()
        if full:
            self.full.set()

    def _start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="outbox-dispatch", daemon=True)
        self.thread.start()
        atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            self.waiting.wait()
            self.full.wait(self.interval)
            # Cleared before the ids are taken: an id added from here on sets them again.
            self.waiting.clear()
            self.full.clear()
            self.flush()

    def flush(self) -> int:
        """Publish everything pending now; returns how many ids were published."""
        if self.pid != os.getpid():
            return 0
        with self.lock:
            pending, self.pending = self.pending, []
        if not pending:
            return 0
        try:
            self._publish(pending)
        except Exception:
            # retry=False: with Redis down, give up at once; the sweeper finds the rows.
            log.warning("could not enqueue %d emails; the sweeper will", len(pending),
                        exc_info=True)  # fmt: skip
            return 0
        return len(pending)

    def _publish(self, pending: list[tuple[int, str | None]]) -> None:
        celery = self.app.extensions["celery"]
        if len(pending) == 1:
            email_id, request_id = pending[0]
            # One email, one request: its task's log lines keep the request's id.
            token = request_id_var.set(request_id)
            try:
                celery.send_task(DELIVER_TASK, args=[email_id], retry=False)
            finally:
                request_id_var.reset(token)
            return
        for start in range(0, len(pending), DELIVER_BATCH):
            batch = pending[start : start + DELIVER_BATCH]
            ids = [email_id for email_id, _ in batch]
            # Each email's request id travels beside it, so that the worker's "sent" line
            # names the request that wrote it, batched or not.
            origins = [request_id for _, request_id in batch]
            kwargs = {"request_ids": origins} if any(origins) else {}
            celery.send_task(DELIVER_BATCH_TASK, args=[ids], kwargs=kwargs, retry=False)
