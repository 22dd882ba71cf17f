"""The OpenAPI 3.1 document, generated from the routes themselves: each view says what it
answers with ``@documented``, in the pydantic models that also serialize its responses."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Flask
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from organizer.api.blueprint import HAL_JSON, PREFIX
from organizer.api.models import ApiScope
from organizer.api.schemas import Error

F = TypeVar("F", bound=Callable[..., Any])
DOC_ATTRIBUTE = "__api_doc__"
REF = "#/components/schemas/{model}"
ERRORS = {
    "400": "The request is malformed; the message says how.",
    "401": "No valid token in the OSDI-API-Token header.",
    "403": "The token lacks the scope this needs.",
    "404": "Nothing of this group has this id.",
    "429": "Too many requests for this token; see Retry-After.",
}


@dataclass(frozen=True)
class Doc:
    summary: str
    response: type[BaseModel] | None
    scope: ApiScope
    request: type[BaseModel] | None = None
    status: int = 200
    paged: bool = False
    filtered: bool = False
    description: str = ""
    tag: str = ""
    query: dict[str, str] = field(default_factory=dict)  # extra query parameters: name -> help
    errors: dict[str, str] = field(default_factory=dict)  # more error statuses: code -> help


def documented(
    summary: str,
    response: type[BaseModel] | None,
    scope: ApiScope = ApiScope.READ,
    request: type[BaseModel] | None = None,
    **options: Any,
) -> Callable[[F], F]:
    doc = Doc(summary=summary, response=response, scope=scope, request=request, **options)

    def decorate(view: F) -> F:
        setattr(view, DOC_ATTRIBUTE, doc)
        return view

    return decorate


def doc_of(view: Callable[..., Any]) -> Doc | None:
    found: Doc | None = getattr(view, DOC_ATTRIBUTE, None)
    return found


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _parameters(rule: str, doc: Doc) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)
    ]
    if doc.paged:
        params += [
            {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            # Not "maximum": a larger ask is answered with 25, as by Action Network.
            {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1},
             "description": "At most 25; a larger number gets pages of 25."},
        ]  # fmt: skip
    if doc.filtered:
        params.append({
            "name": "filter", "in": "query", "schema": {"type": "string"},
            "description": "OData subset: modified_date or created_date, gt|lt|eq, a quoted "
                           "date or time, clauses joined by `and`.",
        })  # fmt: skip
    for name, help_text in doc.query.items():
        params.append({"name": name, "in": "query", "schema": {"type": "string"},
                       "description": help_text})  # fmt: skip
    return params


def _operation(rule: str, method: str, endpoint: str, doc: Doc) -> dict[str, Any]:
    ok: dict[str, Any] = {"description": doc.summary}
    if doc.response is not None:
        ok["content"] = {HAL_JSON: {"schema": {"$ref": REF.format(model=doc.response.__name__)}}}
    error = {"application/json": {"schema": {"$ref": REF.format(model="Error")}}}
    responses = {str(doc.status): ok} | {
        code: {"description": text, "content": error}
        for code, text in (ERRORS | doc.errors).items()
    }
    operation: dict[str, Any] = {
        "operationId": f"{endpoint.removeprefix('api.')}_{method.lower()}",
        "summary": doc.summary,
        "tags": [doc.tag or rule.strip("/").split("/")[0] or "entry point"],
        "parameters": _parameters(rule, doc),
        "responses": responses,
        "security": [{"OSDI-API-Token": []}],
        "x-scope": doc.scope.value,
    }
    if doc.description:
        operation["description"] = doc.description
    if doc.request is not None:
        body = {"schema": {"$ref": REF.format(model=doc.request.__name__)}}
        operation["requestBody"] = {"required": True, "content": {"application/json": body}}
    return operation


def build(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    models: dict[type[BaseModel], str] = {Error: "serialization"}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        doc = doc_of(app.view_functions[rule.endpoint])
        if doc is None or not rule.rule.startswith(PREFIX):
            continue
        route = rule.rule.removeprefix(PREFIX) or "/"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            operation = _operation(route, method, rule.endpoint, doc)
            paths.setdefault(_path(route), {})[method.lower()] = operation
        if doc.response is not None:
            models[doc.response] = "serialization"
        if doc.request is not None:
            # Requests are described as they are read, responses as they are written.
            models[doc.request] = "validation"
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Cahier API (Action Network v2 / OSDI)",
            "version": "2",
            "description": "HAL+JSON, compatible with Action Network's API v2 and Parsons.",
        },
        "servers": [{"url": PREFIX}],
        "paths": paths,
        "components": {
            "schemas": _schemas(models),
            "securitySchemes": {
                "OSDI-API-Token": {"type": "apiKey", "in": "header", "name": "OSDI-API-Token"}
            },
        },
    }


def _schemas(models: dict[type[BaseModel], str]) -> dict[str, Any]:
    pairs = list(models.items())
    _keys, document = models_json_schema(pairs, ref_template=REF)  # type: ignore[arg-type]
    defs: dict[str, Any] = document.get("$defs", {})
    return defs
