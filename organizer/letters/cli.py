"""`flask import-regulators [PATH]`: load the directory of bodies from a CSV file."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from organizer.extensions import db
from organizer.letters import directory


@click.command("import-regulators")
@click.argument(
    "path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@with_appcontext
def import_regulators(path: Path | None) -> None:
    """Create or update bodies from PATH (default: the bundled regulators.csv). Idempotent."""
    text = path.read_text("utf-8") if path else directory.bundled_csv()
    report = directory.import_csv(text)
    db.session.commit()
    for label, slugs in (("created", report.created), ("updated", report.updated)):
        if slugs:
            click.echo(f"{len(slugs)} {label}: {', '.join(slugs)}")
    click.echo(f"{len(report.unchanged)} unchanged")
    for line, message in report.errors:
        click.echo(f"line {line}: {message}", err=True)
    if report.errors:
        raise click.ClickException(f"{len(report.errors)} rows rejected; the others were imported")
