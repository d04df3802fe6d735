"""flask commands: seed-demo, demo-logins, reviews render, doctor ..."""

import click
from flask import current_app
from flask.cli import with_appcontext

from .demo import DEMO_LOGINS, seed_demo
from .review_documents.commands import reviews_cli


@click.command("seed-demo")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="Multiply providers and offers by this, for benchmarks.")
@with_appcontext
def seed_demo_command(scale: int) -> None:
    """Load the real 2013 CCGs and the demo organisations, users and data."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException(
            "seed-demo refuses to run against a production configuration "
            "(MARKETPLACE_ENV=production). Use MARKETPLACE_ENV=development."
        )
    seed_demo(scale)
    click.echo(f"Demo data loaded (scale {scale}).")


def print_demo_logins() -> None:
    click.echo("Demo logins (password: the DEMO_PASSWORD setting, "
               f"here {current_app.config['DEMO_PASSWORD']!r}):")
    for email, _name, role, organisation, _active in DEMO_LOGINS:
        click.echo(f"  {email:<18} {role.label:<14} {organisation}")
    click.echo("Buying: README, \"Buying demo\", says which login takes which step of the "
               "seeded competitions, as at MARKETPLACE_TODAY (make run: 19 November 2012).")


@click.command("demo-logins")
@with_appcontext
def demo_logins_command() -> None:
    """Print the demo logins."""
    print_demo_logins()


def register_cli(app) -> None:
    from .agreements.commands import agreements_cli
    from .data_transfer import export_command, import_command
    from .health.commands import doctor_command
    from .procurements.commands import procurements_cli

    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_logins_command)
    app.cli.add_command(reviews_cli)
    app.cli.add_command(export_command)
    app.cli.add_command(import_command)
    app.cli.add_command(doctor_command)
    app.cli.add_command(procurements_cli)
    app.cli.add_command(agreements_cli)
