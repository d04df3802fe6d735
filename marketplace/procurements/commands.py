"""flask procurements close-due"""

import click
from flask.cli import AppGroup

procurements_cli = AppGroup("procurements", help="Procurements: housekeeping by the clock.")


@procurements_cli.command("close-due")
def close_due_command() -> None:
    """Close every open competition whose closing time has passed, and end every standstill
    period whose last day has passed (the award then stands).

    Pages do both when they next read a procurement; this does it for all of them at once
    (for example from cron), so reports, open data and contracts do not wait for a visit.
    """
    from marketplace.services.awards import end_due_standstills
    from marketplace.services.procurements import close_due

    closed = close_due()
    for reference in closed:
        click.echo(f"Closed {reference}")
    click.echo(f"{len(closed)} competition{'' if len(closed) == 1 else 's'} closed.")
    ended = end_due_standstills()
    if ended:
        for reference in ended:
            click.echo(f"Standstill ended for {reference}: awarded")
        click.echo(f"{len(ended)} standstill period{'' if len(ended) == 1 else 's'} ended.")
