from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.mail.models import OutboundEmail
from organizer.signatures import confirmation, first, signing
from organizer.signatures.canonical import parse_address
from organizer.signatures.consents import Purpose, text_version
from organizer.signatures.models import Signature, SignatureConsent, SignatureStatus
from organizer.signatures.signing import Outcome
from organizer.signatures.target import sign_target
from organizer.signatures.tokens import signature_for_manage_token

from .conftest import sign

FLAGS = {
    Purpose.PUBLIC_LIST: "show_name",
    Purpose.UPDATES: "receive_updates",
    Purpose.NAME_TO_AUTHORITIES: "name_to_authorities",
}

COMPARED = (
    "campaign_id", "revision_id", "name", "country", "postal_code", "locale", "status",
    "suspect", "suspect_reason", "confirmation_sends", "ip_hmac", "email_domain",
    "token_used_at",
)  # fmt: skip


def _signer(email, honeypot="", consents=frozenset({Purpose.PUBLIC_LIST})):
    return signing.Signer(
        name="Ada Lovelace",
        address=parse_address(email),
        country="GB",
        postal_code="NW1",
        consents=frozenset(consents),
        locale="en",
        ip="192.0.2.1",
        honeypot=honeypot,
    )


def _sign_first(campaign, email, honeypot="", **consents):
    target = sign_target(campaign.slug)
    signer = _signer(email, honeypot, **consents)
    outcome = first.sign_first(target, signer, signing.screen(target.campaign_id, signer))
    db.session.flush()
    return outcome


def _row(email):
    return db.session.scalars(
        select(Signature).where(Signature.canonical_email == parse_address(email).canonical)
    ).one()


def _consents(signature):
    rows = db.session.scalars(
        select(SignatureConsent).where(SignatureConsent.signature_id == signature.id)
    )
    return {(c.purpose, c.text_version, c.withdrawn_at) for c in rows}


@pytest.mark.parametrize("ticked", [set(), {Purpose.NAME_TO_AUTHORITIES}, set(Purpose)])
def test_both_paths_write_the_same_consent_rows(campaign, ticked):
    assert _sign_first(campaign, "fast@example.org", consents=ticked) == Outcome.CREATED
    flags = {name: purpose in ticked for purpose, name in FLAGS.items()}
    _outcome, slow = sign(campaign, "slow@example.org", **flags)
    fast = _row("fast@example.org")
    assert _consents(fast) == _consents(slow)
    assert {p for p, _v, _w in _consents(fast)} == ticked
    given_at = db.session.scalars(
        select(SignatureConsent.given_at).where(SignatureConsent.signature_id == fast.id)
    ).all()
    assert all(at == fast.created_at for at in given_at)


def test_a_first_signature_is_the_row_and_email_the_full_path_writes(campaign):
    assert _sign_first(campaign, "fast@example.org") == Outcome.CREATED
    _outcome, slow = sign(campaign, "slow@example.org", postal_code="NW1", show_name=True)
    fast = _row("fast@example.org")
    assert {k: getattr(fast, k) for k in COMPARED} == {k: getattr(slow, k) for k in COMPARED}
    assert (
        _consents(fast)
        == _consents(slow)
        == {(Purpose.PUBLIC_LIST, text_version(Purpose.PUBLIC_LIST), None)}
    )
    assert fast.status == SignatureStatus.PENDING and fast.token_expires_at is not None
    assert fast.created_at is not None and fast.created_at.tzinfo is not None

    confirmations = select(OutboundEmail).where(OutboundEmail.kind == "signature_confirm")
    emails = {e.to_addr: e for e in db.session.scalars(confirmations)}
    fast_mail, slow_mail = emails["fast@example.org"], emails["slow@example.org"]
    assert fast_mail.subject == slow_mail.subject
    assert (fast_mail.related_type, fast_mail.related_id) == ("signature", fast.id)
    # The manage link names this signature, and the confirmation link confirms it.
    manage = re.search(r"/s/manage/(\S+)", fast_mail.text_body).group(1)
    assert signature_for_manage_token(manage) == fast
    token = re.search(r"/s/confirm/(\S+)", fast_mail.text_body).group(1)
    assert confirmation.confirm(token) == fast
    assert fast.status == SignatureStatus.CONFIRMED


def test_an_address_that_signed_before_writes_nothing_on_the_fast_path(campaign):
    sign(campaign, "jane.doe@gmail.com")
    before = db.session.scalars(select(OutboundEmail)).all()
    assert _sign_first(campaign, "Jane.Doe+again@googlemail.com") is None
    assert db.session.scalars(select(OutboundEmail)).all() == before
    assert len(db.session.scalars(select(Signature)).all()) == 1


def test_a_suspect_first_signature_is_kept_and_mailed_nothing(campaign):
    assert _sign_first(campaign, "bot@example.org", honeypot="http://spam") == Outcome.SUSPECT
    row = _row("bot@example.org")
    assert row.suspect and row.suspect_reason == "honeypot" and row.token_hash is None
    assert row.confirmation_sends == 0
    assert db.session.scalars(select(OutboundEmail)).all() == []


def _statements_of(app, client, form):
    """The SQL one sign POST runs, and its answer."""
    from sqlalchemy import event

    from .conftest import ORIGIN

    statements = []
    with app.app_context():
        engine = db.session.get_bind().engine

    def record(_conn, _cursor, statement, *_args):
        # The test's savepoints are numbered as they come: only their kind matters.
        statements.append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", " ".join(statement.split())))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.post("/c/oracle/sign", data=form, headers=ORIGIN)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


def test_an_address_on_file_costs_the_request_no_more_than_a_new_one(app, client):
    """Not timed: the request for an address on file runs the new address's statements
    but the two that write its email and consents, and reads nothing about the signature
    on file (the worker does that), so its timing tells no stranger who has signed."""
    from tests.factories import UserFactory

    from .conftest import make_campaign, setup

    with setup(app):
        make_campaign(UserFactory(), slug="oracle")
    form = {"name": "Ada", "country": "GB", "show_name": "y"}
    _statements_of(app, client, {**form, "email": "warm@example.org"})  # caches filled
    new, new_page = _statements_of(app, client, {**form, "email": "ada@example.org"})
    on_file, on_file_page = _statements_of(app, client, {**form, "email": "ada@example.org"})

    assert on_file_page == new_page
    writes = [
        s for s in new if s.startswith(("INSERT INTO signature_consent", "INSERT INTO outbound"))
    ]
    assert len(writes) == 2
    # In their place, one row hands the attempt to a worker (and to the sweeper if lost).
    handed = [s for s in on_file if s.startswith("INSERT INTO sign_again_request")]
    assert len(handed) == 1
    assert [s for s in on_file if s not in handed] == [s for s in new if s not in writes]
    assert not any(s.startswith("SELECT") and "FROM signature " in s for s in on_file)
    with app.app_context():
        [signature] = db.session.scalars(
            select(Signature).where(Signature.email == "ada@example.org")
        ).all()
        assert signature.confirmation_sends == 1
        mails = db.session.scalars(
            select(OutboundEmail).where(OutboundEmail.to_addr == "ada@example.org")
        )
        assert len(mails.all()) == 1


@pytest.mark.integration
def test_signing_twice_through_the_form_resends_from_the_worker(
    app, services, committed_db, worker
):
    from tests.factories import UserFactory
    from tests.support.services import wait_for

    from .conftest import ORIGIN, make_campaign, setup

    with setup(app):
        make_campaign(UserFactory(), slug="twice")
    form = {"name": "Ada", "email": "ada.l@gmail.com", "country": "GB"}
    pages = []
    for email in ("ada.l@gmail.com", "adal+again@gmail.com"):
        response = app.test_client().post(
            "/c/twice/sign", data={**form, "email": email}, headers=ORIGIN
        )
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True).replace(email, "ADDRESS"))
    assert pages[0] == pages[1] and "Check your email" in pages[0]

    # The link goes again to the address first given, never to a new variant of it.
    wait_for(lambda: len(services.smtp.messages_to("ada.l@gmail.com")) == 2, what="the re-send")
    assert services.smtp.messages_to("adal+again@gmail.com") == []
    links = [
        re.search(r"/s/confirm/(\S+)", m.get_body(("plain",)).get_content()).group(1)
        for m in services.smtp.messages_to("ada.l@gmail.com")
    ]
    with app.app_context():
        [signature] = db.session.scalars(select(Signature)).all()
        assert signature.confirmation_sends == 2
        # The re-sent link replaced the first one.
        assert confirmation.confirm(links[0]) is None
        assert confirmation.confirm(links[1]) == signature
        db.session.commit()


@pytest.mark.integration
def test_signing_again_once_confirmed_says_so_by_email(app, services, committed_db, worker):
    from tests.factories import UserFactory
    from tests.support.services import wait_for

    from .conftest import ORIGIN, confirm_now, make_campaign, setup

    with setup(app):
        make_campaign(UserFactory(), slug="again")
        signature = _row_after_signing("again", "grace@example.org")
        confirm_now(signature)
    form = {"name": "Grace", "email": "grace@example.org", "country": "GB"}
    response = app.test_client().post("/c/again/sign", data=form, headers=ORIGIN)
    assert response.status_code == 200 and "Check your email" in response.get_data(as_text=True)
    [message] = wait_for(lambda: services.smtp.messages_to("grace@example.org"), what="a note")
    with app.app_context():
        kinds = db.session.scalars(
            select(OutboundEmail.kind).where(OutboundEmail.to_addr == "grace@example.org")
        ).all()
    assert kinds == ["signature_already"]
    assert message["Subject"]


def _row_after_signing(slug, email):
    target = sign_target(slug)
    signer = _signer(email)
    assert first.sign_first(target, signer, signing.screen(target.campaign_id, signer))
    db.session.flush()
    row = _row(email)
    # Its confirmation is not the subject here: only what signing again sends.
    db.session.execute(OutboundEmail.__table__.delete())
    return row


def test_the_fast_path_writes_the_consent_rows_on_sqlite_too(make_app, tmp_path):
    from tests.factories import UserFactory

    from .conftest import make_campaign

    lite = make_app({"TESTING": True}, DATABASE_URL=f"sqlite:///{tmp_path / 'first.db'}")
    with lite.app_context(), lite.test_request_context():
        assert db.session.get_bind().dialect.name == "sqlite"
        db.create_all()
        campaign = make_campaign(UserFactory(), slug="lite")
        db.session.commit()
        ticked = {Purpose.UPDATES, Purpose.NAME_TO_AUTHORITIES}
        assert _sign_first(campaign, "lite@example.org", consents=ticked) == Outcome.CREATED
        assert {p for p, _v, _w in _consents(_row("lite@example.org"))} == ticked
        db.session.rollback()
        db.session.remove()
