"""What an operator sees: structured request logs (logs.py) and Prometheus metrics
(metrics.py), both configured from the environment."""

import time

from flask import Flask, g, request


def register_observability(app: Flask) -> None:
    """Before the blueprints, so that a request the access rule refuses is timed too."""
    from . import logs, metrics

    logs.configure_logging(app)
    metrics.instrument_database_pool(app)
    app.before_request(logs.start_request)
    app.after_request(_finish_request)
    app.context_processor(lambda: {"request_id": logs.request_id})


def _finish_request(response):
    from . import logs, metrics

    started = g.get("request_started")
    seconds = time.perf_counter() - started if started is not None else None
    response.headers[logs.REQUEST_ID_HEADER] = logs.request_id()
    logs.log_request(response, seconds)
    metrics.observe_request(logs.route_of_request(), request.method, response.status_code,
                            seconds)
    return response
