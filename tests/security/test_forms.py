"""The shared form layer keeps the ordinary cases working: optional numbers may stay empty."""

from __future__ import annotations

from organizer.campaigns.forms import CampaignForm

FILLED = {"title": "Users' terms 2026", "summary": "What users ask.", "language": "en"}


def _form(app, **fields):
    data = {**FILLED, "signature_goal": "", "documentary_runtime_minutes": "", **fields}
    with app.test_request_context("/organize/new", method="POST", data=data):
        form = CampaignForm(meta={"csrf": False})
        return form.validate(), form.errors


def test_an_empty_optional_number_is_accepted(app):
    assert _form(app) == (True, {})


def test_a_word_in_a_number_field_is_a_form_error(app):
    valid, errors = _form(app, documentary_runtime_minutes="ninety")
    assert not valid
    assert list(errors) == ["documentary_runtime_minutes"]


def test_a_number_of_400_digits_is_a_form_error(app):
    valid, errors = _form(app, signature_goal="9" * 400)
    assert not valid
    assert "18 digits" in errors["signature_goal"][0]
