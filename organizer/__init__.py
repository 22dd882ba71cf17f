"""Cahier: collective-action campaign organizer."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import FunctionType
from typing import Any

from flask import Flask

from organizer.config import load_config

ROOT = Path(__file__).resolve().parent.parent


class Cahier(Flask):
    """Flask, keeping one answer it would otherwise work out again on every request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._synced: dict[FunctionType, Any] = {}

    def ensure_sync(self, func: Any) -> Any:
        # Flask asks inspect whether each hook and the view are coroutines, on every request:
        # 19 times for an API page, 4 % of its CPU. A plain function's answer cannot change.
        if type(func) is not FunctionType:
            return super().ensure_sync(func)
        if func not in self._synced:
            self._synced[func] = super().ensure_sync(func)
        return self._synced[func]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, then apply ``config`` overrides (tests use them)."""
    app = Cahier(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=os.environ.get("CAHIER_INSTANCE_PATH", str(ROOT / "instance")),
    )
    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    _resolve_redis(app)

    register_observability(app)
    register_extensions(app)
    register_celery(app)
    register_security(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    return app


def _resolve_redis(app: Flask) -> None:
    from organizer.embedded_redis import for_limits, start_embedded_redis

    if not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = start_embedded_redis(app.instance_path)
    app.config.setdefault("RATELIMIT_STORAGE_URI", for_limits(app.config["REDIS_URL"]))
    # A rate limit must never turn a Redis outage into failed requests.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)


def register_observability(app: Flask) -> None:
    from organizer.ops.logs import configure_logging, init_request_ids
    from organizer.ops.metrics import init_metrics

    configure_logging(app.config["LOG_FORMAT"] == "json", app.config["LOG_LEVEL"])
    init_request_ids(app)
    init_metrics(app)


def register_extensions(app: Flask) -> None:
    from organizer import models  # noqa: F401  (every table known to metadata and Alembic)
    from organizer.accounts.sessions import init_login
    from organizer.extensions import babel, csrf, db, limiter, migrate
    from organizer.i18n import init_template_context, select_locale
    from organizer.mail import suppression  # noqa: F401  (its events keep Supporter.suppressed)

    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        from organizer.sqlite import tune_sqlite

        with app.app_context():
            tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    limiter.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    init_login(app)
    init_template_context(app)


def register_celery(app: Flask) -> None:
    from workers.factory import celery_init_app

    celery_init_app(app)


def register_security(app: Flask) -> None:
    from organizer.security import init_security

    init_security(app)


def register_blueprints(app: Flask) -> None:
    from organizer.accounts.twofactor_views import bp as two_factor_bp
    from organizer.accounts.views import bp as accounts_bp
    from organizer.campaigns import amendment_views, dashboard_views, editor_views, team_views
    from organizer.campaigns import views as campaign_views
    from organizer.core.views import bp as core_bp

    app.register_blueprint(core_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(two_factor_bp)
    for campaign_bp in (campaign_views, editor_views, team_views, amendment_views,
                        dashboard_views):  # fmt: skip
        app.register_blueprint(campaign_bp.bp)
    from organizer.privacy import views as privacy_views
    from organizer.signatures import manage_views, moderation_views
    from organizer.signatures import views as signature_views

    for signature_bp in (signature_views, manage_views, moderation_views, privacy_views):
        app.register_blueprint(signature_bp.bp)
    from organizer.events import host_views, organizer_views
    from organizer.events import views as event_views

    for event_bp in (event_views, host_views, organizer_views):
        app.register_blueprint(event_bp.bp)
    from organizer.letters import admin_views as letters_admin
    from organizer.letters import public_views as letters_public
    from organizer.letters import views as letters_views

    for letters_bp in (letters_views, letters_admin, letters_public):
        app.register_blueprint(letters_bp.bp)
    from organizer.groups import views as group_views

    app.register_blueprint(group_views.bp)
    from organizer.mailings import views as mailing_views

    app.register_blueprint(mailing_views.bp)
    from organizer.supporters import views as supporter_views

    app.register_blueprint(supporter_views.bp)
    from organizer.embeds import organizer_views as embed_settings_views
    from organizer.embeds import views as embed_views

    for embed_bp in (embed_views, embed_settings_views):
        app.register_blueprint(embed_bp.bp)
    from organizer.sources import views as source_views

    app.register_blueprint(source_views.bp)
    from organizer.partners import views as partner_views

    app.register_blueprint(partner_views.bp)
    from organizer.supporters import optin_views

    app.register_blueprint(optin_views.bp)
    from organizer.api.routes import register as register_api

    register_api(app)
    from organizer.mail import hooks as mail_hooks
    from organizer.mailings import bounces as mailing_bounces

    app.register_blueprint(mail_hooks.bp)
    mailing_bounces.register()
    from organizer.sharing import views as sharing_views

    app.register_blueprint(sharing_views.bp)
    from organizer.api import webhook_views

    app.register_blueprint(webhook_views.bp)
    if app.config["DEV_MAILBOX"]:
        from organizer.mail.views import dev_bp

        app.register_blueprint(dev_bp)


def register_errorhandlers(app: Flask) -> None:
    from organizer.core.errors import init_errorhandlers

    init_errorhandlers(app)


def register_commands(app: Flask) -> None:
    from organizer.cli import init_commands

    init_commands(app)
