"""The OpenAPI document and its documentation page, both public and built from the routes;
the page is rendered on the server from the document, with nothing from another host."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, render_template
from flask.typing import ResponseReturnValue

from organizer.api import openapi
from organizer.api.blueprint import bp as api_bp
from organizer.api.paging import MAX_PER_PAGE

bp = Blueprint("api_docs", __name__)


def document(app: Flask) -> dict[str, Any]:
    # Built on first use, once every blueprint (the write helpers' too) has its routes.
    cached: dict[str, Any] | None = app.extensions.get("api_openapi")
    if cached is None:
        cached = openapi.build(app)
        app.extensions["api_openapi"] = cached
    return cached


@api_bp.get("/openapi.json", strict_slashes=False)
def openapi_json() -> ResponseReturnValue:
    return jsonify(document(current_app._get_current_object()))  # type: ignore[attr-defined]


@bp.get("/api/docs", strict_slashes=False, endpoint="page")
def page() -> ResponseReturnValue:
    spec = document(current_app._get_current_object())  # type: ignore[attr-defined]
    return render_template("api/docs.html", spec=spec, operations=_operations(spec),
                           max_per_page=MAX_PER_PAGE)  # fmt: skip


def _operations(spec: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The operations grouped by their tag, in path order."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            entry = {"path": path, "method": method.upper(), **operation}
            grouped.setdefault(operation["tags"][0], []).append(entry)
    return grouped
