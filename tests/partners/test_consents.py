"""The coalition consent through the real sign and confirm paths: each partner's supporter
list (and its export) holds exactly the signers who ticked its line, the public count is
the sum of its breakdown, and leaving keeps the consents already given."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.partners import services
from organizer.signatures import consents
from organizer.signatures.models import Signature, SignatureConsent
from organizer.supporters.models import ConsentEvent, Supporter, SupporterStatus
from tests.factories import PASSWORD

from .conftest import (
    SLUG,
    confirm_link,
    fold,
    group_by_slug,
    login,
    owner_of,
    partner,
    setup,
    sign_and_confirm,
)

# Who ticks which partner's line (alpha, beta), and the source code they came with.
SIGNERS = {
    "ana@example.org": (("alpha",), "partner-alpha"),
    "ben@example.org": (("beta",), "partner-beta"),
    "cy@example.org": (("alpha", "beta"), None),
    "dee@example.org": ((), "partner-alpha"),
    "eve@example.org": ((), None),
}


def _ids(world, names):
    return [{"alpha": world.alpha, "beta": world.beta}[n] for n in names]


def _list_of(app, slug):
    with app.app_context():
        group = group_by_slug(slug)
        return {
            s.email: s.status
            for s in db.session.scalars(select(Supporter).where(Supporter.group_id == group.id))
        }


@pytest.fixture
def signed(app, coalition):
    client = app.test_client()
    for email, (ticks, source) in SIGNERS.items():
        sign_and_confirm(app, client, email, _ids(coalition, ticks), source)
    fold(app)
    return coalition


def test_each_partners_list_holds_only_those_who_ticked_its_line(app, signed):
    assert _list_of(app, "alpha") == {
        "ana@example.org": SupporterStatus.SUBSCRIBED,
        "cy@example.org": SupporterStatus.SUBSCRIBED,
    }
    assert _list_of(app, "beta") == {
        "ben@example.org": SupporterStatus.SUBSCRIBED,
        "cy@example.org": SupporterStatus.SUBSCRIBED,
    }
    # The outsider gets nobody; the campaign's own group gets everyone, as before.
    assert _list_of(app, "gamma") == {}
    assert set(_list_of(app, "hosts")) == set(SIGNERS)


def test_partner_a_export_holds_only_those_who_ticked_a(app, signed):
    client = app.test_client()
    login(client, "alice@example.org")
    response = client.get("/organize/groups/alpha/supporters.csv")
    assert response.status_code == 200, response.status_code
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert sorted(row["email"] for row in rows) == ["ana@example.org", "cy@example.org"]


def test_the_consent_rows_carry_the_partners_wording_and_so_do_the_consent_events(app, signed):
    with app.app_context():
        cy = db.session.scalar(select(Signature).where(Signature.email == "cy@example.org"))
        rows = db.session.scalars(
            select(SignatureConsent).where(SignatureConsent.signature_id == cy.id)
        ).all()
        assert {r.purpose: r.text_version for r in rows} == {
            f"partner:{signed.alpha}": services.CONSENT_TEXT_VERSION,
            f"partner:{signed.beta}": services.CONSENT_TEXT_VERSION,
        }
        group = group_by_slug("alpha")
        [event] = db.session.scalars(
            select(ConsentEvent)
            .join(Supporter, Supporter.id == ConsentEvent.supporter_id)
            .where(Supporter.group_id == group.id, Supporter.email == "cy@example.org")
        ).all()
        assert (event.purpose, event.granted, event.source_type, event.source_id) == (
            "updates", True, "signature", cy.id,
        )  # fmt: skip
        assert event.text_version == services.CONSENT_TEXT_VERSION


def test_a_pending_signature_gives_the_partner_nobody(app, coalition):
    client = app.test_client()
    data = {"name": "Pat", "email": "pat@example.org", "country": "FR",
            "partners": [str(coalition.alpha)]}  # fmt: skip
    client.post(f"/c/{SLUG}/sign", data=data, headers={"Origin": "http://localhost"})
    assert _list_of(app, "alpha") == {}
    client.post(confirm_link(app, "pat@example.org"), headers={"Origin": "http://localhost"})
    assert set(_list_of(app, "alpha")) == {"pat@example.org"}


def test_a_forged_line_for_an_outsider_or_another_campaign_records_nothing(app, coalition):
    with setup(app):
        from tests.signatures.conftest import make_campaign

        other = make_campaign(owner_of("gamma"), slug="elsewhere", title="Elsewhere")
        foreign = services.invite(other, "beta", other.created_by)
        services.accept(foreign, owner_of("beta"))
        invited = services.invite(other, "alpha", other.created_by)  # never accepted
        forged = [str(foreign.id), str(invited.id), "999999", "x'; drop"]
    client = app.test_client()
    sign_and_confirm(app, client, "mal@example.org", [*forged, str(coalition.alpha)])
    with app.app_context():
        signature = db.session.scalar(select(Signature).where(Signature.email == "mal@example.org"))
        assert consents.standing(signature) == {f"partner:{coalition.alpha}"}
    assert set(_list_of(app, "alpha")) == {"mal@example.org"}
    assert _list_of(app, "beta") == {}


def test_the_service_refuses_a_partner_purpose_that_is_not_an_active_partner(app, coalition):
    with app.app_context():
        rows = consents.consent_rows(
            1, ["public_list", f"partner:{coalition.alpha}", "partner:999999", "partner:"],
            consents.utcnow(), coalition.campaign_id,
        )  # fmt: skip
        assert [r["purpose"] for r in rows] == ["public_list", f"partner:{coalition.alpha}"]
        # Without a campaign to check against, no partner purpose gets through.
        rows = consents.consent_rows(1, [f"partner:{coalition.alpha}"], consents.utcnow())
        assert rows == []


def test_the_count_is_the_sum_of_its_breakdown(app, signed):
    client = app.test_client()
    html = client.get(f"/c/{SLUG}").get_data(as_text=True)
    parts = _breakdown_cells(html)
    with app.app_context():
        alpha, beta = partner(signed.alpha), partner(signed.beta)
        assert parts[alpha.public_id] == 2  # ana and dee came with partner-alpha
        assert parts[beta.public_id] == 1
    assert parts["others"] == 2
    total = client.get(f"/c/{SLUG}/count.json").json["total"]
    assert total == len(SIGNERS)
    assert (
        parts["total"] == total == parts[alpha.public_id] + parts[beta.public_id] + parts["others"]
    )
    assert "Alpha Collective" in html and "Beta Union" in html and "Gamma Club" not in html


def test_paper_signatures_count_with_everyone_else(app, signed):
    from organizer.signatures import counting

    with setup(app):
        counting.add_offline(signed.campaign_id, {"FR": 10})
    parts = _breakdown_cells(app.test_client().get(f"/c/{SLUG}").get_data(as_text=True))
    assert parts["others"] == 12 and parts["total"] == len(SIGNERS) + 10


def _breakdown_cells(html):
    import re

    cells = re.findall(r'data-partner="([^"]+)">([\d,]+)<', html)
    return {key: int(value.replace(",", "")) for key, value in cells}


def test_leaving_keeps_the_consents_and_the_supporters_but_drops_the_line(app, signed):
    with setup(app):
        services.leave(partner(signed.alpha), owner_of("alpha"), by_campaign=False)
    client = app.test_client()
    page = client.get(f"/c/{SLUG}/sign").get_data(as_text=True)
    assert "Keep me informed by Alpha Collective." not in page
    assert "Keep me informed by Beta Union." in page
    assert set(_list_of(app, "alpha")) == {"ana@example.org", "cy@example.org"}
    with app.app_context():
        ana = db.session.scalar(select(Signature).where(Signature.email == "ana@example.org"))
        assert consents.has_consent(ana, f"partner:{signed.alpha}")
    # A line posted from a page cached before the partner left records nothing new.
    sign_and_confirm(app, client, "late@example.org", [signed.alpha])
    assert "late@example.org" not in _list_of(app, "alpha")
    assert "Alpha Collective" not in client.get(f"/c/{SLUG}").get_data(as_text=True)


def test_the_partnerships_page_shows_the_partners_own_totals_and_no_one_elses(app, signed):
    client = app.test_client()
    login(client, "alice@example.org")
    html = client.get("/organize/groups/alpha/partnerships").get_data(as_text=True)
    assert "2</strong> confirmed signatures with your code" in html
    assert "2</strong> confirmed signers asked you to keep them informed" in html
    assert "0</strong> signatures with your code waiting for confirmation" in html
    assert "partner-alpha" in html and "partner-beta" not in html
    for email in SIGNERS:
        assert email not in html
    assert PASSWORD  # the login above used the factories' password


def _sign(campaign, email, purposes):
    from organizer.campaigns import revisions
    from organizer.signatures import signing
    from organizer.signatures.canonical import parse_address

    signer = signing.Signer(name="Ria", address=parse_address(email), country="FR",
                            postal_code=None, locale="en", consents=frozenset(purposes),
                            ip="192.0.2.50")  # fmt: skip
    return signing.sign(campaign, revisions.published_revision(campaign), signer)


def test_signing_again_after_withdrawing_sets_the_active_partners_lines_as_ticked(app, coalition):
    from organizer.signatures import confirmation

    from .conftest import campaign_by_slug

    alpha, beta = f"partner:{coalition.alpha}", f"partner:{coalition.beta}"
    with app.app_context():
        campaign = campaign_by_slug(SLUG)
        _outcome, signature = _sign(campaign, "ria@example.org", [alpha, beta])
        assert consents.standing(signature) == {alpha, beta}
        services.leave(partner(coalition.beta), owner_of("beta"), by_campaign=False)
        confirmation.withdraw(signature)
        _sign(campaign, "ria@example.org", [])
        # Alpha's line was shown and left unticked; beta has left: its consent stays.
        assert consents.standing(signature) == {beta}
        confirmation.withdraw(signature)
        _sign(campaign, "ria@example.org", [alpha])
        assert consents.standing(signature) == {alpha, beta}
