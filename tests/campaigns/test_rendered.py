"""The grievance list cached per (revision hash, locale): shared by every reader, so it
must hold nothing about the one whose request filled it."""

from __future__ import annotations

from tests.factories import UserFactory

from .conftest import build_campaign, login, publish, setup


def test_an_organizers_render_fills_an_entry_with_nothing_of_theirs(app, client):
    with setup(app):
        owner = UserFactory(display_name="Zelda Secretname")
        campaign = build_campaign(owner, slug="rendered-cache")
        revision = publish(campaign, owner, "First text.")
        digest, email = revision.content_hash, owner.email
    login(client, email)
    assert "Zelda Secretname" in client.get("/c/rendered-cache").get_data(as_text=True)
    # (The organizer's own locale wins over the browser's; a French reader is anonymous.)
    app.test_client().get("/c/rendered-cache", headers={"Accept-Language": "fr"})
    cache = app.extensions["cahier_grievance_html"]
    english, french = cache[(digest, "en")], cache[(digest, "fr")]
    for html in (english, french):
        assert "Zelda" not in html and "csrf" not in html.lower() and email not in html
        assert 'id="A1"' in html and "Publish every political ad." in html
    assert 'aria-label="Demand A1"' in english and 'aria-label="Revendication A1"' in french
    # An anonymous reader gets the very list the organizer's request rendered.
    anonymous = app.test_client().get("/c/rendered-cache").get_data(as_text=True)
    assert str(english) in anonymous
