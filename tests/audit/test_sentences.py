"""The audit log reads as sentences in the reader's language; every action code has one."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale

from organizer.audit.sentences import SENTENCES, describe
from organizer.audit.services import record
from tests.factories import CampaignFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
# record(actor, "code", …), audit.log(actor, "code", …), _audit(actor, "code", …), and the
# codes chosen by a condition just before such a call.
CALL = re.compile(r"(?:record|audit\.log|_audit)\(\s*[^,()]+,\s*\"([a-z_]+\.[a-z_]+)\"")
CHOSEN = re.compile(r"action = \"([a-z_]+\.[a-z_]+)\" if .* else \"([a-z_]+\.[a-z_]+)\"")
# Codes built at run time: f"pledge.{outcome}" and f"amendment.{status.value}".
BUILT = {"pledge.triggered", "pledge.lapsed", "amendment.accepted", "amendment.declined"}


def codes_in_the_source() -> set[str]:
    codes = set(BUILT)
    for path in (ROOT / "organizer").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        codes.update(CALL.findall(text))
        for pair in CHOSEN.findall(text):
            codes.update(pair)
    return codes


def test_the_scan_finds_the_codes_we_know():
    found = codes_in_the_source()
    assert {"signatures.bulk_invalidate", "letter.written", "signatures.suspect_cleared"} <= found


def test_every_action_code_in_the_source_has_a_sentence():
    assert sorted(codes_in_the_source() - set(SENTENCES)) == []


def test_sentences_carry_the_actor_the_count_and_the_reason(ctx):
    alice = UserFactory(display_name="Alice")
    campaign = CampaignFactory()
    many = record(alice, "signatures.bulk_invalidate", "campaign", campaign.id,
                  {"done": 1200, "reason": "one IP"})  # fmt: skip
    one = record(alice, "signatures.bulk_invalidate", "campaign", campaign.id,
                 {"done": 1, "reason": "a bot"})  # fmt: skip
    assert describe(many) == "Alice invalidated 1,200 signatures (reason: one IP)."
    assert describe(one) == "Alice invalidated 1 signature (reason: a bot)."


def test_system_actions_and_unknown_codes_still_read_as_sentences(ctx):
    campaign = CampaignFactory()
    fired = record(None, "letter_milestone.fired", "letter_milestone", 3,
                   {"campaign_id": campaign.id, "signatures": 1})  # fmt: skip
    unknown = record(None, "someday.new_thing", "campaign", campaign.id)
    assert describe(fired) == "A letter milestone was reached at 1 signature."
    assert describe(unknown) == "Cahier made a change (someday.new_thing)."


def test_a_sentence_follows_the_readers_locale(ctx):
    campaign = CampaignFactory()
    entry = record(UserFactory(display_name="Alice"), "signatures.offline_added", "campaign",
                   campaign.id, {"count": 1500})  # fmt: skip
    with force_locale("fr"):
        french = describe(entry)
    # Babel groups French thousands with a narrow no-break space whatever the catalogue says.
    assert "1\u202f500" in french
