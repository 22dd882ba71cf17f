"""Routing (DESIGN.md decision 6): which body gets which demands, and how many signers.

A pure function over plain dataclasses: no database, no Flask. A body receives a letter
when its remit shares a topic with some demand whose places (if it names any) overlap the
body's jurisdiction, and when its jurisdiction holds signers. Organizers may drop a body,
or add one that has no signers yet; an added body still only gets demands in its remit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

EU = "EU"
# The 27 member states since 1 February 2020.
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def expand(codes: Iterable[str]) -> frozenset[str]:
    """Country codes, with "EU" standing for its member states."""
    countries: set[str] = set()
    for code in codes:
        countries |= EU_MEMBER_STATES if code == EU else {code}
    return frozenset(countries)


@dataclass(frozen=True)
class RoutedDemand:
    uid: str
    label: str
    topics: frozenset[str]
    jurisdictions: frozenset[str] = frozenset()  # empty: everywhere


@dataclass(frozen=True)
class Body:
    slug: str
    topics: frozenset[str]
    jurisdictions: frozenset[str]

    @property
    def countries(self) -> frozenset[str]:
        return expand(self.jurisdictions)


@dataclass(frozen=True)
class LetterPlan:
    body: str  # slug
    demands: tuple[str, ...]  # uids, in the text's order
    labels: tuple[str, ...]
    signers: int  # confirmed signers in the body's jurisdiction
    counts_by_country: tuple[tuple[str, int], ...]
    added_by_organizer: bool = False


@dataclass(frozen=True)
class Plan:
    letters: tuple[LetterPlan, ...]
    total_signers: int
    # Added bodies whose remit covers none of the demands: nothing can be sent to them.
    unreachable: tuple[str, ...] = ()

    def for_body(self, slug: str) -> LetterPlan | None:
        return next((letter for letter in self.letters if letter.body == slug), None)


def in_remit(demand: RoutedDemand, body: Body) -> bool:
    """The body can act on the demand: a shared topic, and a shared place if one is named."""
    if not demand.topics & body.topics:
        return False
    return not demand.jurisdictions or bool(expand(demand.jurisdictions) & body.countries)


def signers_in(body: Body, counts: Mapping[str, int]) -> dict[str, int]:
    return {c: n for c, n in sorted(counts.items()) if c in body.countries and n > 0}


def route(
    demands: Sequence[RoutedDemand],
    counts_by_country: Mapping[str, int],
    bodies: Sequence[Body],
    *,
    drop: Iterable[str] = (),
    add: Iterable[str] = (),
) -> Plan:
    """Letter plans for ``bodies``, largest audience first, then by slug."""
    dropped, added = set(drop), set(add) - set(drop)
    letters: list[LetterPlan] = []
    unreachable: list[str] = []
    for body in bodies:
        if body.slug in dropped:
            continue
        counts = signers_in(body, counts_by_country)
        carried = [d for d in demands if in_remit(d, body)]
        forced = body.slug in added
        if not carried:
            if forced:
                unreachable.append(body.slug)
            continue
        if not counts and not forced:
            continue
        letters.append(
            LetterPlan(
                body=body.slug,
                demands=tuple(d.uid for d in carried),
                labels=tuple(d.label for d in carried),
                signers=sum(counts.values()),
                counts_by_country=tuple(counts.items()),
                added_by_organizer=forced and not counts,
            )
        )
    letters.sort(key=lambda plan: (-plan.signers, plan.body))
    total = sum(n for n in counts_by_country.values() if n > 0)
    return Plan(tuple(letters), total, tuple(sorted(unreachable)))
