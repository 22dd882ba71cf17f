from __future__ import annotations

import pytest
from flask_babel import force_locale
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    InternalServerError,
    NotFound,
    ServiceUnavailable,
    TooManyRequests,
)

from organizer.core.errors import _render

PAGES = {
    BadRequest: ("Bad request", "Requête incorrecte"),
    Forbidden: ("Not allowed", "Non autorisé"),
    NotFound: ("Page not found", "Page introuvable"),
    TooManyRequests: ("Too many attempts", "Trop de tentatives"),
    InternalServerError: ("Something went wrong", "Une erreur est survenue"),
    ServiceUnavailable: ("Temporarily unavailable", "Momentanément indisponible"),
}


@pytest.mark.parametrize("error", list(PAGES))
@pytest.mark.parametrize("locale", ["en", "fr"])
def test_error_pages_exist_in_both_languages(app, db_session, error, locale):
    heading = PAGES[error][0 if locale == "en" else 1]
    with app.test_request_context("/"), force_locale(locale):
        body, status = _render(error())
    assert status == error.code
    assert f"<h1>{heading}</h1>" in body
    assert f'<html lang="{locale}">' in body


def test_json_clients_get_json_errors(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json()["error"] == "Not Found"


def test_the_session_cookie_is_httponly_and_samesite_lax(app, client):
    page = client.get("/account/login")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith("cahier_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert app.config["SESSION_COOKIE_SECURE"] is False  # production sets it; see test_config
