"""What every campaign view needs: the current user, the campaign with a permission check,
and the template helpers (Markdown, topic and country names)."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask.sansio.app import App
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from organizer.accounts.models import User
from organizer.campaigns import services
from organizer.campaigns.forms import language_name
from organizer.campaigns.markdown import render_markdown
from organizer.campaigns.models import Campaign, Role
from organizer.campaigns.permissions import ROLE_NAMES, Permission, can, require
from organizer.campaigns.rendered import grievance_list
from organizer.campaigns.vocabulary import TOPICS, country_name


def current() -> User:
    user: User = current_user._get_current_object()
    return user


def campaign_for(slug: str, permission: Permission) -> tuple[Campaign, Role]:
    campaign = services.get_by_slug(slug)
    if campaign is None:
        abort(404)
    role = require(current_user, campaign, permission)
    if campaign.require_two_factor and not current().has_two_factor:
        # The owner asked every team member for two-factor login: enrol, then come back.
        flash(_("This campaign's team requires two-factor login. Set it up to continue."), "info")
        abort(redirect(url_for("two_factor.setup", next=request.full_path.rstrip("?"))))
    return campaign, role


def public_campaign(slug: str, with_group: bool = False) -> Campaign:
    campaign = services.get_by_slug(slug, with_group)
    if campaign is None or not campaign.is_public:
        abort(404)
    return campaign


def json_download(document: dict[str, Any], filename: str) -> Response:
    body = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def topic_name(code: str) -> str:
    return str(TOPICS.get(code, code))


def markdown(source: str) -> Markup:
    return render_markdown(source)


def init_template_helpers(app: App) -> None:
    app.add_template_filter(markdown, "markdown")
    app.add_template_global(topic_name)
    app.add_template_global(country_name)
    app.add_template_global(language_name)
    app.add_template_global(grievance_list)
    app.jinja_env.globals["role_names"] = ROLE_NAMES
    app.add_template_global(lambda campaign, name: can(current_user, campaign, Permission(name)),
                            "user_can")  # fmt: skip
