"""/healthz: the process is up. /readyz: the database, Redis (when configured) and PDF
rendering work. `flask doctor` runs every check in marketplace/health/checks.py. /metrics:
Prometheus, for a scraper holding METRICS_TOKEN."""

import hmac

from flask import Blueprint, Response, abort, current_app, jsonify, request

from marketplace.access import PUBLIC, protect
from marketplace.observability import metrics as prometheus

from . import checks

bp = protect(Blueprint("health", __name__), PUBLIC)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    found = checks.readiness()
    ready = all(check.passed for check in found)
    return jsonify(status="ok" if ready else "unavailable",
                   checks={check.name: check.status for check in found}), 200 if ready else 503


@bp.get("/metrics")
def metrics():
    # Public as far as sessions go (Prometheus signs in as nobody); the bearer token is the
    # access rule. Without METRICS_TOKEN the endpoint does not exist.
    token = current_app.config["METRICS_TOKEN"]
    if not token:
        abort(404)
    supplied = request.headers.get("Authorization", "")
    if not hmac.compare_digest(supplied.encode(), f"Bearer {token}".encode()):
        return Response("Metrics need the METRICS_TOKEN as a bearer token.\n", 401,
                        {"WWW-Authenticate": 'Bearer realm="metrics"'}, mimetype="text/plain")
    body, content_type = prometheus.exposition(current_app)
    return Response(body, content_type=content_type)
