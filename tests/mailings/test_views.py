"""The organizer's pages: list, compose, languages, audience, preview, test, send, report,
and the public web version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from organizer.accounts.models import User
from organizer.extensions import db
from organizer.groups.models import GroupMembership, GroupRole
from organizer.mail.models import OutboundEmail
from organizer.mailings.models import Mailing, MailingContent, MailingStatus
from organizer.supporters.models import Tag, Tagging
from tests.events.conftest import login as login_user
from tests.factories import UserFactory
from tests.mailings.conftest import compose, setup, supporter
from tests.support.web import csrf_token, submit

BASE = "/organize/groups/riders/mailings"


@pytest.fixture
def riders(app, db_session):
    from tests.campaigns.conftest import build_campaign
    from tests.factories import GroupFactory

    with setup(app):
        owner = UserFactory(email="owner@example.org", display_name="Olive Owner")
        group = GroupFactory(owner=owner, slug="riders", name="Riders Union")
        campaign = build_campaign(owner, title="Fair pay for riders", slug="fair-pay")
        campaign.group_id = group.id
        viewer = UserFactory(email="viewer@example.org")
        db.session.add(GroupMembership(group_id=group.id, user_id=viewer.id, role=GroupRole.VIEWER))
        supporter(group, "ada@example.org", name="Ada Lovelace", language="en")
        supporter(group, "claire@example.org", name="Claire Dupont", language="fr")
        tagged = supporter(group, "tagged@example.org", name="Tom", language="en")
        tag = Tag(group_id=group.id, name="volunteers")
        db.session.add(tag)
        db.session.flush()
        db.session.add(Tagging(supporter_id=tagged.id, tag_id=tag.id))
        group_id = group.id
    # One context for the whole test, as tests/events do: requests share its flask.g.
    with app.app_context():
        yield db.session.get(type(group), group_id)


def login(client, email):
    user = db.session.scalar(select(User).where(User.email == email))
    return login_user(client, user)


def _post(client, url, data, page=None):
    token = csrf_token(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _new(client):
    response = _post(client, BASE + "/new", {}, page=BASE)
    assert response.status_code == 302
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _mailing(mailing_id):
    db.session.expire_all()
    return db.session.get(Mailing, mailing_id)


def test_the_group_nav_leads_to_mailings_and_the_list_shows_status_and_counts(client, riders):
    login(client, "owner@example.org")
    dashboard = client.get("/organize/groups/riders").get_data(as_text=True)
    assert f'href="{BASE}"' in dashboard
    page = client.get(BASE).get_data(as_text=True)
    assert "New mailing" in page and "never tracks" in page


def test_compose_add_a_language_preview_and_test(client, riders):
    login(client, "owner@example.org")
    mailing_id = _new(client)
    url = f"{BASE}/{mailing_id}"
    response = _post(client, url + "/languages", {"language": "fr"}, page=url)
    assert response.status_code == 302
    assert {c.language for c in _mailing(mailing_id).contents} == {"en", "fr"}
    page = client.get(url).get_data(as_text=True)
    assert "Version in French" in page
    data = {
        "from_name": "Riders Union",
        "reply_to": "",
        "next": "preview",
        "contents-0-language": "en",
        "contents-0-subject": "Hello {{ first_name }}",
        "contents-0-body": 'Dear {{ first_name | "friend" }}, see {{ campaign_url:fair-pay }}.',
        "contents-1-language": "fr",
        "contents-1-subject": "Bonjour",
        "contents-1-body": 'Cher {{ first_name | "ami" }}.',
    }
    response = _post(client, url, data)
    assert response.status_code == 302 and response.headers["Location"].endswith("/preview")
    preview = client.get(url + "/preview").get_data(as_text=True)
    assert "Hello Olive" in preview and "Dear Olive" in preview
    assert "/c/fair-pay" in preview
    assert "1 Rue de la Paix" in preview and "Unsubscribe from Riders Union" in preview
    assert "You receive this because you signed a petition of Riders Union" in preview
    french = client.get(url + "/preview?language=fr").get_data(as_text=True)
    assert "Cher Olive." in french
    response = _post(client, url + "/test", {"language": "fr"}, page=url + "/preview")
    assert response.status_code == 302
    test = db.session.scalars(
        select(OutboundEmail).where(OutboundEmail.kind == "mailing_test")
    ).one()
    assert test.to_addr == "owner@example.org" and test.subject.startswith("[Test]")
    # The French version, in French, with the test banner.
    assert "Ceci est un test" in test.html_body and test.locale == "fr"
    assert "Se désinscrire de Riders Union" in test.html_body


def test_each_version_shows_once_and_a_language_change_keeps_the_typed_text(client, riders):
    login(client, "owner@example.org")
    mailing_id = _new(client)
    url = f"{BASE}/{mailing_id}"
    assert client.get(url).get_data(as_text=True).count('class="mailing-version"') == 1
    typed = {
        "from_name": "Riders Union",
        "contents-0-language": "en",
        "contents-0-subject": "Hello {{ first_name }}",
        "contents-0-body": "Typed, not saved yet.",
    }
    response = _post(client, url, {**typed, "next": "add-language", "language": "fr"})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    mailing = _mailing(mailing_id)
    assert {c.language for c in mailing.contents} == {"en", "fr"}
    english = next(c for c in mailing.contents if c.language == "en")
    assert (english.subject, english.body_markdown) == typed_values(typed)
    assert client.get(url).get_data(as_text=True).count('class="mailing-version"') == 2
    both = {**typed, "contents-1-language": "fr", "contents-1-subject": "", "contents-1-body": ""}
    response = _post(client, url, {**both, "next": "remove:fr"})
    assert response.status_code == 302
    assert [c.language for c in _mailing(mailing_id).contents] == ["en"]


def typed_values(data):
    return data["contents-0-subject"], data["contents-0-body"]


def test_an_unknown_merge_field_is_a_form_error_and_nothing_is_saved(client, riders):
    login(client, "owner@example.org")
    mailing_id = _new(client)
    url = f"{BASE}/{mailing_id}"
    data = {
        "from_name": "Riders",
        "contents-0-language": "en",
        "contents-0-subject": "Hi",
        "contents-0-body": "Hi {{ last_name }} {{ campaign_url:nowhere }}",
    }
    response = _post(client, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Unknown merge field" in page and "No campaign of this group" in page
    assert _mailing(mailing_id).contents[0].body_markdown == ""


def test_the_audience_builder_stores_filters_and_shows_the_count(client, riders):
    login(client, "owner@example.org")
    mailing_id = _new(client)
    url = f"{BASE}/{mailing_id}/audience"
    assert "This mailing will go to 3 supporters." in client.get(url).get_data(as_text=True)
    _post(client, url, {"kind": "language", "value": "en", "mode": "include"})
    tag = db.session.scalar(select(Tag))
    _post(client, url, {"kind": "tag", "value": str(tag.id), "mode": "exclude"})
    page = client.get(url).get_data(as_text=True)
    assert "This mailing will go to 1 supporter." in page
    assert "Speaks: English" in page and "Is tagged: volunteers" in page
    assert _mailing(mailing_id).audience == {
        "includes": [{"kind": "language", "value": "en"}],
        "excludes": [{"kind": "tag", "value": str(tag.id)}],
    }
    _post(client, url, {"action": "remove", "mode": "exclude", "index": "0"})
    assert "This mailing will go to 2 supporters." in client.get(url).get_data(as_text=True)
    response = _post(
        client, url, {"kind": "joined_before", "value": "not a date", "mode": "include"}
    )
    assert response.status_code == 302
    assert len(_mailing(mailing_id).audience["includes"]) == 1


def _ready(riders):
    owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
    mailing = compose(riders, owner)
    db.session.commit()
    return mailing.id


def test_a_double_submit_of_send_starts_one_send(client, riders):
    # tests/mailings/test_worker.py follows the same double submit to the SMTP server.
    login(client, "owner@example.org")
    mailing_id = _ready(riders)
    url = f"{BASE}/{mailing_id}/send"
    token = csrf_token(client.get(url).get_data(as_text=True))
    first = client.post(url, data={"when": "now", "csrf_token": token})
    started_at = _mailing(mailing_id).started_at
    second = client.post(url, data={"when": "now", "csrf_token": token}, follow_redirects=True)
    assert first.status_code == 302
    assert "already sent or scheduled; nothing more was done" in second.get_data(as_text=True)
    mailing = _mailing(mailing_id)
    assert mailing.status == MailingStatus.SENDING and mailing.started_at == started_at
    report = client.get(f"{BASE}/{mailing_id}/report").get_data(as_text=True)
    assert "<progress" in report and "Opens and clicks are not measured" in report


def test_schedule_in_a_timezone(client, riders):
    login(client, "owner@example.org")
    mailing_id = _ready(riders)
    url = f"{BASE}/{mailing_id}/send"
    response = submit(
        client,
        url,
        {
            "when": "later",
            "day": "2031-07-14",
            "time": "09:30",
            "timezone": "Europe/Paris",
            "hourly_cap": "500",
        },
    )
    assert response.status_code == 302
    mailing = _mailing(mailing_id)
    assert mailing.status == MailingStatus.SCHEDULED and mailing.hourly_cap == 500
    assert mailing.scheduled_at == datetime(2031, 7, 14, 7, 30, tzinfo=UTC)


def test_schedule_without_a_date_is_a_form_error(client, riders):
    login(client, "owner@example.org")
    mailing_id = _ready(riders)
    response = submit(client, f"{BASE}/{mailing_id}/send", {"when": "later", "timezone": "UTC"})
    assert response.status_code == 200
    assert "Give the date and time" in response.get_data(as_text=True)
    assert _mailing(mailing_id).status == MailingStatus.DRAFT


def test_a_mailing_without_text_cannot_be_sent(client, riders):
    login(client, "owner@example.org")
    mailing_id = _new(client)
    page = client.get(f"{BASE}/{mailing_id}/send").get_data(as_text=True)
    assert "needs a subject and a message" in page and 'type="submit">Send<' not in page


def test_sending_now_to_an_empty_audience_is_refused_with_a_message(client, riders):
    from organizer.supporters.audience import Audience, Condition

    login(client, "owner@example.org")
    owner = db.session.scalar(select(User).where(User.email == "owner@example.org"))
    nobody = Audience((Condition("country", "JP"),), ()).to_dict()
    mailing_id = compose(riders, owner, audience=nobody).id
    db.session.commit()
    url = f"{BASE}/{mailing_id}/send"
    response = _post(client, url, {"when": "now"})
    assert response.status_code == 200
    assert "Nobody is in this audience" in response.get_data(as_text=True)
    assert _mailing(mailing_id).status == MailingStatus.DRAFT


def test_a_viewer_sees_the_list_and_reports_but_cannot_compose(client, riders):
    mailing_id = _ready(riders)
    db.session.commit()
    login(client, "viewer@example.org")
    assert client.get(BASE).status_code == 200
    assert client.get(f"{BASE}/{mailing_id}/report").status_code == 200
    assert client.get(f"{BASE}/{mailing_id}/audience").status_code == 403
    assert client.post(f"{BASE}/new").status_code in (400, 403)


def test_an_outsider_gets_404(client, riders):
    UserFactory(email="outsider@example.org")
    db.session.commit()
    login(client, "outsider@example.org")
    assert client.get(BASE).status_code == 404


def test_the_web_version_is_public_only_when_chosen_and_sent(client, riders):
    mailing_id = _ready(riders)
    mailing = _mailing(mailing_id)
    url = f"/groups/riders/mailings/{mailing.archive_id}"
    assert client.get(url).status_code == 404
    mailing.archive_public = True
    mailing.status = MailingStatus.SENT
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Hello friend!" in page and "zCahierMerge" not in page
    assert client.get("/groups/riders/mailings/nope").status_code == 404


def test_a_sent_mailing_can_no_longer_be_edited(client, riders):
    login(client, "owner@example.org")
    mailing_id = _ready(riders)
    _mailing(mailing_id).status = MailingStatus.SENT
    db.session.commit()
    assert client.get(f"{BASE}/{mailing_id}").status_code == 302
    assert client.get(f"{BASE}/{mailing_id}/audience").status_code == 409
    assert db.session.scalar(select(MailingContent.subject)) == "News from the riders"
