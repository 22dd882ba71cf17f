from __future__ import annotations

from sqlalchemy import select

from organizer.extensions import db
from organizer.supporters.models import Supporter
from tests.support.web import csrf_token, submit

from .conftest import SLUG, login

BASE = f"/organize/groups/{SLUG}/supporters"


def _public_id(app, email):
    with app.app_context():
        return db.session.scalar(select(Supporter.public_id).where(Supporter.email == email))


def test_owners_and_organizers_see_names_and_the_count(app, client, team):
    for email in ("owner@example.org", "organizer@example.org"):
        page = login(app.test_client(), email).get(BASE)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "3 supporters" in html
        assert "Ada Lovelace" in html and "chloe@example.org" in html
        assert f'href="/organize/groups/{SLUG}/supporters" aria-current="page"' in html


def test_a_viewer_sees_counts_but_no_name_and_no_supporter_page(app, client, team):
    login(client, "viewer@example.org")
    html = client.get(BASE).get_data(as_text=True)
    assert "3 supporters" in html
    assert "Ada Lovelace" not in html and "ada@example.org" not in html
    assert "names and addresses are for the group" in html
    # Nor can a search tell the viewer whether an address is on the list.
    probe = client.get(f"{BASE}?q=ada@example.org").get_data(as_text=True)
    assert "3 supporters" in probe and 'name="q"' not in probe
    assert client.get(f"{BASE}/{_public_id(app, 'ada@example.org')}").status_code == 403
    assert client.get(f"{BASE}.csv").status_code == 403


def test_an_outsider_gets_404_everywhere(app, client, team):
    login(client, "outsider@example.org")
    ada = _public_id(app, "ada@example.org")
    for url in (BASE, f"{BASE}/{ada}", f"{BASE}.csv", f"{BASE}/import",
                f"/organize/groups/{SLUG}/tags", f"{BASE}/tag"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert app.test_client().get(BASE).status_code == 302  # anonymous: to the login page


def test_search_filters_and_the_mailable_toggle_are_links(client, team):
    login(client, "owner@example.org")
    html = client.get(f"{BASE}?q=lovel").get_data(as_text=True)
    assert "1 supporter" in html and "Ada Lovelace" in html and "Bruno" not in html
    html = client.get(f"{BASE}?in=country:FR").get_data(as_text=True)
    assert "2 supporters" in html and "Ada Lovelace" not in html and "Lives in: France" in html
    html = client.get(f"{BASE}?ex=country:FR&mailable=1").get_data(as_text=True)
    assert "1 supporter who can be mailed" in html and "Ada Lovelace" in html
    html = client.get(f"{BASE}?in=country:FR&mailable=1").get_data(as_text=True)
    assert "Bruno" in html and "Chloé" not in html
    added = client.get(f"{BASE}?q=a&mode=ex&add=country:FR")
    assert added.status_code == 302
    assert added.headers["Location"].endswith(f"{BASE}?ex=country%3AFR&q=a")
    dated = client.get(f"{BASE}?date_kind=joined_before&date=2000-01-01")
    assert dated.headers["Location"].endswith("?in=joined_before%3A2000-01-01")


def test_a_filter_that_cannot_be_read_is_said_and_left_out(client, team):
    login(client, "owner@example.org")
    page = client.get(f"{BASE}?in=tag:abc&in=country:FR")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "The filter tag:abc cannot be read and was left out." in html
    assert "2 supporters" in html


def test_the_supporter_page_shows_details_tags_and_consent(app, client, team):
    login(client, "owner@example.org")
    ada = _public_id(app, "ada@example.org")
    submit(client, f"/organize/groups/{SLUG}/tags", {"name": "Volunteer"})
    token = csrf_token(client.get(f"{BASE}/{ada}").get_data(as_text=True))
    tag_id = _tag_id(app, "Volunteer")
    added = client.post(f"{BASE}/{ada}/tags", data={"tag_id": tag_id, "csrf_token": token})
    assert added.status_code == 302
    html = client.get(f"{BASE}/{ada}").get_data(as_text=True)
    assert "Ada Lovelace" in html and "United Kingdom" in html and "English" in html
    assert "Remove Volunteer" in html and "Subscribed" in html
    assert "Consent history" in html
    client.post(f"{BASE}/{ada}/tags/{tag_id}/remove", data={"csrf_token": token})
    assert "Remove Volunteer" not in client.get(f"{BASE}/{ada}").get_data(as_text=True)
    assert client.get(f"{BASE}/not-a-supporter").status_code == 404


def _tag_id(app, name):
    from organizer.supporters.models import Tag

    with app.app_context():
        return db.session.scalar(select(Tag.id).where(Tag.name == name))


def test_a_viewer_cannot_create_tags(client, team):
    login(client, "viewer@example.org")
    assert client.get(f"/organize/groups/{SLUG}/tags").status_code == 403
