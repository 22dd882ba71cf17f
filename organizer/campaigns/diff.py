"""A readable diff between two snapshots: demands added, removed, reworded, moved, retagged.

Demands are matched by their stable uid. A demand deleted and typed again word for word is
still the same demand. "Moved" means its order relative to the other demands changed, or
its section did; a demand whose label shifts only because another one left has not moved.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from organizer.campaigns.revisions import DemandView, iter_demands
from organizer.campaigns.vocabulary import section_letter

Op = Literal["equal", "insert", "delete"]
Segment = tuple[Op, str]

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[Segment]:
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


@dataclass(frozen=True)
class DemandChange:
    kind: Literal["added", "removed", "changed"]
    old: DemandView | None
    new: DemandView | None
    reworded: bool = False
    moved: bool = False
    retagged: bool = False
    words: list[Segment] = field(default_factory=list)


@dataclass(frozen=True)
class SectionChange:
    kind: Literal["added", "removed", "renamed"]
    old_letter: str | None
    new_letter: str | None
    old_title: str | None
    new_title: str | None


@dataclass(frozen=True)
class RevisionDiff:
    preamble: list[Segment] | None
    sections: list[SectionChange]
    demands: list[DemandChange]

    @property
    def is_empty(self) -> bool:
        return self.preamble is None and not self.sections and not self.demands

    def count(self, what: str) -> int:
        if what in ("added", "removed"):
            return sum(1 for d in self.demands if d.kind == what)
        return sum(1 for d in self.demands if getattr(d, what))


def diff_snapshots(old: dict[str, Any], new: dict[str, Any]) -> RevisionDiff:
    preamble = None
    if old["preamble"] != new["preamble"]:
        preamble = word_diff(old["preamble"], new["preamble"])
    return RevisionDiff(preamble, _section_changes(old, new), _demand_changes(old, new))


def _section_changes(old: dict[str, Any], new: dict[str, Any]) -> list[SectionChange]:
    before = {s["uid"]: (section_letter(i), s) for i, s in enumerate(old["sections"])}
    after = {s["uid"]: (section_letter(i), s) for i, s in enumerate(new["sections"])}
    changes = []
    for uid, (letter, section) in after.items():
        if uid not in before:
            changes.append(SectionChange("added", None, letter, None, section["title"]))
        elif before[uid][1]["title"] != section["title"]:
            old_letter, old_section = before[uid]
            changes.append(
                SectionChange("renamed", old_letter, letter, old_section["title"], section["title"])
            )
    for uid, (letter, section) in before.items():
        if uid not in after:
            changes.append(SectionChange("removed", letter, None, section["title"], None))
    return changes


def _pair_demands(old: list[DemandView], new: list[DemandView]) -> dict[str, DemandView]:
    """new uid → the old demand it continues."""
    by_uid = {d.uid: d for d in old}
    pairs = {d.uid: by_uid[d.uid] for d in new if d.uid in by_uid}
    paired_old = {d.uid for d in pairs.values()}
    leftover = {d.text: d for d in reversed(old) if d.uid not in paired_old}
    for demand in new:
        if demand.uid not in pairs and demand.text in leftover:
            pairs[demand.uid] = leftover.pop(demand.text)
    return pairs


def _demand_changes(old: dict[str, Any], new: dict[str, Any]) -> list[DemandChange]:
    old_demands, new_demands = list(iter_demands(old)), list(iter_demands(new))
    pairs = _pair_demands(old_demands, new_demands)
    in_order = _kept_in_order(old_demands, new_demands, pairs)
    changes: list[DemandChange] = []
    for demand in new_demands:
        before = pairs.get(demand.uid)
        if before is None:
            changes.append(DemandChange("added", None, demand))
            continue
        change = _compare(before, demand, moved=demand.uid not in in_order)
        if change is not None:
            changes.append(change)
    continued = {d.uid for d in pairs.values()}
    changes.extend(DemandChange("removed", d, None) for d in old_demands if d.uid not in continued)
    return changes


def _kept_in_order(
    old: list[DemandView], new: list[DemandView], pairs: dict[str, DemandView]
) -> set[str]:
    """New uids of the paired demands that kept their relative order (a common subsequence)."""
    kept = {d.uid for d in pairs.values()}
    a = [d.uid for d in old if d.uid in kept]
    b = [pairs[d.uid].uid for d in new if d.uid in pairs]
    back = {pairs[uid].uid: uid for uid in pairs}
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    in_order: set[str] = set()
    for block in matcher.get_matching_blocks():
        in_order.update(back[uid] for uid in b[block.b : block.b + block.size])
    return in_order


def _compare(old: DemandView, new: DemandView, moved: bool) -> DemandChange | None:
    reworded = old.text != new.text
    moved = moved or old.section_uid != new.section_uid
    retagged = old.topics != new.topics or old.jurisdictions != new.jurisdictions
    if not (reworded or moved or retagged):
        return None
    words = word_diff(old.text, new.text) if reworded else []
    return DemandChange("changed", old, new, reworded, moved, retagged, words)
