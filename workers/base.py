"""The base class of every Cahier task."""

from __future__ import annotations

from typing import Any

from celery import Task
from celery.exceptions import Retry
from flask import Flask

from organizer.extensions import db
from organizer.ops.logs import request_id_var


class AppTask(Task):
    """Runs in an app context and owns the DB session: commit on success, roll back on error.

    Tasks receive ids, never ORM objects, and load what they need here.
    """

    abstract = True
    flask_app: Flask
    # A task is acknowledged only once it has run, and given back if its worker dies.
    acks_late = True
    reject_on_worker_lost = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The id of the request that caused this task, so its log lines can be joined up.
        token = request_id_var.set(self.request.get("request_id") or f"task-{self.request.id}")
        try:
            return self._run_in_app(*args, **kwargs)
        finally:
            request_id_var.reset(token)

    def _run_in_app(self, *args: Any, **kwargs: Any) -> Any:
        with self.flask_app.app_context():
            try:
                result = self.run(*args, **kwargs)
                db.session.commit()
                return result
            except Retry:
                # A retry is a planned outcome: what the task recorded (the next attempt's
                # time, the error) must survive it.
                db.session.commit()
                raise
            except Exception:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
