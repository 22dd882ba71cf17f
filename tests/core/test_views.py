from __future__ import annotations

import pytest


def test_healthz_reports_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/", "/account/login", "/account/register", "/no-such-page"])
def test_every_html_response_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["Permissions-Policy"] == "camera=(), microphone=(), geolocation=()"
    names = [name.lower() for name, _value in response.headers]
    assert len(names) == len(set(names)), names


def test_a_header_the_view_set_is_kept_and_sent_once(client):
    listing = client.get("/events")
    assert listing.headers.getlist("Permissions-Policy") == [
        "camera=(), microphone=(), geolocation=(self)"
    ]


def test_a_plain_function_is_its_own_sync_form_and_a_coroutine_is_not(app):
    def view() -> str:
        return "ok"

    async def coroutine_view() -> str:
        return "ok"

    assert app.ensure_sync(view) is view
    assert app.ensure_sync(view) is view  # kept, and still the function itself
    # Flask's own answer for a coroutine (it needs the async extra, which Cahier has not).
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(coroutine_view)


def test_an_anonymous_reader_gets_no_cookie(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_the_home_page_loads_nothing_from_another_host(client):
    html = client.get("/").get_data(as_text=True)
    assert 'src="http' not in html
    assert 'href="//' not in html
    assert "/static/css/cahier.css" in html


def test_a_post_without_csrf_token_gets_400(client):
    response = client.post(
        "/account/login", data={"email": "a@example.org", "password": "whatever it is"}
    )
    assert response.status_code == 400
    assert "Reload the page" in response.get_data(as_text=True)


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/nowhere", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_language_switch_sets_a_cookie_and_answers_in_french(client):
    response = client.post(
        "/language",
        data={"lang": "fr", "next": "/account/login"},
        headers={"Origin": "http://localhost"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert "cahier_lang=fr" in response.headers["Set-Cookie"]
    page = client.get("/account/login").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Se connecter" in page


def test_language_switch_refuses_a_cross_site_post(client):
    response = client.post(
        "/language",
        data={"lang": "fr"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403


def test_language_switch_refuses_a_post_that_names_no_origin(client):
    response = client.post("/language", data={"lang": "fr"})
    assert response.status_code == 400


def test_language_switch_never_redirects_off_site(client):
    response = client.post(
        "/language",
        data={"lang": "fr", "next": "//evil.example/"},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert response.headers["Location"] == "/"
