"""The sign form's country select: rendered from a cache, exactly as WTForms renders it."""

from __future__ import annotations

import pytest
from flask_babel import force_locale
from wtforms.widgets import Select

from organizer.signatures.forms import SignerDetailsForm


@pytest.mark.parametrize("locale", ["en", "fr"])
@pytest.mark.parametrize("chosen", [None, "", "FR", "ZZ", '"><script>'])
def test_the_cached_select_is_what_wtforms_renders(app, locale, chosen):
    with app.test_request_context(), force_locale(locale):
        form = SignerDetailsForm(data={"country": chosen})
        cached = form.country(autocomplete="country")
        plain = Select()(form.country, autocomplete="country")
        assert str(cached) == str(plain)
        assert cached.count("<option") > 240
        assert ('selected value="FR"' in cached) == (chosen == "FR")
        if chosen and chosen.startswith('"'):
            assert "<script>" not in cached
