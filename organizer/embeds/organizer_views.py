"""The organizer page /organize/<slug>/embed: where the embeds may appear, and the snippets
to copy (script, plain iframe, counter, badge) with the source and language chosen."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from wtforms import SelectChoice

from organizer.campaigns.models import Campaign
from organizer.campaigns.permissions import Permission
from organizer.campaigns.web import campaign_for, current
from organizer.embeds import services, snippets
from organizer.embeds.forms import EmbedSettingsForm, SnippetForm
from organizer.extensions import db
from organizer.i18n import language_name
from organizer.sources.services import registered_codes

bp = Blueprint("embed_settings", __name__, url_prefix="/organize")


@bp.before_request
@login_required
def _logged_in() -> None:
    """Every organizer page needs a login; the role is checked per campaign below."""


@bp.route("/<slug>/embed", methods=["GET", "POST"])
def settings(slug: str) -> ResponseReturnValue:
    campaign, _role = campaign_for(slug, Permission.EDIT_SETTINGS)
    form = EmbedSettingsForm()
    if request.method == "GET":
        form.anywhere.data = campaign.embed_anywhere
        form.origins.data = "\n".join(campaign.embed_origins or [])
    if form.validate_on_submit():
        changed = services.save_settings(
            campaign, current(), bool(form.anywhere.data), form.origin_list
        )
        db.session.commit()
        flash(
            _("Where the embeds may appear is saved.") if changed else _("Nothing changed."),
            "success" if changed else "info",
        )
        return redirect(url_for(".settings", slug=campaign.slug))
    return render_template(
        "embeds/settings.html",
        campaign=campaign,
        form=form,
        partner_origins=services.partner_origins(campaign),
        **_snippets(campaign),
    )


def _snippets(campaign: Campaign) -> dict[str, object]:
    options = SnippetForm(request.args)
    codes = sorted(registered_codes(campaign))
    options.source.choices = [SelectChoice("", _("None")), *(SelectChoice(c, c) for c in codes)]
    languages = current_app.config["LANGUAGES"]
    options.lang.choices = [
        SelectChoice("", _("The campaign's language")),
        *(SelectChoice(code, language_name(code)) for code in languages),
    ]
    source = options.source.data if options.source.data in codes else None
    lang = options.lang.data if options.lang.data in languages else None
    theme = options.theme.data if options.theme.data in snippets.THEMES else None
    return {
        "options": options,
        "script_snippet": snippets.snippet(campaign, source, lang, theme),
        "iframe_snippet": snippets.iframe(campaign, source, lang, theme),
        "count_snippet": snippets.count_snippet(campaign, lang, theme),
        "badge_snippet": snippets.badge_snippet(campaign),
        "preview_url": url_for(
            "embeds.sign",
            slug=campaign.slug,
            **{
                k: v
                for k, v in {
                    "source": source,
                    "lang": lang,
                    "theme": theme if theme != "light" else None,
                }.items()
                if v
            },
        ),
        "oembed_url": url_for("embeds.oembed_json", _external=False),
    }
