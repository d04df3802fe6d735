"""flask agreements end-due"""

import click
from flask.cli import AppGroup

agreements_cli = AppGroup("agreements", help="Agreements: housekeeping by the clock.")


@agreements_cli.command("end-due")
def end_due_command() -> None:
    """End every agreement whose notice period has run out.

    Agreement pages do this when they next read one; this does it for all of them at once
    (from cron, or an RQ job calling services.ending.end_due), by the same clock.
    """
    from marketplace.services.ending import end_due

    ended = end_due()
    for reference in ended:
        click.echo(f"Ended {reference}: its notice ran out")
    click.echo(f"{len(ended)} agreement{'' if len(ended) == 1 else 's'} ended.")
