"""Logs: one line per request, JSON in production, each carrying a request id.

Every log line written during a request names its request id, and the signed-in user's and
organisation's ids: never a name or an email, since ids are enough to find the person in the
audit trail and a log is no place for personal data. The request id is taken from an incoming
X-Request-ID only if it is a plain token (a proxy's, say), otherwise made here; it is returned
in the X-Request-ID header and printed on every error page for people to quote.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid

from flask import Flask, g, has_request_context, request
from flask.logging import default_handler
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

REQUEST_ID_HEADER = "X-Request-ID"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")

requests_log = logging.getLogger("marketplace.requests")


def request_id() -> str:
    if "request_id" not in g:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = incoming if SAFE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
    return g.request_id


def signed_in_ids() -> tuple[int | None, int | None]:
    """The user's and organisation's ids, if this request loaded a user, without loading
    anything: after a rollback (or with the database gone) a query here would fail."""
    from marketplace.models import User

    user = g.get("_login_user")
    if not isinstance(user, User):
        return None, None
    state = inspect(user)
    return (state.identity[0] if state.identity else None), state.dict.get("organisation_id")


class RequestContext(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context():
            record.request_id = request_id()
            context = f" [request {record.request_id}"
            user_id, organisation_id = signed_in_ids()
            if user_id is not None:
                record.user_id, record.organisation_id = user_id, organisation_id
                context += f" user {user_id} organisation {organisation_id}"
            record.request_context = context + "]"
        return True


def json_formatter() -> logging.Formatter:
    # request_context is the text format's summary of the fields JSON gives one by one.
    return JsonFormatter("{levelname}{name}{message}", style="{", timestamp="time",
                         rename_fields={"levelname": "level", "name": "logger"},
                         reserved_attrs=[*RESERVED_ATTRS, "request_context"])


def text_formatter() -> logging.Formatter:
    return logging.Formatter("%(asctime)s %(levelname)s %(name)s%(request_context)s %(message)s",
                             defaults={"request_context": ""})


class StandardErrorHandler(logging.StreamHandler):
    """Writes to sys.stderr as it is when a line is written (gunicorn and pytest swap it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def build_handler(log_format: str, level: str | int = logging.NOTSET,
                  handler: logging.Handler | None = None) -> logging.Handler:
    handler = handler or StandardErrorHandler()
    handler.setFormatter(json_formatter() if log_format == "json" else text_formatter())
    handler.addFilter(RequestContext())
    handler.setLevel(level)
    return handler


def configure_logging(app: Flask) -> None:
    """One handler on the root logger, replaced (not added to) when another app is made in the
    same process, as tests and the RQ worker do."""
    level = app.config["LOG_LEVEL"]
    handler = build_handler(app.config["LOG_FORMAT"], level)
    handler.set_name("marketplace")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "marketplace"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    app.logger.removeHandler(default_handler)  # it would print every app.logger line again
    # reports/pdf.py hears WeasyPrint's messages itself, stops the render for the ones that
    # matter and logs the rest once per process.
    logging.getLogger("weasyprint").propagate = False
    # Without libharfbuzz-subset0, fontTools subsets every font of every render and narrates
    # it at INFO (about a hundred lines a render); doctor and the PDF notice say so once.
    logging.getLogger("fontTools").setLevel(max(logging.WARNING, root.level))
    # Alembic lists its plugins at INFO whenever Flask-Migrate loads it: eight lines a worker.
    logging.getLogger("alembic.runtime.plugins").setLevel(max(logging.WARNING, root.level))


def start_request() -> None:
    g.request_started = time.perf_counter()
    request_id()


def route_of_request() -> str:
    """The route's pattern (/reviews/<int:review_id>/edit), never the URL with its values."""
    return request.url_rule.rule if request.url_rule is not None else "unmatched"


def log_request(response, seconds: float | None) -> None:
    status = response.status_code
    level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
    route = route_of_request()
    duration_ms = round(seconds * 1000, 1) if seconds is not None else None
    requests_log.log(level, "%s %s %s in %s ms", request.method, route, status, duration_ms,
                     extra={"method": request.method, "route": route, "path": request.path,
                            "status": status, "duration_ms": duration_ms})
