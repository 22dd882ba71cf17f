"""Routing is a pure function (DESIGN.md decision 6); its promises hold for any input."""

from __future__ import annotations

import csv
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from organizer.letters.routing import (
    EU_MEMBER_STATES,
    Body,
    RoutedDemand,
    expand,
    in_remit,
    route,
)

TOPICS = ["privacy", "consumer", "competition", "elections", "telecom", "legislature"]
PLACES = ["US", "GB", "FR", "IE", "DE", "IN", "CA", "EU"]
FIXTURE = Path(__file__).resolve().parents[2] / "organizer" / "letters" / "data" / "regulators.csv"

topic_sets = st.frozensets(st.sampled_from(TOPICS), min_size=1, max_size=3)
place_sets = st.frozensets(st.sampled_from(PLACES), max_size=2)
demands_st = st.lists(
    st.builds(RoutedDemand, uid=st.uuids().map(str), label=st.just("X"), topics=topic_sets,
              jurisdictions=place_sets),
    max_size=8,
)  # fmt: skip
bodies_st = st.lists(
    st.builds(
        Body, slug=st.uuids().map(str), topics=topic_sets,
        jurisdictions=st.frozensets(st.sampled_from(PLACES), min_size=1, max_size=2),
    ),
    max_size=8,
)  # fmt: skip
counts_st = st.dictionaries(
    st.sampled_from(["US", "GB", "FR", "IE", "DE", "IN", "CA", "BR", "IT"]),
    st.integers(min_value=0, max_value=1000),
)


@given(demands_st, counts_st, bodies_st)
def test_no_letter_carries_a_demand_outside_its_bodys_remit(demands, counts, bodies):
    plan = route(demands, counts, bodies)
    by_slug = {body.slug: body for body in bodies}
    by_uid = {demand.uid: demand for demand in demands}
    for letter in plan.letters:
        body = by_slug[letter.body]
        assert letter.demands
        for uid in letter.demands:
            demand = by_uid[uid]
            assert demand.topics & body.topics
            if demand.jurisdictions:
                assert expand(demand.jurisdictions) & body.countries


@given(demands_st, counts_st, bodies_st)
def test_no_signer_is_counted_outside_the_bodys_jurisdiction(demands, counts, bodies):
    plan = route(demands, counts, bodies)
    by_slug = {body.slug: body for body in bodies}
    for letter in plan.letters:
        countries = by_slug[letter.body].countries
        assert all(country in countries for country, _ in letter.counts_by_country)
        assert letter.signers == sum(counts.get(c, 0) for c in countries)
        assert 0 < letter.signers <= plan.total_signers


@given(demands_st, counts_st, bodies_st)
def test_every_demand_in_some_remit_with_signers_reaches_a_body(demands, counts, bodies):
    plan = route(demands, counts, bodies)
    carried = {uid for letter in plan.letters for uid in letter.demands}
    for demand in demands:
        reachable = any(
            in_remit(demand, body) and any(counts.get(c, 0) > 0 for c in body.countries)
            for body in bodies
        )
        assert (demand.uid in carried) == reachable


@given(demands_st, counts_st, bodies_st, st.data())
def test_a_dropped_body_gets_nothing_and_an_added_one_only_its_remit(demands, counts, bodies, data):
    if not bodies:
        return
    dropped = data.draw(st.sampled_from(bodies)).slug
    added = data.draw(st.sampled_from(bodies)).slug
    plan = route(demands, counts, bodies, drop=[dropped], add=[added])
    assert plan.for_body(dropped) is None
    if added != dropped:
        body = next(b for b in bodies if b.slug == added)
        expected = [d.uid for d in demands if in_remit(d, body)]
        letter = plan.for_body(added)
        assert (letter.demands if letter else ()) == tuple(expected)
        assert (added in plan.unreachable) == (not expected)


def test_eu_means_the_27_member_states():
    assert len(EU_MEMBER_STATES) == 27
    assert {"IE", "FR", "DE", "HR"} <= EU_MEMBER_STATES
    assert "GB" not in EU_MEMBER_STATES
    dpc = Body("ie-dpc", frozenset({"privacy"}), frozenset({"EU"}))
    demand = RoutedDemand("d1", "B1", frozenset({"privacy"}))
    plan = route([demand], {"FR": 3, "IT": 2, "GB": 7, "US": 1}, [dpc])
    (letter,) = plan.letters
    assert letter.signers == 5
    assert dict(letter.counts_by_country) == {"FR": 3, "IT": 2}
    assert plan.total_signers == 13


def _fixture_bodies():
    with FIXTURE.open(newline="", encoding="utf-8") as handle:
        return [
            Body(
                row["slug"],
                frozenset(row["topics"].split(";")),
                frozenset(row["jurisdiction"].split(";")),
            )
            for row in csv.DictReader(handle)
        ]


def test_the_congress_hearing_reaches_only_us_bodies():
    hearing = RoutedDemand("a8", "A8", frozenset({"legislature"}), frozenset({"US"}))
    commons = RoutedDemand("a9", "A9", frozenset({"legislature"}), frozenset({"GB"}))
    counts = {"US": 40, "GB": 30, "FR": 20, "IE": 10, "IN": 5}
    plan = route([hearing, commons], counts, _fixture_bodies())
    reached = {letter.body for letter in plan.letters if "a8" in letter.demands}
    assert reached == {"us-senate-commerce", "us-house-energy-commerce"}
    assert {letter.body for letter in plan.letters if "a9" in letter.demands} == {"gb-commons-cms"}


def test_privacy_demands_reach_the_ftc_dpc_cnil_and_ico_but_not_trai():
    privacy = RoutedDemand("b1", "B1", frozenset({"privacy", "consumer"}))
    plan = route([privacy], {"US": 4, "GB": 3, "FR": 2, "IE": 1, "IN": 1}, _fixture_bodies())
    bodies = {letter.body for letter in plan.letters}
    assert {"us-ftc", "ie-dpc", "fr-cnil", "gb-ico"} <= bodies
    assert "in-trai" not in bodies  # a telecom regulator, not a consumer one
    # No signer in Canada or Australia: their bodies get nothing.
    assert not bodies & {"ca-opc", "au-accc"}
    dpc = plan.for_body("ie-dpc")
    assert dpc is not None and dpc.signers == 3  # FR and IE, both in the EU


# --- The demo campaign, as a domain expert would route it --------------------------------

A = [f"A{n}" for n in range(1, 8)]  # the elections and transparency demands
B = [f"B{n}" for n in range(1, 7)]  # privacy
B_CONSUMER = ["B1", "B3", "B5"]
C = ["C1", "C2"]  # child safety
DEMO_PLAN = {
    "us-fec": A,
    "us-ftc": ["A6", *B, *C],  # COPPA: the FTC takes child safety
    "us-senate-commerce": ["A6", "A8", *B, *C],
    "us-house-energy-commerce": ["A6", "A8", *B, *C],
    "gb-ico": ["A6", *B, *C],  # the Age Appropriate Design Code
    "gb-electoral-commission": A,
    "gb-commons-cms": [*A, "A9"],
    "gb-ofcom": C,
    "gb-cma": B_CONSUMER,
    "ie-dpc": B,
    "ie-cnam": C,
    "fr-cnil": B,
    "fr-arcom": C,  # not the 2016 US election
    "eu-edpb": B,
    "eu-commission": B_CONSUMER,  # not the 2016 US election
    "ca-opc": B,
}


def test_the_demo_campaign_routes_as_a_domain_expert_would(ctx):
    from organizer import demo
    from organizer.letters import services

    demo.seed_demo_regulators()
    campaign = demo.seed_demo_campaign(demo.seed_demo_organizer().user)
    assert demo.seed_demo_signatures() > 0
    routing = services.preview(campaign)
    assert {plan.body: list(plan.labels) for plan in routing.plan.letters} == DEMO_PLAN
    # TRAI is a telecom regulator: no demand of the campaign is in its remit.
    assert routing.plan.for_body("in-trai") is None
    texts = routing.demand_texts
    assert texts[routing.plan.for_body("us-ftc").demands[-1]].startswith(
        "Facebook shuts down the Messenger Kids"
    )


def test_the_shipped_directory_is_the_corrected_fixture():
    shipped = FIXTURE.read_text("utf-8")
    fixture = Path("/work/shared/fixtures/regulators.csv")
    if fixture.exists():
        assert shipped == fixture.read_text("utf-8")
    rows = {row["slug"]: row["topics"].split(";") for row in csv.DictReader(shipped.splitlines())}
    assert "child-safety" in rows["us-ftc"] and "child-safety" in rows["gb-ico"]
    assert rows["in-trai"] == ["telecom"]
