"""Issue 14: no input, however hostile, gets a 500. Each case here once did."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from organizer.campaigns.importing import GrievanceFileError, parse_grievance_file
from organizer.extensions import db
from organizer.signatures.models import Signature
from tests.factories import EventFactory
from tests.support.web import submit

from .conftest import ORIGIN

SIGN = {"name": "Ada Lovelace", "email": "ada@example.org", "country": "GB"}
HUGE = "9" * 400


def _text(response):
    return response.get_data(as_text=True)


@pytest.fixture(autouse=True)
def generous_sign_limits(app):
    saved = {k: app.config[k] for k in ("SIGN_LIMIT_PER_IP", "SIGN_LIMIT_PER_DOMAIN")}
    app.config.update(SIGN_LIMIT_PER_IP="100000/minute", SIGN_LIMIT_PER_DOMAIN="100000/minute")
    yield
    app.config.update(saved)


# --- 1.1 huge integers in number fields ---------------------------------------------------


def test_a_huge_party_size_is_a_form_error(site):
    response = site.client.post(
        f"/events/{site.event_id}/rsvp",
        data={"name": "Ada", "email": "ada@example.org", "party_size": HUGE},
        headers=ORIGIN,
    )
    assert response.status_code in (200, 400)
    assert "at most 18 digits" in _text(response)


def test_a_huge_signature_goal_is_a_form_error(app, client):
    from tests.events.conftest import login
    from tests.factories import UserFactory

    with app.app_context():
        owner = UserFactory()
        db.session.commit()
        login(client, owner)
        response = submit(
            client,
            "/organize/new",
            {"title": "Strike", "summary": "We want more.", "language": "en",
             "signature_goal": HUGE, "documentary_runtime_minutes": "-" + HUGE},
        )  # fmt: skip
    assert response.status_code == 200
    assert _text(response).count("at most 18 digits") == 2


def test_every_form_derives_from_the_hardened_base():
    import importlib
    import pkgutil

    from flask_wtf import FlaskForm

    import organizer
    from organizer.forms import Form

    for module in pkgutil.walk_packages(organizer.__path__, "organizer."):
        if module.name.endswith("forms") or module.name.endswith("views"):
            importlib.import_module(module.name)
    stack, bare = list(FlaskForm.__subclasses__()), []
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if cls.__module__.startswith("organizer.") and not issubclass(cls, Form):
            bare.append(f"{cls.__module__}.{cls.__qualname__}")
    assert bare == []


# --- 1.2 huge ids in URLs -------------------------------------------------------------------


@pytest.mark.parametrize("event_id", [str(2**31), "9223372036854775808", HUGE])
def test_an_id_no_table_can_hold_is_a_404(site, event_id):
    assert site.client.get(f"/events/{event_id}").status_code == 404
    assert site.client.get(f"/events/{event_id}/event.ics").status_code == 404


def test_the_largest_id_still_reaches_the_view(site):
    assert site.client.get(f"/events/{2**31 - 1}").status_code == 404
    assert site.client.get(f"/events/{site.event_id}").status_code == 200


def test_every_int_route_uses_the_bounded_converter(app):
    from organizer.urls import MAX_ID, BoundedIntConverter

    int_rules = [
        (rule.rule, name)
        for rule in app.url_map.iter_rules()
        for name, converter in rule._converters.items()
        if not isinstance(converter, BoundedIntConverter) and converter.regex == r"\d+"
    ]
    assert int_rules == []
    assert app.url_map.converters["int"] is BoundedIntConverter
    assert BoundedIntConverter(app.url_map).max == MAX_ID


@pytest.mark.parametrize("segment", ["%00", "strike%00", "%0D%0AX-Evil:%20y", "x%7F"])
def test_a_control_character_in_a_path_segment_is_a_404(site, segment):
    # Found by test_fuzz_routes: PostgreSQL refused to compare a slug with NUL in it.
    assert site.client.get(f"/c/{segment}").status_code == 404
    assert site.client.get(f"/c/{segment}/sign").status_code == 404
    assert site.client.get(f"/s/confirm/{segment}").status_code == 404
    assert site.client.get(f"/c/{site.slug}").status_code == 200


def test_a_nul_in_a_query_argument_is_a_400(site):
    # Found by test_fuzz_routes: /campaigns?lang=%00 reached a PostgreSQL filter.
    assert site.client.get("/campaigns?lang=%00").status_code == 400
    assert site.client.get("/events?city=Par%00is").status_code == 400
    assert site.client.get("/campaigns?lang=fr").status_code == 200


def test_every_text_route_refuses_control_characters(app):
    from werkzeug.routing import AnyConverter

    from organizer.urls import PrintableConverter, PrintablePathConverter

    # `any(a, b)` matches only its listed words, so no control character gets through it.
    # Flask adds the static route before the app's converters are in place; it is Flask's.
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    bare = [
        (rule.rule, name)
        for rule in rules
        for name, converter in rule._converters.items()
        if converter.regex != r"\d+"
        and not isinstance(converter, PrintableConverter | PrintablePathConverter | AnyConverter)
    ]
    assert bare == []


# --- 1.3 dates at the end of the calendar ---------------------------------------------------


def test_an_event_list_until_the_last_day_is_a_page(site):
    response = site.client.get("/events?from=9999-12-31&to=9999-12-31")
    assert response.status_code == 200
    assert site.client.get("/events?to=0001-01-01").status_code == 200
    assert site.client.get(f"/c/{site.slug}/events?to=9999-12-31").status_code == 200


def test_the_moderation_filter_until_the_last_day_counts(app, client):
    from tests.events.conftest import login
    from tests.factories import UserFactory
    from tests.signatures.conftest import make_campaign, sign

    with app.app_context():
        owner = UserFactory()
        campaign = make_campaign(owner, slug="strike")
        sign(campaign, "s@example.org")
        db.session.commit()
        login(client, owner)
        response = client.get(
            "/organize/strike/signatures/moderation?since=9999-12-31&until=9999-12-31"
        )
    assert response.status_code == 200


def test_the_next_midnight_of_the_last_days_is_the_end_of_time():
    from datetime import UTC, date, datetime

    from organizer.dates import LATEST_DAY, start_of_next_day

    assert start_of_next_day(date.max) == datetime.max.replace(tzinfo=UTC)
    assert start_of_next_day(date(2026, 12, 31)) == datetime(2027, 1, 1, tzinfo=UTC)
    assert date.max > LATEST_DAY


# --- 1.4 page numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("page", [str(10**18), HUGE, "-3", "x", "²"])
def test_any_page_number_is_a_page(site, page):
    assert site.client.get(f"/campaigns?page={page}").status_code == 200
    assert site.client.get(f"/c/{site.slug}/signers?page={page}").status_code == 200


def test_a_huge_revision_number_is_ignored(site):
    assert site.client.get(f"/c/{site.slug}/changes?to={HUGE}&from=1").status_code in (200, 404)


# --- 1.5 CR/LF in next ----------------------------------------------------------------------

EVIL_NEXT = "/\r\nX-Evil: y"


def test_the_language_switch_refuses_a_next_with_a_line_break(client):
    response = client.post("/language", data={"lang": "fr", "next": EVIL_NEXT}, headers=ORIGIN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "X-Evil" not in response.headers


def test_login_refuses_a_next_with_a_line_break(app, client):
    from tests.factories import PASSWORD, UserFactory

    with app.app_context():
        user = UserFactory()
        db.session.commit()
        email = user.email
    response = submit(
        client, "/account/login?next=%2F%0D%0AX-Evil%3A%20y", {"email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert "X-Evil" not in response.headers["Location"]
    assert "X-Evil" not in response.headers


def test_safe_next_keeps_paths_of_this_site():
    from organizer.urls import is_safe_next

    assert is_safe_next("/c/strike?tab=events")
    for target in (EVIL_NEXT, "//evil.example", "https://evil.example/", "/\x00", "/a\tb"):
        assert not is_safe_next(target)


# --- 1.6 grievance JSON import ----------------------------------------------------------------


def _problems(raw: bytes) -> list[str]:
    with pytest.raises(GrievanceFileError) as caught:
        parse_grievance_file(raw)
    return [str(p) for p in caught.value.problems]


def _grievances(text) -> bytes:
    document = {"sections": [{"title": "A", "topics": ["privacy"], "demands": [{"text": "x"}]}] * 3}
    document["sections"][2] = {"title": "C", "topics": [], "demands": [{"text": text}]}
    return json.dumps(document).encode()


def test_import_refuses_deep_nesting(ctx):
    (problem,) = _problems(b"[" * 100_000)
    assert "more than 16 levels deep" in problem


def test_import_names_the_path_of_a_huge_number(ctx):
    raw = _grievances(0).replace(b'"text": 0', b'"text": ' + b"7" * 5000)
    assert _problems(raw) == ["sections[2].demands[0].text: This must be a text that is not empty."]


def test_import_names_the_path_of_a_lone_surrogate(ctx):
    raw = _grievances("x").replace(b'"text": "x"}]}]', b'"text": "\\ud800"}]}]')
    assert _problems(raw) == [
        "sections[2].demands[0].text: This text contains a character that is not allowed."
    ]


def test_import_quotes_an_unknown_key_with_a_surrogate_safely(ctx):
    (problem,) = _problems(
        b'{"\\udfff": 1, "sections": [{"title": "A", "demands": [{"text": "x"}]}]}'
    )
    assert problem.startswith("\\udfff:")
    problem.encode("utf-8")


def test_import_refuses_nan(ctx):
    raw = _grievances("x").replace(b'"title": "C"', b'"title": NaN')
    assert _problems(raw) == ["sections[2].title: This must be a text that is not empty."]


# --- 1.7 JSON bodies on public forms ----------------------------------------------------------


@pytest.mark.parametrize("body", ['{"name": "\\ud800"}', '{"name": [[[[1]]]]}'])
def test_a_public_form_refuses_a_json_body(site, body):
    response = site.client.post(
        f"/c/{site.slug}/sign", data=body, content_type="application/json", headers=ORIGIN
    )
    assert response.status_code == 415
    assert "only accepts what a web browser sends" in _text(response)


def test_a_public_form_refuses_multipart_without_a_file_field(client, ctx):
    event = EventFactory()
    db.session.commit()
    response = client.post(
        f"/events/{event.id}/rsvp",
        data={"name": "Ada", "email": "ada@example.org", "party_size": "1"},
        content_type="multipart/form-data",
        headers=ORIGIN,
    )
    assert response.status_code == 415


def test_a_logged_in_form_ignores_a_json_body(app, client):
    from tests.factories import UserFactory

    with app.app_context():
        user = UserFactory()
        db.session.commit()
        body = json.dumps({"email": user.email, "password": "\ud800", "csrf_token": "x"})
    response = client.post("/account/login", data=body, content_type="application/json")
    assert response.status_code == 400  # no token in a form post: refused, never read


# --- 1.8 line breaks in single-line fields ---------------------------------------------------


def test_a_title_with_a_line_break_is_stored_on_one_line(app, client):
    from organizer.campaigns.models import Campaign
    from tests.events.conftest import login
    from tests.factories import UserFactory

    with app.app_context():
        owner = UserFactory()
        db.session.commit()
        login(client, owner)
        response = submit(
            client,
            "/organize/new",
            {"title": "Strike\r\nX-Evil: 1", "summary": "Two\nlines", "language": "en"},
        )
        assert response.status_code == 302
        campaign = db.session.scalar(select(Campaign).where(Campaign.created_by_id == owner.id))
        assert campaign.title == "Strike X-Evil: 1"
        assert campaign.summary == "Two\nlines"


def test_a_calendar_of_a_title_with_a_line_break_is_served(site):
    with site.app.app_context():
        from organizer.campaigns.models import Campaign
        from organizer.events.models import Event

        event = db.session.get(Event, site.event_id)
        event.title = "Film\r\nnight"
        db.session.get(Campaign, event.campaign_id).title = "Strike\nX-Evil: 1"
        db.session.commit()
    single = site.client.get(f"/events/{site.event_id}/event.ics")
    feed = site.client.get(f"/c/{site.slug}/events.ics")
    assert single.status_code == feed.status_code == 200
    assert "SUMMARY:Film\\nnight" in _text(single)
    assert "\nX-Evil" not in _text(feed)


# --- 1.9 NUL bytes ----------------------------------------------------------------------------


def test_a_nul_in_a_name_is_a_form_error_and_nothing_is_stored(site):
    response = site.client.post(
        f"/c/{site.slug}/sign", data={**SIGN, "name": "a\x00b"}, headers=ORIGIN
    )
    assert response.status_code in (200, 400)
    assert "character that is not allowed" in _text(response)
    rsvp = site.client.post(
        f"/events/{site.event_id}/rsvp",
        data={"name": "a\x00b", "email": "ada@example.org", "party_size": "1"},
        headers=ORIGIN,
    )
    assert rsvp.status_code in (200, 400)
    assert "character that is not allowed" in _text(rsvp)
    with site.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


# --- Body sizes -------------------------------------------------------------------------------


def test_a_body_over_the_limit_is_a_413_page(site):
    response = site.client.post(
        f"/c/{site.slug}/sign", data={**SIGN, "name": "x" * (3 * 1024 * 1024)}, headers=ORIGIN
    )
    assert response.status_code == 413
    assert "too large" in _text(response)


def test_a_long_name_under_the_limit_is_a_form_error(site):
    response = site.client.post(
        f"/c/{site.slug}/sign", data={**SIGN, "name": "x" * 5000}, headers=ORIGIN
    )
    assert response.status_code in (200, 400)
    assert "longer than 120 characters" in _text(response)
    with site.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Signature)) == 0


def test_a_field_without_its_own_maximum_gets_the_shared_one(ctx):
    from wtforms import StringField, TextAreaField

    from organizer.forms import MULTI_LINE_MAX, SINGLE_LINE_MAX, Form

    class Bare(Form):
        class Meta:
            csrf = False

        line = StringField()
        text = TextAreaField()

    from werkzeug.datastructures import MultiDict

    form = Bare(MultiDict({"line": "x" * (SINGLE_LINE_MAX + 1), "text": "y" * MULTI_LINE_MAX}))
    assert not form.validate()
    assert list(form.errors) == ["line"]


# --- The dev mailbox --------------------------------------------------------------------------


def test_the_dev_mailbox_answers_only_this_machine(make_app):
    dev = make_app({"TESTING": True}, SMTP_URL="")
    client = dev.test_client()
    assert client.get("/dev/mail").status_code == 200
    assert client.get("/dev/mail", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200
    remote = client.get("/dev/mail", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert remote.status_code == 404
