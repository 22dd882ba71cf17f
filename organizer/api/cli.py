"""``flask api-tokens create``: a token for a group, printed alone on the last line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from organizer.api.models import ApiScope
from organizer.api.tokens import TokenError, create_token
from organizer.campaigns.models import Campaign
from organizer.extensions import db
from organizer.groups.models import Group

api_tokens = AppGroup("api-tokens", help="API tokens of groups.")


def _group(group_slug: str | None, campaign_slug: str | None) -> Group:
    if bool(group_slug) == bool(campaign_slug):
        raise click.UsageError("Give either --group or --campaign.")
    if campaign_slug:
        campaign = db.session.scalar(select(Campaign).where(Campaign.slug == campaign_slug))
        if campaign is None:
            raise click.ClickException(f"No campaign has the slug {campaign_slug}.")
        return campaign.group
    group = db.session.scalar(select(Group).where(Group.slug == group_slug))
    if group is None:
        raise click.ClickException(f"No group has the slug {group_slug}.")
    return group


@api_tokens.command("create")
@click.option("--group", "group_slug", help="The group's slug.")
@click.option("--campaign", "campaign_slug", help="A campaign's slug: its group gets the token.")
@click.option("--name", "label", required=True, help="A label saying which tool uses it.")
@click.option(
    "--scope", "scopes", multiple=True, default=("read",), show_default=True,
    type=click.Choice([s.value for s in ApiScope]), help="Repeat for several.",
)  # fmt: skip
def create(group_slug: str | None, campaign_slug: str | None, label: str,
           scopes: tuple[str, ...]) -> None:  # fmt: skip
    """Create a token; it is shown this once, on the last line."""
    group = _group(group_slug, campaign_slug)
    try:
        token, plaintext = create_token(group, label, scopes)
    except TokenError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Token “{token.label}” for the group {group.slug}, scopes: "
               f"{', '.join(token.scopes)}. Shown this once:")  # fmt: skip
    click.echo(plaintext)
