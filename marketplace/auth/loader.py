"""Who is signed in: the session row the cookie names, checked on every request.

Flask-Login keeps the user's id in the signed cookie as before; beside it the cookie carries
the token of a user_session row (SESSION_ID_KEY). A request whose row is missing, ended, idle
or too old is served as signed out, with a message saying why.
"""

from flask import current_app, flash, g, redirect, request, session
from flask_login import current_user
from flask_login.utils import login_url

from marketplace.domain.sessions import SessionState, minutes_in_words
from marketplace.extensions import login_manager
from marketplace.services import sessions
from marketplace.services.sessions import EndReason

SESSION_ID_KEY = "sid"
# Keys Flask-Login and this module keep in the cookie for a signed-in session.
_SIGNED_IN_KEYS = ("_user_id", "_fresh", "_id", SESSION_ID_KEY)
# Requests that never show who is signed in, so need not look them up.
_QUIET_BLUEPRINTS = {"assets", "health"}


def configure_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    # Flask-Login's own freshness and address checks are not used: the session row says when
    # the password was last entered, and people move between networks.
    login_manager.session_protection = None
    # Before every other before_request hook, so the session is checked (and its activity
    # recorded) before the request does any work of its own.
    app.before_request(check_session)


def enter_session(cookie_session, user, token: str) -> None:
    """Put a started session into the cookie (after sign-in; tests and benches use it too)."""
    cookie_session["_user_id"] = user.get_id()
    cookie_session["_fresh"] = True
    cookie_session[SESSION_ID_KEY] = token


def current_session_row():
    """The signed-in user's session row for this request, or None when nobody is signed in."""
    return g.get("user_session") if current_user.is_authenticated else None


def _message(state: SessionState, reason: str | None, app_config) -> str:
    if state is SessionState.IDLE:
        idle = minutes_in_words(app_config["SESSION_IDLE_MINUTES"])
        return f"You were signed out after {idle} without activity. Sign in again to carry on."
    if state is SessionState.EXPIRED:
        hours = minutes_in_words(app_config["SESSION_MAX_HOURS"] * 60)
        return (f"You were signed out because you signed in more than {hours} ago. "
                "Sign in again to carry on.")
    if reason == EndReason.PASSWORD_CHANGED:
        return ("You were signed out because your password was changed. "
                "Sign in with the new password.")
    if reason == EndReason.WRONG_PASSWORDS:
        return "You were signed out after too many wrong passwords. Sign in again to carry on."
    return "You were signed out. Sign in again to carry on."


def _signed_out(message: str) -> None:
    for key in _SIGNED_IN_KEYS:
        session.pop(key, None)
    g.session_ended = True
    if not request.path.startswith("/api/"):
        flash(message, "info")


@login_manager.user_loader
def load_user(user_id: str):
    row, unread = sessions.find(session.get(SESSION_ID_KEY))
    if row is None or str(row.user_id) != user_id or not row.user.is_active_user:
        _signed_out(_message(SessionState.ENDED, None, current_app.config))
        return None
    state = sessions.state_of(row)
    if state is not SessionState.ACTIVE:
        _signed_out(_message(state, row.end_reason, current_app.config))
        return None
    g.user_session = row
    g.unread_notifications = unread
    return row.user


def check_session():
    if request.blueprint in _QUIET_BLUEPRINTS or request.endpoint == "static":
        return None
    if "_user_id" not in session:
        return None
    if current_user.is_authenticated:  # runs load_user
        sessions.keep_alive(g.user_session)
    return None


@login_manager.unauthorized_handler
def unauthorized():
    # Someone whose session has just ended was told why; "sign in to see this page" would
    # only repeat it.
    if not g.get("session_ended"):
        flash(login_manager.login_message, login_manager.login_message_category)
    return redirect(login_url(login_manager.login_view, next_url=request.url))
