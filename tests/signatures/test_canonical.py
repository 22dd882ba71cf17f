from __future__ import annotations

import pytest

from organizer.signatures.canonical import EmailRefused, canonical_email, parse_address


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("jane.doe@gmail.com", "janedoe@gmail.com"),
        ("j.a.n.e.doe+petition@gmail.com", "janedoe@gmail.com"),
        ("Jane.Doe+x+y@GoogleMail.com", "janedoe@gmail.com"),
        ("JANEDOE@GMAIL.COM", "janedoe@gmail.com"),
        ("jane.doe+news@outlook.com", "jane.doe@outlook.com"),
        ("jane.doe+news@icloud.com", "jane.doe@icloud.com"),
        ("Jane.Doe@Example.ORG", "jane.doe@example.org"),
        # Unknown providers may route +tags to different people: kept.
        ("jane+team@example.org", "jane+team@example.org"),
        ("first.last@yahoo.com", "first.last@yahoo.com"),
    ],
)
def test_canonical_forms(typed, canonical):
    assert canonical_email(typed) == canonical


def test_gmail_variants_collapse_to_one_mailbox():
    variants = ["janedoe@gmail.com", "Jane.Doe@gmail.com", "j.anedoe+2018@googlemail.com"]
    assert {canonical_email(v) for v in variants} == {"janedoe@gmail.com"}


def test_parse_keeps_where_mail_goes_and_the_canonical_form(ctx):
    address = parse_address("  Jane.Doe+Strike@GoogleMail.com ")
    assert address.email == "Jane.Doe+Strike@googlemail.com"
    assert address.canonical == "janedoe@gmail.com"
    assert address.domain == "gmail.com"


@pytest.mark.parametrize("email", ["someone@mailinator.com", "x@sub.mailinator.com"])
def test_disposable_domains_are_refused_with_a_clear_message(ctx, email):
    with pytest.raises(EmailRefused) as refused:
        parse_address(email)
    assert "disposable" in str(refused.value)
    assert "mailinator.com" in str(refused.value)


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@@example.org", ""])
def test_invalid_addresses_are_refused(ctx, email):
    with pytest.raises(EmailRefused, match="valid email"):
        parse_address(email)
