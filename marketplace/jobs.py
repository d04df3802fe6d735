"""Background jobs: queued on Redis when it answers, run inline when it does not.

Slow work (rendering a batch of review PDFs, say) goes through ``enqueue_or_run(func, *args)``.
With ``REDIS_URL`` set and Redis reachable, the call is queued for ``flask jobs-worker``;
without Redis, or when Redis is down, the same function runs now, in this request. So a Redis
outage makes such requests slower, never broken.

``func`` must be importable by its dotted name (a module-level function), because the worker
finds it by name. It runs inside an app context in both cases.
"""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from flask import current_app

QUEUE_NAME = "marketplace"
# Redis that does not answer within this is treated as down: fall back rather than wait.
REDIS_TIMEOUT_SECONDS = 1


@dataclass(frozen=True)
class JobOutcome:
    queued: bool
    job_id: str | None = None
    result: Any = None  # the function's return value when it ran inline


def _dotted_name(func: Callable) -> str:
    name = f"{func.__module__}.{func.__qualname__}"
    if "<" in func.__qualname__ or "." in func.__qualname__:
        raise ValueError(f"{name} cannot be queued: jobs must be module-level functions")
    return name


def _resolve(dotted_name: str) -> Callable:
    module, _, name = dotted_name.rpartition(".")
    return getattr(import_module(module), name)


def _queue(*, for_worker: bool = False):
    import redis
    from rq import Queue

    # A worker blocks on Redis for minutes waiting for work; only callers enqueueing from a
    # request need the short timeout.
    timeout = None if for_worker else REDIS_TIMEOUT_SECONDS
    connection = redis.Redis.from_url(
        current_app.config["REDIS_URL"], socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=timeout,
    )
    return Queue(QUEUE_NAME, connection=connection)


def run_job(dotted_name: str, *args, **kwargs):
    """What the worker runs: the named function, in the worker's app context."""
    return _resolve(dotted_name)(*args, **kwargs)


def enqueue_or_run(func: Callable, *args, **kwargs) -> JobOutcome:
    """Queue ``func(*args, **kwargs)`` on Redis, or run it inline if Redis is unavailable."""
    dotted_name = _dotted_name(func)
    if current_app.config.get("REDIS_URL"):
        import redis

        try:
            job = _queue().enqueue(run_job, dotted_name, *args, **kwargs)
        except redis.RedisError as error:
            current_app.logger.warning(
                "job queue unavailable (%s); running %s inline", error, dotted_name
            )
        else:
            return JobOutcome(queued=True, job_id=job.id)
    return JobOutcome(queued=False, result=func(*args, **kwargs))


def work(burst: bool = False) -> None:
    """Run queued jobs in this process (inside the caller's app context) until stopped."""
    from rq import SimpleWorker

    queue = _queue(for_worker=True)
    # SimpleWorker runs each job in this process, so jobs share the app context and its
    # database pool instead of inheriting pooled connections across a fork.
    SimpleWorker([queue], connection=queue.connection).work(burst=burst)
