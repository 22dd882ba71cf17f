"""GET routes of the API: the entry point and every collection and resource, read-only."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import cache
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from pydantic_core import to_json
from sqlalchemy import ColumnElement, Select, bindparam, select

from organizer.api import filters, lookups, schemas, serializers
from organizer.api.auth import has_scope, require_scope
from organizer.api.blueprint import bp, hal, hal_json
from organizer.api.models import ApiScope
from organizer.api.openapi import documented
from organizer.api.paging import MAX_PER_PAGE, Slice, paged
from organizer.campaigns.models import Campaign
from organizer.events.models import RSVP, Event
from organizer.extensions import db
from organizer.mailings.models import Mailing
from organizer.signatures.models import Signature
from organizer.supporters.models import Supporter, Tag, Tagging

READ = ApiScope.READ
COLLECTIONS = ("people", "tags", "petitions", "events", "messages")
ITEMS: dict[str, type[schemas.Resource]] = {
    "people": schemas.Person, "tags": schemas.Tag, "taggings": schemas.Tagging,
    "petitions": schemas.Petition, "signatures": schemas.Signature, "events": schemas.Event,
    "attendances": schemas.Attendance, "messages": schemas.Message,
}  # fmt: skip


def _page(model: type[schemas.Resource], key: str) -> type[schemas.Collection]:
    return schemas.collection_model(key, model)


def _page_response(key: str, body: dict[str, Any]) -> ResponseReturnValue:
    """The page through its own schema: the items' dicts are validated and written as JSON
    in one pass of pydantic-core, cheaper than a model per item and then json.dumps."""
    page = _page(ITEMS[key], key).model_validate(body)
    return hal_json(page.model_dump_json(by_alias=True, exclude_none=True))


def _collection(
    key: str,
    path: Sequence[str],
    model: Any,
    where: Sequence[ColumnElement[bool]],
    serialize: Callable[[Any], dict[str, Any]],
    dates: Mapping[str, Any],
    texts: Mapping[str, Any] | None = None,
    with_people: bool = False,
    rows_of: Callable[[Slice, list[ColumnElement[bool]]], Sequence[Any]] | None = None,
) -> ResponseReturnValue:
    try:
        conditions = filters.parse(request.args.get("filter"), dates, texts)
    except filters.FilterError as error:
        abort(400, description=str(error))
    matching = [*where, *conditions]

    def entities(page: Slice) -> Sequence[Any]:
        if rows_of is not None:
            return rows_of(page, conditions)
        rows = list(db.session.scalars(select(model).where(
            model.id.in_(page.ids(model.id, matching))).order_by(model.id)))  # fmt: skip
        if with_people:
            _load_supporters([row.supporter_id for row in rows])
        return rows

    body = paged(key, path, model.id, lambda: matching, entities, serialize)
    return _page_response(key, body)


def _dated(model: Any) -> dict[str, Any]:
    return {"modified_date": model.updated_at, "created_date": model.created_at}


def _load_supporters(ids: Sequence[int | None]) -> None:
    """Into the identity map, so that each row's person link costs no query."""
    wanted = [i for i in set(ids) if i is not None]
    if wanted:
        list(db.session.scalars(select(Supporter).where(Supporter.id.in_(wanted))))


@bp.get("/", strict_slashes=False)
@documented("The entry point: links to each collection", schemas.EntryPoint, tag="entry point")
@require_scope(READ)
def entry_point() -> ResponseReturnValue:
    links: dict[str, Any] = {
        "self": {"href": serializers.api_url()},
        "curies": [
            {"name": "osdi", "href": f"{_docs_url()}#osdi-{{rel}}", "templated": True},
            {"name": "action_network", "href": f"{_docs_url()}#an-{{rel}}", "templated": True},
        ],
    }
    for key in COLLECTIONS:
        links[f"osdi:{key}"] = {"href": serializers.api_url(key), "title": key.title()}
    body = schemas.EntryPoint(
        motd="Cahier speaks Action Network's API v2 (OSDI).", max_pagesize=MAX_PER_PAGE,
        links=links,
    )  # fmt: skip
    return hal(schemas.dump(body))


def _docs_url() -> str:
    from organizer.urls import external_url

    return external_url("api_docs.page")


# People


def people_listed(group_id: Any) -> list[ColumnElement[bool]]:
    """The conditions of ix_supporter_group_listed: pages are read on that index alone."""
    return [Supporter.group_id == group_id, Supporter.erased_at.is_(None)]


@bp.get("/people", strict_slashes=False)
@documented("The group's supporters", _page(schemas.Person, "people"), paged=True, filtered=True)
@require_scope(READ)
def people() -> ResponseReturnValue:
    """The API's hot path (Parsons reads the whole list): the page's dicts are written as
    JSON as they are, already in the shape of the schema's dump, and the conditions of an
    unfiltered page are built only if a count or checkpoints are needed."""
    group_id = lookups.group_id()
    try:
        conditions = filters.parse(request.args.get("filter"), _dated(Supporter),
                                   {"email_address": Supporter.email})  # fmt: skip
    except filters.FilterError as error:
        abort(400, description=str(error))

    def matching() -> list[ColumnElement[bool]]:
        return [*people_listed(group_id), *conditions]

    def rows(page: Slice) -> Sequence[Any]:
        if conditions:
            keys = page.ids(Supporter.id, matching())
            statement = select(*serializers.PERSON_PAGE_COLUMNS).where(Supporter.id.in_(keys))
            return db.session.execute(statement.order_by(Supporter.id)).all()
        params = {"group_id": group_id, **page.params}
        return db.session.connection().execute(_people_page(), params).all()

    people_url = serializers.api_url("people")
    body = paged("people", ["people"], Supporter.id, matching, rows,
                 lambda row: serializers.person_page_item(row, people_url))  # fmt: skip
    return hal_json(to_json(body))


@cache
def _people_page() -> Select[Any]:
    """A page of people without a filter, built once with bound parameters: building the
    statement again for every page cost more CPU than running it."""
    keys = (
        select(Supporter.id)
        .where(*people_listed(bindparam("group_id")), Supporter.id >= bindparam("from_id"))
        .order_by(Supporter.id)
        .limit(bindparam("limit"))
        .offset(bindparam("offset"))
    )
    columns = serializers.PERSON_PAGE_COLUMNS
    return select(*columns).where(Supporter.id.in_(keys)).order_by(Supporter.id)


@bp.get("/people/<person_id>", strict_slashes=False)
@documented("One supporter", schemas.Person)
@require_scope(READ)
def person(person_id: str) -> ResponseReturnValue:
    return hal(serializers.person(lookups.person_or_404(person_id)))


@bp.get("/people/<person_id>/signatures", strict_slashes=False)
@documented("A supporter's signatures", _page(schemas.Signature, "signatures"), paged=True,
            filtered=True)  # fmt: skip
@require_scope(READ)
def person_signatures(person_id: str) -> ResponseReturnValue:
    supporter = lookups.person_or_404(person_id)
    campaigns = select(Campaign.id).where(Campaign.group_id == supporter.group_id)
    where = [Signature.supporter_id == supporter.id, Signature.campaign_id.in_(campaigns)]
    return _collection("signatures", ["people", person_id, "signatures"], Signature, where,
                       serializers.signature, _dated(Signature))  # fmt: skip


@bp.get("/people/<person_id>/attendances", strict_slashes=False)
@documented("A supporter's RSVPs", _page(schemas.Attendance, "attendances"), paged=True,
            filtered=True)  # fmt: skip
@require_scope(READ)
def person_attendances(person_id: str) -> ResponseReturnValue:
    supporter = lookups.person_or_404(person_id)
    events = (
        select(Event.id)
        .join(Campaign, Campaign.id == Event.campaign_id)
        .where(Campaign.group_id == supporter.group_id)
    )
    where = [RSVP.supporter_id == supporter.id, RSVP.event_id.in_(events)]
    return _collection("attendances", ["people", person_id, "attendances"], RSVP, where,
                       serializers.attendance, _dated(RSVP))  # fmt: skip


# Tags and taggings


@bp.get("/tags", strict_slashes=False)
@documented("The group's tags", _page(schemas.Tag, "tags"), paged=True, filtered=True)
@require_scope(READ)
def tags() -> ResponseReturnValue:
    return _collection("tags", ["tags"], Tag, [Tag.group_id == lookups.group_id()],
                       serializers.tag, _dated(Tag))  # fmt: skip


@bp.get("/tags/<tag_id>", strict_slashes=False)
@documented("One tag", schemas.Tag)
@require_scope(READ)
def tag(tag_id: str) -> ResponseReturnValue:
    return hal(serializers.tag(lookups.tag_or_404(tag_id)))


@bp.get("/tags/<tag_id>/taggings", strict_slashes=False)
@documented("Who has a tag", _page(schemas.Tagging, "taggings"), paged=True, filtered=True)
@require_scope(READ)
def taggings(tag_id: str) -> ResponseReturnValue:
    found = lookups.tag_or_404(tag_id)
    listed = select(Supporter.id).where(Supporter.group_id == found.group_id,
                                        Supporter.erased_at.is_(None))  # fmt: skip
    where = [Tagging.tag_id == found.id, Tagging.supporter_id.in_(listed)]
    dates = {"modified_date": Tagging.created_at, "created_date": Tagging.created_at}
    # Taggings have a composite key: page them by supporter, within the one tag.
    return _tagging_page(found, where, dates)


def _tagging_page(found: Tag, where: list[ColumnElement[bool]],
                  dates: dict[str, Any]) -> ResponseReturnValue:  # fmt: skip
    try:
        conditions = filters.parse(request.args.get("filter"), dates)
    except filters.FilterError as error:
        abort(400, description=str(error))

    matching = [*where, *conditions]

    def load(page: Slice) -> Sequence[Any]:
        keys = page.ids(Tagging.supporter_id, matching)
        rows = list(db.session.scalars(
            select(Tagging)
            .where(Tagging.tag_id == found.id, Tagging.supporter_id.in_(keys))
            .order_by(Tagging.supporter_id)
        ))  # fmt: skip
        _load_supporters([row.supporter_id for row in rows])
        return [_Keyed(row.supporter_id, row) for row in rows]

    path = ["tags", found.public_id, "taggings"]
    body = paged("taggings", path, Tagging.supporter_id, lambda: matching, load,
                 lambda keyed: serializers.tagging(keyed.row))  # fmt: skip
    return _page_response("taggings", body)


class _Keyed:
    """A tagging under the id its page is ordered by."""

    def __init__(self, key: int, row: Tagging) -> None:
        self.id = key
        self.row = row


@bp.get("/tags/<tag_id>/taggings/<tagging_id>", strict_slashes=False)
@documented("One tagging", schemas.Tagging)
@require_scope(READ)
def tagging(tag_id: str, tagging_id: str) -> ResponseReturnValue:
    found = lookups.tagging_or_404(lookups.tag_or_404(tag_id), tagging_id)
    return hal(serializers.tagging(found))


# Petitions and signatures


@bp.get("/petitions", strict_slashes=False)
@documented("The group's campaigns", _page(schemas.Petition, "petitions"), paged=True,
            filtered=True)  # fmt: skip
@require_scope(READ)
def petitions() -> ResponseReturnValue:
    return _collection("petitions", ["petitions"], Campaign,
                       [Campaign.group_id == lookups.group_id()], serializers.petition,
                       _dated(Campaign))  # fmt: skip


@bp.get("/petitions/<petition_id>", strict_slashes=False)
@documented("One campaign", schemas.Petition)
@require_scope(READ)
def petition(petition_id: str) -> ResponseReturnValue:
    return hal(serializers.petition(lookups.petition_or_404(petition_id)))


@bp.get("/petitions/<petition_id>/signatures", strict_slashes=False)
@documented("A campaign's signatures", _page(schemas.Signature, "signatures"), paged=True,
            filtered=True)  # fmt: skip
@require_scope(READ)
def petition_signatures(petition_id: str) -> ResponseReturnValue:
    campaign = lookups.petition_or_404(petition_id)
    return _collection("signatures", ["petitions", petition_id, "signatures"], Signature,
                       [Signature.campaign_id == campaign.id], serializers.signature,
                       _dated(Signature), with_people=True)  # fmt: skip


@bp.get("/petitions/<petition_id>/signatures/<signature_id>", strict_slashes=False)
@documented("One signature", schemas.Signature)
@require_scope(READ)
def petition_signature(petition_id: str, signature_id: str) -> ResponseReturnValue:
    campaign = lookups.petition_or_404(petition_id)
    return hal(serializers.signature(lookups.signature_or_404(campaign, signature_id)))


# Events and attendances


def _full_events() -> bool:
    # Hidden addresses and online links are for guests; a write token acts for the group.
    return has_scope(ApiScope.WRITE)


@bp.get("/events", strict_slashes=False)
@documented("The group's screenings", _page(schemas.Event, "events"), paged=True, filtered=True)
@require_scope(READ)
def events() -> ResponseReturnValue:
    campaigns = select(Campaign.id).where(Campaign.group_id == lookups.group_id())
    full = _full_events()
    return _collection("events", ["events"], Event, [Event.campaign_id.in_(campaigns)],
                       lambda e: serializers.event(e, full), _dated(Event))  # fmt: skip


@bp.get("/events/<event_id>", strict_slashes=False)
@documented("One screening", schemas.Event)
@require_scope(READ)
def event(event_id: str) -> ResponseReturnValue:
    return hal(serializers.event(lookups.event_or_404(event_id), _full_events()))


@bp.get("/events/<event_id>/attendances", strict_slashes=False)
@documented("A screening's RSVPs", _page(schemas.Attendance, "attendances"), paged=True,
            filtered=True)  # fmt: skip
@require_scope(READ)
def event_attendances(event_id: str) -> ResponseReturnValue:
    found = lookups.event_or_404(event_id)
    return _collection("attendances", ["events", event_id, "attendances"], RSVP,
                       [RSVP.event_id == found.id], serializers.attendance,
                       _dated(RSVP), with_people=True)  # fmt: skip


@bp.get("/events/<event_id>/attendances/<attendance_id>", strict_slashes=False)
@documented("One RSVP", schemas.Attendance)
@require_scope(READ)
def event_attendance(event_id: str, attendance_id: str) -> ResponseReturnValue:
    found = lookups.attendance_or_404(lookups.event_or_404(event_id), attendance_id)
    return hal(serializers.attendance(found))


# Messages


@bp.get("/messages", strict_slashes=False)
@documented("The group's mailings, with aggregate statistics",
            _page(schemas.Message, "messages"), paged=True, filtered=True)  # fmt: skip
@require_scope(READ)
def messages() -> ResponseReturnValue:
    return _collection("messages", ["messages"], Mailing,
                       [Mailing.group_id == lookups.group_id()], serializers.message,
                       _dated(Mailing))  # fmt: skip


@bp.get("/messages/<message_id>", strict_slashes=False)
@documented("One mailing, with aggregate statistics", schemas.Message)
@require_scope(READ)
def message(message_id: str) -> ResponseReturnValue:
    return hal(serializers.message(lookups.message_or_404(message_id)))
