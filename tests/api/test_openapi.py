"""The OpenAPI document: generated from the routes and the models that serialize them, it
covers every route, real responses conform to it, and its page loads nothing from elsewhere."""

from __future__ import annotations

import re

import jsonschema_rs

from organizer.api.blueprint import PREFIX
from organizer.api.openapi import doc_of
from tests.api.conftest import api_get, make_token


def _document(client):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_every_api_route_is_in_the_document(app, client, db_session):
    document = _document(client)
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["OSDI-API-Token"]["in"] == "header"
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(PREFIX) and rule.endpoint != "api.openapi_json":
            assert doc_of(app.view_functions[rule.endpoint]) is not None, rule.rule
            path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule.removeprefix(PREFIX))
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                routes.add((path or "/", method.lower()))
    documented = {(path, method) for path, ops in document["paths"].items() for method in ops}
    assert documented == routes
    assert ("/people", "get") in documented and ("/messages/{message_id}", "get") in documented


def test_every_reference_resolves(client, db_session):
    document = _document(client)
    text = str(document)
    names = set(re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text))
    assert names <= set(document["components"]["schemas"])


def _validator(document, name):
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return jsonschema_rs.Draft202012Validator(schema)


def _schema_of(document, path, status="200"):
    content = document["paths"][path]["get"]["responses"][status]["content"]
    (media,) = content.values()
    return media["schema"]["$ref"].rsplit("/", 1)[1]


def test_real_responses_conform_to_the_document(app, client, world):
    document = _document(client)
    token = make_token(app, world.group_id, "write")
    concrete = {
        "/": "/", "/people": "/people", "/people/{person_id}": f"/people/{world.signers[0]}",
        "/people/{person_id}/signatures": f"/people/{world.signers[0]}/signatures",
        "/people/{person_id}/attendances": f"/people/{world.signers[0]}/attendances",
        "/tags": "/tags", "/tags/{tag_id}": f"/tags/{world.tag}",
        "/tags/{tag_id}/taggings": f"/tags/{world.tag}/taggings",
        "/petitions": "/petitions", "/petitions/{petition_id}": f"/petitions/{world.petition}",
        "/petitions/{petition_id}/signatures": f"/petitions/{world.petition}/signatures",
        "/petitions/{petition_id}/signatures/{signature_id}":
            f"/petitions/{world.petition}/signatures/{world.signatures[0]}",
        "/events": "/events", "/events/{event_id}": f"/events/{world.event}",
        "/events/{event_id}/attendances": f"/events/{world.event}/attendances",
        "/events/{event_id}/attendances/{attendance_id}":
            f"/events/{world.event}/attendances/{world.attendances[0]}",
        "/messages": "/messages", "/messages/{message_id}": f"/messages/{world.message}",
    }  # fmt: skip
    for template, path in concrete.items():
        response = api_get(client, path, token)
        assert response.status_code == 200, path
        errors = list(_validator(document, _schema_of(document, template)).iter_errors(
            response.get_json(force=True)))  # fmt: skip
        assert errors == [], (path, [e.message for e in errors])
    missing = api_get(client, f"/people/{world.other_group_person}", token)
    assert missing.status_code == 404
    assert _validator(document, "Error").is_valid(missing.get_json())


def test_the_docs_page_is_ours_only(app, client, db_session):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "GET /api/v2/people" in html and "PeoplePage" in html
    assert 'href="/api/v2/openapi.json"' in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert url.startswith(("/", "#")), url
    assert client.get("/api/docs/").status_code == 200
