from __future__ import annotations

from tests.factories import UserFactory

from .conftest import ORIGIN, make_campaign, setup

FORM = {"name": "Ada", "country": "GB"}


def _sign(client, email, **headers):
    response = client.post(
        "/c/answers/sign", data={**FORM, "email": email}, headers={**ORIGIN, **headers}
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_visitor_sees_the_page_with_their_own_address_escaped(app, client):
    with setup(app):
        make_campaign(UserFactory(), slug="answers")
    first = _sign(client, "ada@example.org")
    second = _sign(app.test_client(), "o'brien&co@example.org")
    assert "Check your email" in first and "ada@example.org" in first
    assert "o&#39;brien&amp;co@example.org" in second and "o'brien&co" not in second
    assert first.replace("ada@example.org", "X") == second.replace(
        "o&#39;brien&amp;co@example.org", "X"
    )
    french = _sign(app.test_client(), "zoe@example.org", **{"Accept-Language": "fr"})
    assert "Consultez vos e-mails" in french and 'lang="fr"' in french
    assert "zoe@example.org" in french and "Check your email" not in french
