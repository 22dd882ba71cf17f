"""The per-process dispatcher: ids from many commits leave as few tasks, off the request."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from datetime import timedelta

import pytest
from kombu.exceptions import OperationalError

from organizer.db import utcnow
from organizer.extensions import db
from organizer.mail import services as outbox
from organizer.mail.dispatch import DELIVER_BATCH, Dispatcher, dispatcher_for
from organizer.mail.models import OutboundEmail
from organizer.ops.logs import request_id_var
from tests.factories import UserFactory
from tests.support.services import ROOT, wait_for


class _Recorder:
    def __init__(self, fail: bool = False) -> None:
        self.fail = fail
        self.calls: list[tuple[str, list, str | None]] = []
        self.kwargs: list[dict] = []

    def send_task(self, name: str, args: list, kwargs: dict | None = None, **_: object) -> None:
        if self.fail:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.calls.append((name, args, request_id_var.get()))
        self.kwargs.append(kwargs or {})


class _FakeApp:
    """Just what a Dispatcher reads of its app."""

    def __init__(self, celery: _Recorder) -> None:
        self.extensions = {"celery": celery}


def _published(calls) -> list[int]:
    return [i for name, args, _ in calls for i in (args[0] if "batch" in name else args)]


def test_ids_of_many_commits_leave_as_a_few_batch_tasks():
    celery = _Recorder()
    # An hour between timed flushes: only a full batch, or flush(), publishes.
    dispatcher = Dispatcher(_FakeApp(celery), interval=3600)  # type: ignore[arg-type]
    ids = list(range(1, 251))
    for email_id in ids:  # one id per request, as the sign path commits them
        dispatcher.add([email_id])
    wait_for(lambda: len(_published(celery.calls)) >= 2 * DELIVER_BATCH, 10, 0.01,
             "two full batches")  # fmt: skip
    dispatcher.flush()
    assert sorted(_published(celery.calls)) == ids
    assert all(len(args[0]) <= DELIVER_BATCH for _, args, _ in celery.calls)
    assert {name for name, _, _ in celery.calls} == {outbox.DELIVER_BATCH_TASK}
    # Each flush takes what is pending: a full batch or more, except the last one.
    assert len(celery.calls) <= 5


def test_a_lone_id_goes_out_within_the_interval_with_its_request_id():
    celery = _Recorder()
    dispatcher = Dispatcher(_FakeApp(celery), interval=0.01)  # type: ignore[arg-type]
    token = request_id_var.set("req-42")
    try:
        dispatcher.add([7])
    finally:
        request_id_var.reset(token)
    wait_for(lambda: celery.calls, 10, 0.01, "the timed flush")
    assert celery.calls == [(outbox.DELIVER_TASK, [7], "req-42")]


def test_a_batch_carries_the_request_id_of_each_of_its_emails():
    celery = _Recorder()
    dispatcher = Dispatcher(_FakeApp(celery), interval=3600)  # type: ignore[arg-type]
    for email_id, request_id in ((1, "req-a"), (2, None), (3, "req-b")):
        token = request_id_var.set(request_id)
        try:
            dispatcher.add([email_id])
        finally:
            request_id_var.reset(token)
    dispatcher.flush()
    assert celery.calls == [(outbox.DELIVER_BATCH_TASK, [[1, 2, 3]], None)]
    assert celery.kwargs == [{"request_ids": ["req-a", None, "req-b"]}]


def test_a_batch_without_request_ids_sends_none():
    celery = _Recorder()
    dispatcher = Dispatcher(_FakeApp(celery), interval=3600)  # type: ignore[arg-type]
    dispatcher.add([1, 2])
    dispatcher.flush()
    assert celery.kwargs == [{}]


def test_the_sent_line_of_a_batch_names_the_request_of_each_email():
    from types import SimpleNamespace

    from organizer.mail import delivery

    seen: list[tuple[str | None, str]] = []

    class Grab(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append((request_id_var.get(), record.getMessage()))

    grab = Grab(level=logging.INFO)
    delivery.log.addHandler(grab)
    previous = delivery.log.level
    delivery.log.setLevel(logging.INFO)
    sent = [SimpleNamespace(id=n, kind="verify_email") for n in (1, 2, 3)]
    token = request_id_var.set("task-9")
    try:
        delivery.log_sent_together(sent, {1: "req-a", 2: None, 3: "req-a"})  # type: ignore[arg-type]
    finally:
        request_id_var.reset(token)
        delivery.log.removeHandler(grab)
        delivery.log.setLevel(previous)
    assert sorted(seen) == [("req-a", "emails 1 3 (verify_email) sent"),
                            ("task-9", "emails 2 (verify_email) sent")]  # fmt: skip


def test_after_a_fork_the_parents_pending_ids_are_not_published_again():
    celery = _Recorder()
    dispatcher = Dispatcher(_FakeApp(celery), interval=3600)  # type: ignore[arg-type]
    dispatcher.add([1, 2])
    dispatcher.pid = -1  # as a forked child sees its parent's dispatcher
    assert dispatcher.flush() == 0
    dispatcher.add([3, 4])
    dispatcher.flush()
    assert _published(celery.calls) == [3, 4]


def test_pending_ids_are_published_at_exit(services):
    script = textwrap.dedent(
        """
        from organizer import create_app
        from organizer.mail.dispatch import dispatcher_for

        class Printer:
            def send_task(self, name, args, **_):
                print("published", name, args, flush=True)

        app = create_app()
        app.extensions["celery"] = Printer()
        dispatcher = dispatcher_for(app)
        dispatcher.interval = 3600  # only the exit can publish these
        dispatcher.add([11, 12, 13])
        print("leaving", flush=True)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=services.env(), cwd=ROOT, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.splitlines()[-2:] == [
        "leaving",
        f"published {outbox.DELIVER_BATCH_TASK} [[11, 12, 13]]",
    ]


@pytest.fixture
def broker_down(app, monkeypatch):
    dispatcher_for(app).flush()
    monkeypatch.setitem(app.extensions, "celery", _Recorder(fail=True))


def test_ids_lost_to_a_redis_outage_are_swept(app, ctx, broker_down, caplog):
    user = UserFactory()
    email = outbox.queue_email(
        to=user.email, template="verify_email", locale="en",
        context={"user": user, "verify_url": "https://cahier.example/v/abc"},
    )  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="organizer.mail.dispatch"):
        db.session.commit()  # the request answers: publishing is not its business
        wait_for(lambda: "could not enqueue" in caplog.text, 10, 0.01, "the failed publish")
    email.created_at = utcnow() - timedelta(hours=1)
    db.session.flush()
    assert email.id in outbox.sweep()
    assert db.session.get(OutboundEmail, email.id).status == "queued"
