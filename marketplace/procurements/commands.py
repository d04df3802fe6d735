"""flask procurements close-due"""

import click
from flask.cli import AppGroup

procurements_cli = AppGroup("procurements", help="Procurements: housekeeping by the clock.")


@procurements_cli.command("close-due")
def close_due_command() -> None:
    """Close every open competition whose closing time has passed.

    Pages close a competition when they next read it; this does the same for all of them at
    once (for example from cron), so reports and open data do not wait for a visit.
    """
    from marketplace.services.procurements import close_due

    closed = close_due()
    for reference in closed:
        click.echo(f"Closed {reference}")
    click.echo(f"{len(closed)} competition{'' if len(closed) == 1 else 's'} closed.")
