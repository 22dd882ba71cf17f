"""The directory: `flask import-regulators` is idempotent, reports, and names bad lines."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from organizer.extensions import db
from organizer.letters import directory
from organizer.letters.models import BodyKind, Regulator
from tests.factories import UserFactory

HEADER = "slug,name,acronym,kind,jurisdiction,topics,website,languages\n"


def test_importing_the_fixture_twice_changes_nothing_the_second_time(ctx):
    first = directory.import_bundled()
    assert len(first.created) == 21 and not first.errors
    second = directory.import_bundled()
    assert second.created == [] and second.updated == []
    assert len(second.unchanged) == 21
    dpc = directory.get("ie-dpc")
    assert dpc.jurisdictions == ["EU"] and dpc.topics == ["privacy"]
    assert dpc.languages == ["en", "ga"] and dpc.contact_email is None
    assert directory.get("us-senate-commerce").kind == BodyKind.LEGISLATURE


def test_malformed_rows_are_rejected_by_line_and_the_others_imported(ctx):
    text = (
        HEADER
        + "xx-good,Good Body,,regulator,FR,privacy,https://good.example,fr\n"
        + "Bad Slug,Bad,,regulator,FR,privacy,,fr\n"
        + "xx-kind,Kind,,ministry,FR,privacy,,fr\n"
        + "xx-place,Place,,regulator,ZZ,privacy,,fr\n"
        + "xx-topic,Topic,,regulator,FR,weather,,fr\n"
        + "xx-good,Again,,regulator,FR,privacy,,fr\n"
        + "xx-extra,Extra,,regulator,FR,privacy,,fr,surplus\n"
    )
    report = directory.import_csv(text)
    assert report.created == ["xx-good"]
    assert [line for line, _ in report.errors] == [3, 4, 5, 6, 7, 8]
    messages = dict(report.errors)
    assert "ministry" in messages[4]
    assert "ZZ" in messages[5]
    assert "weather" in messages[6]
    assert "twice" in messages[7]


def test_a_changed_row_is_updated_and_an_admins_contact_email_survives(ctx):
    directory.import_csv(HEADER + "xx-body,Body,,regulator,FR,privacy,,fr\n")
    body = directory.get("xx-body")
    body.contact_email = "letters@body.example"
    report = directory.import_csv(HEADER + "xx-body,Body,B,regulator,FR;DE,privacy,,fr\n")
    assert report.updated == ["xx-body"]
    assert body.acronym == "B" and body.jurisdictions == ["DE", "FR"]
    assert body.contact_email == "letters@body.example"


def test_a_file_without_the_columns_is_refused_on_line_one(ctx):
    report = directory.import_csv("slug,name\nx,y\n")
    assert report.errors and report.errors[0][0] == 1
    assert db.session.scalar(select(Regulator).limit(1)) is None


def test_the_command_reports_changes_and_fails_on_bad_rows(app, db_session, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["import-regulators"])
    assert result.exit_code == 0, result.output
    assert "21 created" in result.output
    again = runner.invoke(args=["import-regulators"])
    assert "21 unchanged" in again.output and "created" not in again.output
    bad = tmp_path / "bodies.csv"
    bad.write_text(HEADER + "xx-ok,OK,,regulator,FR,privacy,,fr\nxx-bad,,,regulator,FR,,,\n")
    result = runner.invoke(args=["import-regulators", str(bad)])
    assert result.exit_code == 1
    assert "1 created: xx-ok" in result.output
    assert "line 3:" in result.output


def test_make_admin_sets_the_flag(app, db_session):
    with app.app_context():
        user = UserFactory(email="ada@example.org")
        db.session.commit()
        user_id = user.id
    runner = app.test_cli_runner()
    assert runner.invoke(args=["make-admin", "ADA@example.org"]).exit_code == 0
    with app.app_context():
        assert db.session.get(type(user), user_id).is_admin
    missing = runner.invoke(args=["make-admin", "nobody@example.org"])
    assert missing.exit_code == 1 and "No account" in missing.output


@pytest.mark.parametrize(
    ("field", "value"),
    [("contact_email", "not an address"), ("website", "ftp://x"), ("languages", "xx")],
)
def test_admin_details_are_validated(ctx, field, value):
    raw = {"slug": "xx-a", "name": "A", "kind": "regulator", "jurisdiction": "FR",
           "topics": "privacy", field: value}  # fmt: skip
    with pytest.raises(directory.DirectoryError):
        directory.parse_details(raw)
