from __future__ import annotations

import pytest
from sqlalchemy import func, select

from organizer.extensions import db
from organizer.supporters import tags
from organizer.supporters.audience import Audience, Condition
from organizer.supporters.models import SupporterStatus, Tagging
from organizer.supporters.selection import Selection
from tests.factories import GroupFactory, SupporterFactory, TagFactory
from tests.support.web import csrf_token

from .conftest import SLUG, login


def _tagged(tag_id):
    return db.session.scalar(select(func.count()).where(Tagging.tag_id == tag_id))


@pytest.mark.usefixtures("ctx")
def test_tag_names_are_unique_per_group_and_bulk_tagging_follows_the_selection():
    group = GroupFactory()
    tag = tags.create_tag(group.id, "  Street   team ")
    assert tag.name == "Street team"
    with pytest.raises(tags.TagError):
        tags.create_tag(group.id, "street TEAM")
    with pytest.raises(tags.TagError):
        tags.create_tag(group.id, "   ")
    assert tags.create_tag(GroupFactory().id, "Street team").name == "Street team"
    fr = [SupporterFactory(group=group, country="FR") for _ in range(3)]
    SupporterFactory(group=group, country="DE")
    SupporterFactory(group=group, country="FR", status=SupporterStatus.UNSUBSCRIBED)
    SupporterFactory(country="FR")  # another group's
    tags.add_tag(fr[0], tag)
    french = Selection(Audience(includes=(Condition("country", "FR"),)), mailable_only=True)

    assert tags.tag_selection(group.id, french, tag) == 2
    assert _tagged(tag.id) == 3
    assert tags.tag_selection(group.id, french, tag) == 0
    everyone_french = Selection(Audience(includes=(Condition("country", "FR"),)))
    assert tags.tag_selection(group.id, everyone_french, tag) == 1
    assert tags.untag_selection(group.id, Selection(search="nobody-matches"), tag) == 0
    assert tags.untag_selection(group.id, french, tag) == 3
    assert _tagged(tag.id) == 1
    assert tags.add_tag(fr[0], TagFactory(group_id=group.id)) is True


def test_bulk_tagging_previews_the_count_then_confirms(app, client, team):
    login(client, "organizer@example.org")
    base = f"/organize/groups/{SLUG}"
    page = client.get(f"{base}/tags")
    client.post(f"{base}/tags", data={"name": "France", "csrf_token": csrf_token(page.text)})
    with app.app_context():
        from organizer.supporters.models import Tag

        tag_id = db.session.scalar(select(Tag.id).where(Tag.name == "France"))
    chooser = client.get(f"{base}/supporters/tag?in=country:FR").text
    assert "2 supporters match the current filter." in chooser
    preview = client.get(f"{base}/supporters/tag?in=country:FR&tag_id={tag_id}&action=add").text
    assert "Put the tag France on 2 supporters?" in preview
    with app.app_context():
        assert _tagged(tag_id) == 0  # a preview writes nothing
    done = client.post(
        f"{base}/supporters/tag?in=country:FR",
        data={"tag_id": tag_id, "action": "add", "csrf_token": csrf_token(preview)},
    )
    assert done.status_code == 302 and done.headers["Location"].endswith("?in=country%3AFR")
    assert "2 more supporters now have the tag France." in client.get(done.headers["Location"]).text
    with app.app_context():
        assert _tagged(tag_id) == 2
    listed = client.get(f"{base}/supporters?in=tag:{tag_id}").text
    assert "2 supporters" in listed and "Ada" not in listed
    assert "France" in client.get(f"{base}/tags").text


def test_a_viewer_cannot_tag_in_bulk(client, team):
    login(client, "viewer@example.org")
    assert client.get(f"/organize/groups/{SLUG}/supporters/tag").status_code == 403
