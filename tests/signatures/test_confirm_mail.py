from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from organizer.signatures import confirm_mail
from organizer.signatures.target import sign_target

NAMES = ["Ada Lovelace", "<b>Bob</b> & \"Carol\" 'Dan'", "Zoë Ŝmith-Łukasiewicz", "  two  spaces "]
URL = "https://cahier.example/s/confirm/AbC-_123"
MANAGE = "https://cahier.example/s/manage/eyJ.x-y_z?a=1&b=2"


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("name", NAMES)
def test_the_cached_email_is_what_the_templates_render(campaign, locale, name):
    target = sign_target(campaign.slug)
    expected = confirm_mail.render(target, locale, name, URL, MANAGE)
    assert confirm_mail.confirmation_email(target, locale, name, URL, MANAGE) == expected
    # Twice: the second comes from the cache.
    assert confirm_mail.confirmation_email(target, locale, name, URL, MANAGE) == expected
    assert name in expected.text


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.text(min_size=1, max_size=60).filter(lambda s: s.strip() and "cahier-marker" not in s)
)
def test_any_name_renders_the_same_from_the_cache(campaign, name):
    target = sign_target(campaign.slug)
    cached = confirm_mail.confirmation_email(target, "en", name, URL, MANAGE)
    assert cached == confirm_mail.render(target, "en", name, URL, MANAGE)
