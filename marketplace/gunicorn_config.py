"""gunicorn settings make serve loads (--config python:marketplace.gunicorn_config).

- A worker that exits has its live gauges (database pool) dropped from the Prometheus
  multiprocess folder; its counters stay, as counters must.
- A worker renders the readiness check's test PDF before it takes requests, so WeasyPrint's
  start-up (0.7 s here) is not paid by the first probe or the first sign-off.
- gunicorn's own lines (worker boots, timeouts) are JSON like the app's when LOG_FORMAT is
  json, the production default. Its access log stays off: the app logs each request itself,
  with the request id, route and user ids that gunicorn does not know.
"""

import os

if (os.environ.get("LOG_FORMAT") or "json").lower() == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "marketplace.observability.logs.json_formatter"}},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "json",
                        "stream": "ext://sys.stderr"},
            "error_console": {"class": "logging.StreamHandler", "formatter": "json",
                              "stream": "ext://sys.stderr"},
        },
        # The app puts its own handler on the root logger (with the request ids); gunicorn's
        # default one there would print every line a second time.
        "root": {"level": "WARNING", "handlers": []},
        "loggers": {
            "gunicorn.error": {"level": os.environ.get("LOG_LEVEL", "INFO").upper(),
                               "handlers": ["error_console"], "propagate": False,
                               "qualname": "gunicorn.error"},
        },
    }


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    from marketplace.health import checks

    with worker.wsgi.app_context():
        checks.pdf()
