from __future__ import annotations

from organizer.audit.services import entries_for, record
from tests.factories import UserFactory


def test_entries_are_recorded_with_actor_and_details_newest_first(ctx):
    user = UserFactory()
    record(user, "thing.done", "campaign", 7, {"n": 1})
    record(None, "thing.redone", "campaign", 7)
    record(user, "other", "campaign", 8)
    entries = entries_for("campaign", 7)
    assert [e.action for e in entries] == ["thing.redone", "thing.done"]
    assert entries[1].actor_id == user.id and entries[1].details == {"n": 1}
    assert entries[0].actor_id is None and entries[0].at is not None
