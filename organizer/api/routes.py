"""Puts the API on the app: every module that adds routes to the blueprint is imported
before the blueprint is registered (Flask refuses routes added after)."""

from __future__ import annotations

import importlib

from flask import Flask

# Modules that add routes to organizer.api.blueprint.bp. The write helpers and the
# webhooks page add theirs here.
ROUTE_MODULES = ("read_views", "docs_views", "write_views")


def register(app: Flask) -> None:
    from organizer.api import docs_views, token_views
    from organizer.api.blueprint import bp

    for name in ROUTE_MODULES:
        _import(f"organizer.api.{name}")
    app.register_blueprint(bp)
    app.register_blueprint(docs_views.bp)
    app.register_blueprint(token_views.bp)


def _import(module: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as error:
        # Only the module itself may be missing (not yet written); a missing import inside
        # it is a real error.
        if error.name != module:
            raise
