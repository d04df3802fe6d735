"""/healthz: the process is up. /readyz: the database, Redis (when configured) and PDF
rendering work. `flask doctor` runs every check in marketplace/health/checks.py."""

from flask import Blueprint, jsonify

from marketplace.access import PUBLIC, protect

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
