"""The words for signature, job and pledge states, as readers see them."""

from __future__ import annotations

from typing import Any

from flask.sansio.app import App
from flask_babel import lazy_gettext as _l

from organizer.signatures.models import PledgeStatus, SignatureStatus
from organizer.signatures.tallies import JobStatus

SIGNATURE_STATES = {
    SignatureStatus.PENDING: _l("Waiting for confirmation"),
    SignatureStatus.CONFIRMED: _l("Confirmed"),
    SignatureStatus.INVALIDATED: _l("Invalidated by a moderator"),
    SignatureStatus.WITHDRAWN: _l("Withdrawn by the signer"),
}
JOB_STATES = {
    JobStatus.QUEUED: _l("waiting to start"),
    JobStatus.RUNNING: _l("running"),
    JobStatus.DONE: _l("finished"),
    JobStatus.FAILED: _l("failed"),
}
PLEDGE_STATES = {
    PledgeStatus.OPEN: _l("Open: waiting for enough people"),
    PledgeStatus.TRIGGERED: _l("On: enough people committed"),
    PledgeStatus.LAPSED: _l("Lapsed: the deadline passed without enough people"),
}


def _namer(names: dict[Any, Any]) -> Any:
    def name(state: Any) -> str:
        return str(names.get(state, state))

    return name


def init_template_helpers(app: App) -> None:
    app.add_template_global(_namer(SIGNATURE_STATES), "signature_state_name")
    app.add_template_global(_namer(JOB_STATES), "job_state_name")
    app.add_template_global(_namer(PLEDGE_STATES), "pledge_state_name")
