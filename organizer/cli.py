"""`flask` commands: demo data and the all-in-one development stack."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from organizer.extensions import db


def init_commands(app: Flask) -> None:
    from organizer.api.cli import api_tokens
    from organizer.letters.cli import import_regulators

    app.cli.add_command(seed_demo)
    app.cli.add_command(api_tokens)
    app.cli.add_command(make_admin)
    app.cli.add_command(import_regulators)
    app.cli.add_command(devstack)
    app.cli.add_command(doctor)


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load the demo organizer (and, as domains land, the demo campaign). Idempotent."""
    from organizer import demo

    account = demo.seed_demo_organizer()
    campaign = demo.seed_demo_campaign(account.user)
    screenings = demo.seed_demo_screenings(account.user)
    signatures = demo.seed_demo_signatures()
    regulators = demo.seed_demo_regulators()
    db.session.commit()
    if regulators:
        click.echo(f"Directory of bodies: {regulators} imported")
    if campaign is not None:
        click.echo(f"Demo campaign published: /c/{campaign.slug}")
    if screenings:
        click.echo(f"Demo screenings added: {screenings}")
    if signatures:
        click.echo(f"Demo signatures added: {signatures}")
    if account.password:
        click.echo(
            f"Demo organizer created: {account.user.email} / password: {account.password}\n"
            "  (shown this once; use 'Forgot your password?' to set another)"
        )
    else:
        click.echo(f"Demo organizer: {account.user.email} (password printed on the first run)")


@click.command("make-admin")
@click.argument("email")
@with_appcontext
def make_admin(email: str) -> None:
    """Make the account with EMAIL a site admin (it may then edit the directory of bodies)."""
    from sqlalchemy import func, select

    from organizer.accounts.models import User

    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account has the email {email}.")
    if user.is_admin:
        click.echo(f"{user.email} is already a site admin.")
        return
    user.is_admin = True
    db.session.commit()
    click.echo(f"{user.email} is now a site admin.")


@click.command("devstack")
@click.option("--port", default=lambda: os.environ.get("PORT", "5000"), show_default="5000")
@with_appcontext
def devstack(port: str) -> None:
    """Serve web, Celery worker and beat together until Ctrl-C."""
    if current_app.config["CAHIER_ENV"] == "production":
        raise click.UsageError("devstack is for development; production runs deploy/.")
    # Children share this process's Redis (embedded or not) instead of starting their own.
    env = dict(os.environ, REDIS_URL=current_app.config["REDIS_URL"], PORT=port)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    celery = [sys.executable, "-m", "celery", "-A", "workers.celery_app"]
    schedule = current_app.config["CELERY_BEAT_SCHEDULE_FILE"]
    commands = {
        "web": [*flask, "run", "--port", port, "--no-reload"],
        "worker": [*celery, "worker", "--concurrency", "2", "--loglevel", "INFO"],
        "beat": [*celery, "beat", "--loglevel", "INFO", "--schedule", schedule],
    }
    # The commands are fixed lists built above, not user input.
    processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    click.echo(
        f"\nCahier is running on {base}\n  mail it sends: {base}/dev/mail\n  Ctrl-C stops.\n"
    )

    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping and all(p.poll() is None for p in processes.values()):
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 10
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
    exited = [name for name, p in processes.items() if p.returncode not in (0, -15, -2)]
    if exited and not stopping:
        raise click.ClickException(f"stopped because {', '.join(exited)} exited")


@click.command("doctor")
@with_appcontext
def doctor() -> None:
    """Print every configuration problem a deployer must fix; exit 1 if there is any."""
    from organizer.ops.doctor import problems

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = list(problems(app, dict(os.environ)))
    for problem in found:
        click.echo(f"- {problem}")
    if found:
        raise click.exceptions.Exit(1)
    click.echo("No problems found.")
