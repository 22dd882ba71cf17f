"""Pages as Parsons reads them, and the index-only path they are found on."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from organizer.extensions import db
from organizer.supporters.models import Supporter
from tests.api.conftest import api_get, embedded, make_token, public_id
from tests.campaigns.conftest import setup
from tests.factories import SupporterFactory


@pytest.fixture
def thirty(app, group_id):
    with setup(app):
        made = [SupporterFactory(group_id=group_id).public_id for _ in range(30)]
    return made


def test_pages_of_25_then_an_empty_page_past_the_end(app, client, group_id, thirty):
    token = make_token(app, group_id)
    first = api_get(client, "/people", token).get_json()
    assert (first["page"], first["per_page"], first["total_pages"], first["total_records"]) == (
        1, 25, 2, 30
    )  # fmt: skip
    assert list(first["_embedded"]) == ["osdi:people"]
    assert first["_links"]["next"]["href"].endswith("/api/v2/people?page=2&per_page=25")
    second = api_get(client, "/people", token, page=2).get_json()
    assert "next" not in second["_links"]
    seen = [
        public_id(p) for p in first["_embedded"]["osdi:people"] + second["_embedded"]["osdi:people"]
    ]
    assert seen == thirty
    past = api_get(client, "/people", token, page=3)
    assert past.status_code == 200
    assert embedded(past) == []
    assert api_get(client, "/people", token, page=400).get_json()["total_records"] == 30


def test_per_page_is_at_most_25(app, client, group_id, thirty):
    token = make_token(app, group_id)
    assert len(embedded(api_get(client, "/people", token, per_page=100))) == 25
    small = api_get(client, "/people", token, per_page=7, page=5).get_json()
    assert (small["per_page"], small["total_pages"]) == (7, 5)
    assert [public_id(p) for p in small["_embedded"]["osdi:people"]] == thirty[28:]


@pytest.mark.parametrize("query", [{"page": "0"}, {"page": "two"}, {"per_page": "0"},
                                   {"per_page": "-3"}, {"page": "1e3"}])  # fmt: skip
def test_a_bad_page_is_a_400_with_a_message(app, client, group_id, query):
    response = api_get(client, "/people", make_token(app, group_id), **query)
    assert response.status_code == 400
    assert "whole number" in response.get_json()["error"]


def test_every_collection_pages_the_same_way(app, client, world):
    token = make_token(app, world.group_id)
    for path, key in (("/people", "people"), ("/tags", "tags"), ("/petitions", "petitions"),
                      ("/events", "events"), ("/messages", "messages"),
                      (f"/tags/{world.tag}/taggings", "taggings"),
                      (f"/petitions/{world.petition}/signatures", "signatures"),
                      (f"/people/{world.signers[0]}/signatures", "signatures"),
                      (f"/events/{world.event}/attendances", "attendances"),
                      (f"/people/{world.signers[0]}/attendances", "attendances")):  # fmt: skip
        body = api_get(client, path, token, per_page=1).get_json()
        assert list(body["_embedded"]) == [f"osdi:{key}"], path
        assert body["total_records"] >= 1 and body["page"] == 1, path
        past = api_get(client, path, token, page=99).get_json()
        assert past["_embedded"] == {f"osdi:{key}": []}, path


def test_people_are_paged_on_the_index_alone(app, db_session, group_id, thirty):
    """The plan of a page's ids: an index-only scan in id order, no sort of the table."""
    from organizer.api.read_views import people_listed

    with app.app_context():
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        ids = select(Supporter.id).where(*people_listed(group_id)).order_by(Supporter.id)
        query = ids.limit(25).offset(25).compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = "\n".join(db.session.scalars(text(f"EXPLAIN {query}")))
        db.session.rollback()
    assert "Index Only Scan using ix_supporter_group_listed" in plan, plan
    assert "Sort" not in plan, plan


@pytest.fixture
def paging_cache(app):
    from organizer.api import seek

    seek.forget()
    app.config["API_PAGING_CACHE_SECONDS"] = 60.0
    yield
    app.config["API_PAGING_CACHE_SECONDS"] = 0.0
    seek.forget()


def test_pages_seeked_from_a_remembered_boundary_are_the_same_pages(
    app, client, group_id, thirty, paging_cache
):
    token = make_token(app, group_id)

    def page(n, **more):
        return [public_id(p) for p in embedded(api_get(client, "/people", token, page=n,
                                                        per_page=4, **more))]  # fmt: skip

    in_order = [page(n) for n in range(1, 9)]
    assert [i for page_ids in in_order for i in page_ids] == thirty
    assert in_order[-1] == thirty[28:]
    # Asked again, pages 6 and 4 start after the remembered last ids of pages 5 and 3.
    assert page(6) == thirty[20:24] and page(4) == thirty[12:16]
    assert page(9) == []
    assert page(2, filter="modified_date gt '2000-01-01'") == thirty[4:8]


def test_pages_found_from_checkpoints_are_the_same_pages(
    app, client, group_id, thirty, paging_cache, monkeypatch
):
    """A pager that starts far from any page it was served (backwards, here) starts from
    every 4th id found in one pass of the index, and gets the pages an offset gives."""
    from organizer.api import seek

    monkeypatch.setattr(seek, "CHECKPOINT_EVERY", 4)
    token = make_token(app, group_id)

    def page(n, per_page):
        found = embedded(api_get(client, "/people", token, page=n, per_page=per_page))
        return [public_id(p) for p in found]

    assert [page(n, 3) for n in range(10, 0, -1)] == [
        thirty[(n - 1) * 3 : n * 3] for n in range(10, 0, -1)
    ]
    assert page(11, 3) == []
    assert page(4, 7) == thirty[21:28]
    assert seek._checkpoints, "the checkpoints were not used"


def test_a_total_is_reused_for_a_while(app, client, group_id, thirty, paging_cache):
    token = make_token(app, group_id)
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    with setup(app):
        SupporterFactory(group_id=group_id)
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    app.config["API_PAGING_CACHE_SECONDS"] = 0.0
    assert api_get(client, "/people", token).get_json()["total_records"] == 31


def test_a_total_counted_by_one_process_serves_the_others(
    app, client, group_id, thirty, paging_cache
):
    """Another web process has nothing of its own (forget(shared=False) makes this one such a
    process) and takes the total kept in Redis instead of counting again, until it ends."""
    from organizer.api import seek

    token = make_token(app, group_id)
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    with setup(app):
        SupporterFactory(group_id=group_id)
    seek.forget(shared=False)
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    seek.forget()
    assert api_get(client, "/people", token).get_json()["total_records"] == 31


def test_while_another_process_counts_one_whose_copy_ended_serves_that_copy(
    app, client, group_id, thirty, paging_cache
):
    """The shared total has ended and another process has claimed the count: this one
    answers with the total it had, and counts itself only once the claim is gone."""
    from organizer.api import seek

    token = make_token(app, group_id)
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    with setup(app):
        SupporterFactory(group_id=group_id)
    (key,) = list(seek._totals)
    seek._totals[key] = (0.0, seek._totals[key][1])  # this process's copy has ended
    redis = seek._redis()
    shared_key = seek.shared_key_of("total", key)
    redis.delete(shared_key)
    redis.set(shared_key + seek.CLAIM_SUFFIX, 1, px=60_000)  # another process is counting
    assert api_get(client, "/people", token).get_json()["total_records"] == 30
    redis.delete(shared_key + seek.CLAIM_SUFFIX)
    assert api_get(client, "/people", token).get_json()["total_records"] == 31
    # The count was written for the others, and its claim released.
    assert redis.get(shared_key) is not None
    assert redis.get(shared_key + seek.CLAIM_SUFFIX) is None


def test_checkpoints_found_by_one_process_serve_the_others(
    app, client, group_id, thirty, paging_cache, monkeypatch
):
    from organizer.api import seek

    monkeypatch.setattr(seek, "CHECKPOINT_EVERY", 4)
    token = make_token(app, group_id)

    def last_page() -> list[str]:
        return [public_id(p) for p in embedded(api_get(client, "/people", token, page=10,
                                                        per_page=3))]  # fmt: skip

    assert last_page() == thirty[27:30]
    seek.forget(shared=False)
    # The checkpoints now come from Redis; a wrong one would give another page.
    import organizer.api.paging as paging

    def no_pass(*_args: object) -> list[int]:
        raise AssertionError("the index was passed again")

    monkeypatch.setattr(paging, "_checkpoints", no_pass)
    assert last_page() == thirty[27:30]
    assert seek._checkpoints, "the shared checkpoints were not kept here"
