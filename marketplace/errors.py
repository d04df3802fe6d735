"""Error pages (HTML) and error bodies (JSON, for /api/) that never show a stack trace.

A service's refusal that reaches here (a view handles only those about its form's input)
gets its page from its kind: PermissionDenied 403, NotFound 404, Conflict 409, any other 400,
with the service's message. Every error response rolls the session back, so a request that
ends in an error leaves nothing half-saved.
"""

from urllib.parse import urlsplit

from flask import current_app, g, jsonify, make_response, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db, login_manager
from .services.errors import Conflict, NotFound, PermissionDenied, ServiceError

TITLES = {
    400: "Sorry, there is a problem with your request",
    401: "Sign in to continue",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "Sorry, there is a problem with your request",
    409: "Your change was not saved",
    413: "The file is too large",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
    503: "Sorry, the service is unavailable",
}


REFUSAL_STATUSES = ((PermissionDenied, 403), (NotFound, 404), (Conflict, 409))


def refusal_status(error: ServiceError) -> int:
    return next((status for kind, status in REFUSAL_STATUSES if isinstance(error, kind)), 400)


def _respond(status: int, message: str | None = None, field: str | None = None,
             headers: dict | None = None):
    db.session.rollback()
    title = TITLES.get(status) or (TITLES[400] if status < 500 else TITLES[500])
    if request.path.startswith("/api/"):
        response = jsonify(errors=[{"field": field, "message": message or title}])
        response.status_code = status
    else:
        # A status without a page of its own gets the plain one: its title and the message.
        response = make_response(render_template(
            [f"errors/{status}.html", "errors/base.html"], title=title, message=message,
            back=_page_before()), status)
    response.headers.update(headers or {})
    return response


def _megabytes(limit: int) -> str:
    return f"{limit / (1024 * 1024):g} MB"


def _message_for(error: HTTPException) -> str | None:
    """What to tell the user about a refusal that came from Flask or Werkzeug, not a service:
    their own English, since Werkzeug's describes the protocol."""
    status = error.code
    if status == 405:
        return (f"This page cannot be used that way ({request.method} is not one of "
                f"{', '.join(sorted(error.valid_methods or []))}). Go back and use the "
                "page's links and buttons.")
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit and (request.content_length or 0) <= limit:
            # Within the body's limit, so Werkzeug's form limits refused it: one text field
            # over MAX_FORM_MEMORY_SIZE, or more than MAX_FORM_PARTS fields.
            text = current_app.config.get("MAX_FORM_MEMORY_SIZE")
            most = f" ({text // 1000:,} KB)" if text else ""
            return (f"Some text you entered is longer than the service accepts{most}, or the "
                    "form had too many fields. Shorten it and try again. Nothing was saved.")
        size = f" than the {_megabytes(limit)} the service accepts" if limit else ""
        return (f"What you sent is larger{size}. If you were uploading a file, make it "
                "smaller or split it, then try again. Nothing was saved.")
    if status == 401:
        return "Sign in to use this part of the service."
    if status in (400, 500) or status not in TITLES:
        # A view's abort(400, "...") speaks to the user; Werkzeug's defaults are in English.
        return error.description
    return None


def _page_before() -> str | None:
    """The page of this site the request came from, to go back to (a 409 shows it anew)."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def _is_out_of_range(error: DBAPIError) -> bool:
    """PostgreSQL's numeric_value_out_of_range: a number too large for its column."""
    return getattr(error.orig, "sqlstate", None) == "22003"


def _is_disconnect(error: DBAPIError) -> bool:
    from sqlalchemy.exc import OperationalError

    return isinstance(error, OperationalError)


def register_error_pages(app) -> None:
    @app.errorhandler(ServiceError)
    def refused(error: ServiceError):
        return _respond(refusal_status(error), error.message, error.field)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _respond(400, "The form had expired or was not sent from this service. "
                             "Go back, reload the page and try again.")

    @app.errorhandler(RateLimitExceeded)
    def too_many_attempts(error: RateLimitExceeded):
        # Limits that explain themselves (the sign-in limits) say how long to wait.
        return _respond(429, error.description if error.limit.error_message else None)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if status < 400:  # a redirect raised as an exception (RequestRedirect) stays one
            return error
        if status >= 500 and status != 503:
            return internal_error(error)
        headers = {}
        if status == 405 and error.valid_methods:
            headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return _respond(status, _message_for(error), headers=headers)

    @app.errorhandler(OverflowError)
    def number_out_of_range(error):
        # SQLite cannot bind an integer beyond 64 bits (a query string or form field can say
        # anything); no such number names a row, so the request itself is at fault.
        return _respond(400, "A number in the request is too large.")

    @app.errorhandler(DBAPIError)
    def database_unavailable(error):
        if _is_out_of_range(error):
            return _respond(400, "A number in the request is too large.")
        # The database went away (or refused us): say so plainly and roll back, so that
        # nothing half-done is kept; pool_pre_ping reconnects once it is back.
        if not getattr(error, "connection_invalidated", False) and not _is_disconnect(error):
            return internal_error(error)
        app.logger.error("database unavailable: %s", error)
        db.session.rollback()
        # Draw the page as for a visitor: the signed-in user (and the navigation built from
        # their organisation) would have to come from the database that has just failed.
        g._login_user = login_manager.anonymous_user()
        return _respond(503)

    @app.errorhandler(InternalServerError)
    def internal_error(error):
        return _respond(500)
