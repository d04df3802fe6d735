"""flask doctor: every check the service depends on, with what to do when one fails."""

import click
from flask.cli import with_appcontext

from . import checks

MARKS = {checks.OK: "ok", checks.NOT_CONFIGURED: "--", checks.WARNING: "!!",
         checks.UNAVAILABLE: "XX"}


@click.command("doctor")
@with_appcontext
def doctor_command() -> None:
    """Check the database, migrations, Redis, system libraries, fonts, PDF rendering,
    NHS.UK assets and the evidence folder; exit 1 if any of them fails."""
    found = checks.everything()
    width = max(len(check.name) for check in found)
    for check in found:
        click.echo(f"[{MARKS[check.status]}] {check.name:<{width}}  {check.status}"
                   + (f": {check.detail}" if check.detail else ""))
        if check.fix and check.status != checks.OK:
            click.echo(f"     {'':<{width}}  what to do: {check.fix}")
    failed = [check.name for check in found if not check.passed]
    if failed:
        raise click.ClickException("not ready: " + ", ".join(failed))
    click.echo("Everything CSS Marketplace needs is in place.")
