"""API tokens and requests for the API's tests (read, write and webhooks alike)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from organizer.api.tokens import create_token
from organizer.extensions import db
from organizer.groups.models import Group
from tests.campaigns.conftest import setup

HAL = "application/hal+json"


def make_token(app: Any, group: Group | int, *scopes: str, label: str = "Parsons sync") -> str:
    """A token of ``group``, committed (to the test's savepoint) like a real one."""
    with setup(app):
        found = db.session.get(Group, group if isinstance(group, int) else group.id)
        assert found is not None
        _token, plaintext = create_token(found, label, scopes or ("read",))
    return plaintext


def api_get(client: Any, path: str, token: str | None, **params: Any) -> Any:
    headers = {"OSDI-API-Token": token} if token is not None else {}
    return client.get(f"/api/v2{path}", headers=headers, query_string=params)


def embedded(response: Any) -> list[dict[str, Any]]:
    """The list of a collection page: the first key of ``_embedded``, as Parsons reads it."""
    body = response.get_json(force=True)
    return list(body["_embedded"][next(iter(body["_embedded"]))])


def public_id(resource: dict[str, Any]) -> str:
    (identifier,) = resource["identifiers"]
    prefix, _colon, uuid = identifier.partition(":")
    assert prefix == "action_network"
    return uuid


@pytest.fixture
def group_id(app: Any, db_session: None) -> int:
    """A group's id: its ORM object would outlive the app context it was loaded in."""
    from tests.factories import GroupFactory

    with setup(app):
        made: int = GroupFactory(slug="riders", name="Riders' Union").id
    return made


@dataclass
class World:
    """Public ids of one group's data, as the API shows them."""

    group_id: int
    group_slug: str
    owner_email: str
    petition: str
    signatures: list[str]
    signers: list[str]  # people who signed, in signing order
    people: list[str]  # every person of the group, in id order
    event: str
    attendances: list[str]
    tag: str
    message: str
    other_group_person: str


def build_world(people: int = 3, slug: str = "riders") -> World:
    """In the caller's app context: a group with a published campaign signed by two people
    (confirmed, so supporters), a screening with an RSVP, a tag on one person, a sent
    mailing, some more supporters, and a person of another group."""
    from organizer.campaigns.models import Campaign
    from organizer.mailings.models import Mailing, MailingContent, MailingStatus
    from organizer.signatures.models import Signature
    from organizer.supporters.models import Supporter, Tagging
    from tests.factories import (
        EventFactory,
        GroupFactory,
        RSVPFactory,
        SupporterFactory,
        TagFactory,
        UserFactory,
    )
    from tests.signatures.conftest import confirm_now, make_campaign, sign

    owner = UserFactory(email=f"owner-{slug}@example.org")
    group = GroupFactory(owner=owner, slug=slug, name="Riders' Union")
    campaign = make_campaign(owner, slug=f"{slug}-petition", goal=100)
    campaign.group_id = group.id
    db.session.flush()
    signed: list[Signature] = []
    for email, name in (("ada@example.org", "Ada Lovelace"), ("bruno@example.org", "Bruno Latour")):
        _outcome, signature = sign(campaign, email, name=name, postal_code="N1 9GU")
        signed.append(confirm_now(signature))
    signers = [db.session.get(Supporter, s.supporter_id) for s in signed]
    for n in range(max(0, people - len(signers))):
        SupporterFactory(group_id=group.id, email=f"person{n:05d}@{slug}.example.org")
    event = EventFactory(campaign=db.session.get(Campaign, campaign.id), host=owner)
    rsvp = RSVPFactory(event=event, email="ada@example.org", supporter_id=signers[0].id)
    tag = TagFactory(group_id=group.id, name="volunteer")
    db.session.add(Tagging(supporter_id=signers[0].id, tag_id=tag.id))
    mailing = Mailing(group_id=group.id, from_name="Riders", status=MailingStatus.SENT,
                      recipient_count=2)  # fmt: skip
    mailing.contents.append(MailingContent(language="en", subject="We won", body_markdown="Hi"))
    db.session.add(mailing)
    other = SupporterFactory(group=GroupFactory(), email="elsewhere@example.org")
    db.session.flush()
    everyone = db.session.scalars(
        select(Supporter.public_id).where(Supporter.group_id == group.id).order_by(Supporter.id)
    )
    return World(
        group_id=group.id, group_slug=slug, owner_email=owner.email,
        petition=campaign.public_id, signatures=[s.public_id for s in signed],
        signers=[s.public_id for s in signers if s is not None], people=list(everyone),
        event=event.public_id, attendances=[rsvp.public_id], tag=tag.public_id,
        message=mailing.public_id, other_group_person=other.public_id,
    )  # fmt: skip


@pytest.fixture(scope="session")
def api_server(services: Any, app: Any) -> Iterator[str]:
    """The base URL of one gunicorn for the whole session (Parsons, schemathesis), serving
    committed data: tests that use it take ``committed_db``."""
    from tests.support.services import free_port, web_server

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    server = web_server(services.env(BASE_URL=base_url), services.log_dir, port, workers=2)
    yield base_url
    server.stop()


@pytest.fixture
def world(app: Any, db_session: None) -> World:
    with setup(app):
        built = build_world()
    return built
