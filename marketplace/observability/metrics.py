"""Prometheus metrics: requests by route and status, review PDF renders, the RQ queue and
the database pool.

Under gunicorn each worker is a process of its own; with PROMETHEUS_MULTIPROC_DIR set (make
serve sets it, before gunicorn starts, to a fresh folder) prometheus_client's multiprocess
mode has every worker write its figures there, and a scrape answered by any worker adds them
all up. Without it (make run, tests) the figures are this process's alone.
"""

from __future__ import annotations

import logging
import os

from flask import Flask
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

log = logging.getLogger(__name__)

REQUEST_SECONDS = Histogram(
    "marketplace_http_request_duration_seconds",
    "Time to answer a request, by route pattern, method and status (its _count counts them).",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
PDF_RENDERS = Counter("marketplace_pdf_renders", "Review PDFs rendered, by outcome "
                      "(rendered or failed).", ["outcome"])
PDF_RENDER_SECONDS = Histogram("marketplace_pdf_render_duration_seconds",
                               "Time to render a review PDF.",
                               buckets=(0.25, 0.5, 1, 2, 4, 8, 15, 30, 60))
# livesum: the sum over the workers alive now (gunicorn's child_exit drops a dead one's).
DB_POOL_CHECKED_OUT = Gauge("marketplace_db_pool_checked_out_connections",
                            "Database connections in use.", multiprocess_mode="livesum")
DB_POOL_SIZE = Gauge("marketplace_db_pool_size_connections",
                     "Connections the pools keep open (pool_size, summed over workers).",
                     multiprocess_mode="livesum")
DB_POOL_OVERFLOW = Gauge("marketplace_db_pool_overflow_connections",
                         "Connections open beyond pool_size.", multiprocess_mode="livesum")


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


def observe_request(route: str, method: str, status: int, seconds: float | None) -> None:
    if seconds is not None:
        REQUEST_SECONDS.labels(route, method, str(status)).observe(seconds)


def instrument_database_pool(app: Flask) -> None:
    """Pool events keep the gauges current in each worker. The engine exists once db is
    initialised; nothing here connects."""
    from sqlalchemy import event

    from marketplace.extensions import db

    with app.app_context():
        engine = db.engine
    if not all(hasattr(engine.pool, name) for name in ("size", "overflow")):
        return  # SQLite in memory and similar single-connection pools: nothing to show
    DB_POOL_SIZE.set(engine.pool.size())

    # Listening on the engine follows it to a new pool after engine.dispose().
    def checked_out(*_args):
        DB_POOL_CHECKED_OUT.inc()
        DB_POOL_OVERFLOW.set(max(engine.pool.overflow(), 0))

    def checked_in(*_args):
        DB_POOL_CHECKED_OUT.dec()
        DB_POOL_OVERFLOW.set(max(engine.pool.overflow(), 0))

    event.listen(engine, "checkout", checked_out)
    event.listen(engine, "checkin", checked_in)


class QueueCollector:
    """The RQ queue's depth, read from Redis when Prometheus scrapes."""

    def __init__(self, redis_url: str | None, queue_name: str):
        self.redis_url, self.queue_name = redis_url, queue_name

    def collect(self):
        if not self.redis_url:
            return
        up = GaugeMetricFamily("marketplace_rq_redis_up",
                               "1 if Redis answered this scrape, 0 if not.")
        from redis import Redis, RedisError
        from rq import Queue

        try:
            connection = Redis.from_url(self.redis_url, socket_connect_timeout=1,
                                        socket_timeout=1)
            queue = Queue(self.queue_name, connection=connection)
            waiting, failed = queue.count, queue.failed_job_registry.count
        except RedisError as error:
            log.warning("metrics: Redis did not answer: %s", error)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        jobs = GaugeMetricFamily("marketplace_rq_queue_jobs", "Jobs waiting on the RQ queue.",
                                 labels=["queue"])
        jobs.add_metric([self.queue_name], waiting)
        yield jobs
        failures = GaugeMetricFamily("marketplace_rq_failed_jobs",
                                     "Jobs in the RQ queue's failed registry.", labels=["queue"])
        failures.add_metric([self.queue_name], failed)
        yield failures


def exposition(app: Flask) -> tuple[bytes, str]:
    """The text a scrape gets: every worker's figures, then the queue read now."""
    if multiprocess():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        body = generate_latest(registry)
    else:
        body = generate_latest(REGISTRY)
    queue = CollectorRegistry()
    queue.register(QueueCollector(app.config.get("REDIS_URL"), app.config["PDF_QUEUE"]))
    return body + generate_latest(queue), CONTENT_TYPE_LATEST
