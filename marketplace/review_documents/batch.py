"""Issuing every signed-off review of a checkpoint: inline, or as RQ jobs on Redis.

With REDIS_URL set the reviews are queued on PDF_QUEUE and worked by `rq worker` processes
(README, "Running in production"); this process only waits and reports progress. Without
Redis, or when Redis does not answer, each review is rendered here, one after another.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Queue
from rq.job import Job, JobStatus

from marketplace.extensions import db
from marketplace.models import Review
from marketplace.reports import storage

from .jobs import issue_review_document

JOB_TIMEOUT_SECONDS = 600
DONE = (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED)


class BatchError(RuntimeError):
    """Some reviews could not be issued."""


@dataclass
class BatchResult:
    mode: str  # "inline" or "rq"
    issued_now: list[int] = field(default_factory=list)
    already_issued: list[int] = field(default_factory=list)


def redis_connection(url: str | None, warn: Callable[[str], None]) -> Redis | None:
    """A connection that answered a PING, or None (with a warning when Redis was asked for)."""
    if not url:
        return None
    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    try:
        connection.ping()
    except RedisError as error:
        warn(f"Warning: Redis at {url} is not answering ({error}); rendering here instead.")
        return None
    return connection


def issue_inline(reviews: Sequence[Review], progress: Callable[[int], None]) -> BatchResult:
    from marketplace.services.review_documents import ensure_issued

    result = BatchResult("inline")
    for review in reviews:
        _, issued_now = ensure_issued(review)
        (result.issued_now if issued_now else result.already_issued).append(review.id)
        progress(1)
    return result


def enqueue(queue: Queue, reviews: Sequence[Review]) -> list[Job]:
    return [queue.enqueue(issue_review_document, review.id, job_timeout=JOB_TIMEOUT_SECONDS,
                          result_ttl=3600, failure_ttl=86400,
                          description=f"Issue the document of review {review.reference}")
            for review in reviews]


def wait_for(jobs: Sequence[Job], connection: Redis, progress: Callable[[int], None], *,
             timeout: float, poll_seconds: float = 0.2) -> BatchResult:
    result = BatchResult("rq")
    waiting = {job.id for job in jobs}
    failed = []
    deadline = time.monotonic() + timeout
    while waiting:
        for job in Job.fetch_many(list(waiting), connection=connection):
            if job is None or job.get_status(refresh=False) not in DONE:
                continue
            waiting.discard(job.id)
            progress(1)
            value = job.return_value() if job.get_status(refresh=False) == JobStatus.FINISHED \
                else None
            if value is None:
                failed.append(job.description or job.id)
            else:
                issued = result.issued_now if value["issued_now"] else result.already_issued
                issued.append(value["review_id"])
        if waiting and time.monotonic() > deadline:
            raise BatchError(f"{len(waiting)} jobs were not worked within {timeout:.0f} s: "
                             "is an `rq worker` running on this queue?")
        if waiting:
            time.sleep(poll_seconds)
    if failed:
        raise BatchError("Not issued: " + "; ".join(failed))
    return result


def write_documents(review_ids: Sequence[int], folder: Path) -> list[Path]:
    """Write each review's issued bytes (never a fresh render) into folder."""
    folder.mkdir(parents=True, exist_ok=True)
    db.session.expire_all()  # documents issued by workers are committed elsewhere
    written = []
    for review_id in review_ids:
        document = storage.latest(review_id)
        path = folder / document.filename
        path.write_bytes(storage.read(document))
        written.append(path)
    return written
