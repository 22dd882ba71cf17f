"""Each person chooses, per kind, which campaign news they get by email (default: all)."""

from __future__ import annotations

from sqlalchemy import func, select

from organizer.accounts.models import NotificationKind, NotificationPreference, User
from organizer.accounts.notifications import preferences, set_preferences, wanting
from organizer.extensions import db
from tests.factories import PASSWORD, UserFactory
from tests.support.web import csrf_token, submit


def test_every_kind_is_on_until_turned_off(ctx):
    ada, bob = UserFactory(), UserFactory()
    assert preferences(ada) == dict.fromkeys(NotificationKind, True)
    set_preferences(ada, {NotificationKind.MILESTONE: False})
    assert preferences(ada)[NotificationKind.MILESTONE] is False
    assert wanting([ada, bob], NotificationKind.MILESTONE) == [bob]
    assert wanting([ada, bob], NotificationKind.PLEDGE) == [ada, bob]
    set_preferences(ada, {NotificationKind.MILESTONE: True})
    assert wanting([ada, bob], NotificationKind.MILESTONE) == [ada, bob]
    assert db.session.scalar(select(func.count()).select_from(NotificationPreference)) == 1


def test_the_settings_page_saves_the_choices(app, client):
    with app.app_context():
        user = UserFactory(email="olive@example.org")
        db.session.commit()
        user_id = user.id
    submit(client, "/account/login", {"email": "olive@example.org", "password": PASSWORD})
    page = client.get("/account/settings").get_data(as_text=True)
    assert page.count('type="checkbox"') == 4 and page.count("checked") == 4
    assert "A screening awaits approval" in page
    # Unticked boxes are not sent: only the pledge and letter boxes stay on.
    response = client.post(
        "/account/settings/notifications",
        data={"pledge": "y", "letter_response": "y", "csrf_token": csrf_token(page)},
        follow_redirects=True,
    )
    assert "Your email choices are saved." in response.get_data(as_text=True)
    with app.app_context():
        chosen = preferences(db.session.get(User, user_id))
    assert chosen == {
        NotificationKind.PLEDGE: True,
        NotificationKind.MILESTONE: False,
        NotificationKind.SCREENING: False,
        NotificationKind.LETTER_RESPONSE: True,
    }
    assert client.get("/account/settings").get_data(as_text=True).count("checked") == 2


def test_the_choices_need_a_login_and_a_token(app, client):
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    anonymous = client.post("/account/settings/notifications", data={"csrf_token": token})
    assert anonymous.status_code == 302 and "/account/login" in anonymous.headers["Location"]
    with app.app_context():
        UserFactory(email="eve@example.org")
        db.session.commit()
    submit(client, "/account/login", {"email": "eve@example.org", "password": PASSWORD})
    response = client.post("/account/settings/notifications", data={"pledge": "y"})
    assert response.status_code == 400
