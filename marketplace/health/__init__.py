"""/healthz: the process is up. /readyz: the database (and Redis, when configured) answer."""

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text

from marketplace.access import PUBLIC, protect
from marketplace.extensions import db

bp = protect(Blueprint("health", __name__), PUBLIC)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


def _check_database() -> str:
    try:
        db.session.execute(text("SELECT 1"))
        return "ok"
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        current_app.logger.warning("readiness: database unavailable: %s", error)
        db.session.rollback()
        return "unavailable"


def _check_redis() -> str:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return "not configured"
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
        return "ok"
    except redis.RedisError as error:
        current_app.logger.warning("readiness: redis unavailable: %s", error)
        return "unavailable"


@bp.get("/readyz")
def readyz():
    checks = {"database": _check_database(), "redis": _check_redis()}
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503
