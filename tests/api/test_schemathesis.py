"""The API against its own OpenAPI document, with schemathesis: no answer is a 5xx, and every
answer conforms to the document (status code, content type, body schema).

About a minute in all: writes get more examples than reads, and every operation stops at
its share of the budget (hypothesis has no time limit of its own, so the test raises
OutOfTime to end an operation's examples). Path ids are the seeded rows' (a random id is
only ever a 404), so the generated bodies reach the real rules.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import select

from organizer.extensions import db
from organizer.supporters.models import Supporter, Tagging
from tests.api.conftest import build_world, make_token
from tests.campaigns.conftest import setup

# The operations' shares; loading the document and starting take the rest of the minute.
BUDGET_SECONDS = 52.0
EXAMPLES = {"get": 8, "post": 30, "put": 30, "delete": 5}


class OutOfTime(Exception):
    """Raised to stop an operation's examples at the end of its share of the budget."""


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(app, db_session):
    with setup(app):
        world = build_world(people=5)
        tagging = db.session.scalar(
            select(Tagging.public_id)
            .join(Supporter, Supporter.id == Tagging.supporter_id)
            .where(Supporter.group_id == world.group_id)
        )
    ids = {
        "person_id": world.people[0], "tag_id": world.tag, "tagging_id": tagging,
        "petition_id": world.petition, "signature_id": world.signatures[0],
        "event_id": world.event, "attendance_id": world.attendances[0],
        "message_id": world.message,
    }  # fmt: skip
    token = make_token(app, world.group_id, "write", "import", label="schemathesis")
    saved = app.config["API_RATE_LIMIT"]
    app.config["API_RATE_LIMIT"] = "100000/second"
    yield ids, token
    app.config["API_RATE_LIMIT"] = saved


def test_every_answer_conforms_and_none_is_a_server_error(app, seeded):
    ids, token = seeded
    schema = schemathesis.openapi.from_wsgi("/api/v2/openapi.json", app)
    # NUL is refused before any rule runs (tests/api/test_people_write.py checks that).
    schema.config.generation.update(allow_x00=False)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    weights = {op.label: EXAMPLES[op.method.lower()] for op in operations}
    per_weight = BUDGET_SECONDS / sum(weights.values())
    failures: list[str] = []
    statuses: Counter[tuple[str, int]] = Counter()
    for operation in operations:
        seconds = weights[operation.label] * per_weight
        failures.extend(_exercise(operation, ids, token, seconds, statuses))
    assert failures == []
    # The generated bodies got through to the rules, not only to the validation.
    for label in ("POST /people", "POST /petitions/{petition_id}/signatures",
                  "POST /events/{event_id}/attendances", "PUT /people/{person_id}"):  # fmt: skip
        assert statuses[(label, 200)] > 0, (label, sorted(statuses.items()))


def _exercise(operation, ids, token, seconds, statuses):
    stop_at = time.monotonic() + seconds
    failures: list[str] = []

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES[operation.method.lower()], deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case):
        if time.monotonic() > stop_at or len(failures) >= 3:
            raise OutOfTime
        case.path_parameters = {
            name: ids.get(name, value) for name, value in (case.path_parameters or {}).items()
        }
        _link_a_known_person(case, ids)
        try:
            response = case.call_and_validate(headers={"OSDI-API-Token": token}, checks=CHECKS)
            statuses[(operation.label, response.status_code)] += 1
        except Exception as error:  # every failure is collected, then reported together
            failures.append(f"{operation.label}: {error}"[:2000])

    with contextlib.suppress(OutOfTime):
        run()
    return failures


def _link_a_known_person(case, ids):
    """create_tagging names its person by a URL: point it at a seeded one."""
    links = case.body.get("_links") if isinstance(case.body, dict) else None
    person = links.get("osdi:person") if isinstance(links, dict) else None
    if isinstance(person, dict):
        person["href"] = f"https://elsewhere.example/api/v2/people/{ids['person_id']}"
