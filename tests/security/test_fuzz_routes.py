"""Issue 14, point 2: every route and method, hostile input, three kinds of visitor.

Each hypothesis example walks the whole ``app.url_map`` once: for every rule and method it
draws path values (real ids and slugs of the seeded campaign, or hostile ones), a query
string, the fields of the view's form (see ``fuzz_forms``) and a body shape, and sends it.
No response may be a 5xx (under TESTING an unhandled error is raised, not turned into one);
after each walk the counts, capacities and outbox must still hold. Nothing here is tuned to
known answers: values are drawn afresh on every run (``derandomize`` stays off).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.support.web import csrf_token

from .fuzz_forms import FieldSpec, fields_for, raw_names
from .fuzz_invariants import assert_invariants
from .fuzz_seed import Seeded, seed
from .fuzz_values import INT_PATH, SHAPES, STRING_PATH, body, path_segment, value_for

# One walk is ~180 requests. Hypothesis first tries its simplest example (the first value
# of every list: NUL, huge numbers, every field twice), then a random one.
WALKS = 2
EXTRA_NAMES = ["since", "until", "tz", "timezone", "day", "sort", "format", "locale"]
# Sessions end here: walked last, so the rest of a walk runs signed in.
LAST = ("accounts.logout", "accounts.logout_everywhere")
PLACEHOLDER = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


@dataclass(frozen=True)
class Route:
    rule: Rule
    method: str
    fields: list[FieldSpec] = field(hash=False)


def routes(app: Flask) -> list[Route]:
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint in LAST, r.rule)):
        view = app.view_functions[rule.endpoint]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append(Route(rule, method, fields_for(view) if method == "POST" else []))
    return found


@pytest.fixture(autouse=True)
def generous_limits(app):
    keys = ("SIGN_LIMIT_PER_IP", "SIGN_LIMIT_PER_DOMAIN")
    saved = {k: app.config[k] for k in keys}
    app.config.update(dict.fromkeys(keys, "100000/minute"))
    yield
    app.config.update(saved)


@pytest.fixture(autouse=True)
def inbound_mail_configured(app):
    """Unconfigured, the inbound hook answers 503 on purpose (Postfix defers and retries);
    configured, the walk reaches its token check and parser."""
    saved = app.config["INBOUND_MAIL_TOKEN"]
    app.config["INBOUND_MAIL_TOKEN"] = "fuzz-walk-token"
    yield
    app.config["INBOUND_MAIL_TOKEN"] = saved


@pytest.fixture
def seeded(app, db_session):
    """Seeded once per visitor: hypothesis runs every example inside one fixture."""
    return seed(app)


def _path(draw: Any, route: Route, seeded: Seeded) -> str:
    values = {}
    for name, converter in route.rule._converters.items():
        if converter.regex == r"\d+":
            real = [str(i) for i in seeded.ids.get(name, [1])]
            values[name] = draw(st.sampled_from(INT_PATH + real))
        else:
            hostile = draw(st.sampled_from(STRING_PATH).map(path_segment))
            real = seeded.strings.get(name, [])
            values[name] = draw(st.sampled_from([hostile, *real, *real]))
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], route.rule.rule)


def _pairs(draw: Any, names: list[FieldSpec], extra: list[str]) -> list[tuple[str, bytes]]:
    pairs = []
    for spec in names:
        if draw(st.integers(0, 9)) == 9:
            continue  # a field left out
        for _ in range(draw(st.sampled_from([2, 1, 1, 1, 1]))):  # sometimes twice
            pairs.append((spec.name, draw(value_for(spec))))
    for name in draw(st.lists(st.sampled_from(extra), max_size=2)):
        pairs.append((name, draw(value_for(None))))
    return pairs


def _query(draw: Any, extra: list[str]) -> str:
    pairs = [
        (name, draw(value_for(None))) for name in draw(st.lists(st.sampled_from(extra), max_size=3))
    ]
    return body(pairs, set(), "form").data.decode() if pairs else ""


class Visitor:
    def __init__(self, app: Flask, seeded: Seeded, persona: str) -> None:
        self.client = app.test_client()
        self.token = ""
        email = seeded.emails.get(persona)
        if email:
            self.token = _sign_in(self.client, email)

    def send(self, method: str, url: str, data: bytes | None, content_type: str | None) -> int:
        headers = {"Origin": "http://localhost", "X-CSRFToken": self.token}
        try:
            response = self.client.open(
                url, method=method, data=data, content_type=content_type, headers=headers
            )
            # Read to the end and close, as a server does: a streamed response (a CSV export)
            # keeps its app context, and so its session and user, until it is closed.
            response.get_data()
            response.close()
        except Exception as error:
            raise AssertionError(f"{method} {url[:300]!r} raised {error!r}") from error
        return response.status_code


def _sign_in(client: Any, email: str) -> str:
    from tests.factories import PASSWORD

    page = client.get("/account/login")
    form = {"email": email, "password": PASSWORD, "csrf_token": csrf_token(page.text)}
    assert client.post("/account/login", data=form).status_code == 302
    return csrf_token(client.get("/organize/new").text)


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "owner"])
# When werkzeug stops parsing a multipart body half way (a field past Flask's form-memory
# limit after a file part answers 413), the part it had spooled is dropped unclosed and the
# garbage collector closes it: werkzeug's temporary file, not one Cahier opened.
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <function SpooledTemporaryFile.__del__"
    ":pytest.PytestUnraisableExceptionWarning"
)
@settings(
    max_examples=WALKS,
    deadline=None,
    # CI replays fixed walks, so that an input nobody has seen yet fails a developer's run
    # rather than a landing; every other run draws new walks.
    derandomize=os.environ.get("CI") == "true",
    # A walk is hundreds of requests: shrinking one would take many minutes, and the failing
    # request is named in the assertion already.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    # One walk draws for every route, so its smallest example is large by design.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
    ],
)
@given(data=st.data())
def test_no_input_gets_a_server_error(app, seeded, persona, data):
    visitor = Visitor(app, seeded, persona)
    extra = raw_names(list(app.view_functions.values())) + EXTRA_NAMES
    errors: list[tuple[int, str, str]] = []
    for route in routes(app):
        path = _path(data.draw, route, seeded)
        query = _query(data.draw, extra)
        url = f"{path}?{query}" if query else path
        sent = None
        if route.method != "GET":
            pairs = _pairs(data.draw, route.fields, extra)
            if visitor.token and data.draw(st.integers(0, 9)) < 9:
                pairs.append(("csrf_token", visitor.token.encode()))
            files = {s.name for s in route.fields if s.kind == "file"}
            sent = body(pairs, files, data.draw(st.sampled_from(SHAPES)))
        status = visitor.send(
            route.method, url, sent.data if sent else None, sent.content_type if sent else None
        )
        if status >= 500:  # the walk goes on, so that one run names every route that fails
            errors.append((status, route.method, url[:200]))
    assert errors == [], "\n".join(f"{status} {method} {url}" for status, method, url in errors)
    assert_invariants(app)
