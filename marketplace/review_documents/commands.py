"""flask reviews render --checkpoint N [--out DIR]"""

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from rq import Queue

from marketplace.services.checkpoints import checkpoint_by_number

from . import batch

reviews_cli = AppGroup("reviews", help="Review documents: issue and export PDFs.")


@reviews_cli.command("render")
@click.option("--checkpoint", "number", type=int, required=True,
              help="The checkpoint whose signed-off reviews to render.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write every issued PDF into this folder.")
@click.option("--timeout", default=1800, show_default=True,
              help="Seconds to wait for RQ workers before giving up.")
def render_command(number: int, out_dir: Path | None, timeout: int) -> None:
    """Issue the PDF of every signed-off review of a checkpoint that has none yet.

    With REDIS_URL set the renders are RQ jobs for `rq worker`; otherwise they run here.
    Reviews already issued keep their document: it never changes.
    """
    from marketplace.services.review_documents import signed_off_reviews

    checkpoint = checkpoint_by_number(number)
    if checkpoint is None:
        raise click.ClickException(f"There is no checkpoint {number}.")
    reviews = signed_off_reviews(checkpoint)
    connection = batch.redis_connection(current_app.config["REDIS_URL"],
                                        lambda message: click.echo(message, err=True))
    label = f"{checkpoint.title}: {len(reviews)} signed-off reviews"
    with click.progressbar(length=len(reviews), label=label) as bar:
        try:
            if connection is not None:
                queue = Queue(current_app.config["PDF_QUEUE"], connection=connection)
                jobs = batch.enqueue(queue, reviews)
                result = batch.wait_for(jobs, connection, bar.update, timeout=timeout)
            else:
                result = batch.issue_inline(reviews, bar.update)
        except batch.BatchError as error:
            raise click.ClickException(str(error)) from None
    where = (f"RQ queue {current_app.config['PDF_QUEUE']!r}" if result.mode == "rq"
             else "this process")
    click.echo(f"Rendered in {where}: {len(result.issued_now)} issued now, "
               f"{len(result.already_issued)} already issued.")
    if out_dir is not None:
        written = batch.write_documents([review.id for review in reviews], out_dir)
        click.echo(f"Wrote {len(written)} PDFs to {out_dir}.")
