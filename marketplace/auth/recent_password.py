"""Sensitive actions ask for the password again unless it was entered recently.

``@requires_recent_password("sign off this review")`` on a view: a POST made more than
RECENT_PASSWORD_MINUTES after the password was last entered in this session is answered with a
"confirm your password" page instead. That page posts the same form again, to the same
address, with the password added; when it is right, the view runs as if nothing had happened,
so nothing typed is lost and no JavaScript is needed. The form's own fields go back as hidden
fields, escaped; uploaded files cannot, so this is for forms without them.

Wrong passwords count against the session; after a few in a row it ends
(marketplace/domain/sessions.py), so a borrowed session gets only a few guesses.
"""

from functools import wraps

from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from marketplace.services import accounts, sessions
from marketplace.services.accounts import Confirmation

from .loader import current_session_row

PASSWORD_FIELD = "recent-password"


def requires_recent_password(action: str):
    """``action`` completes "Enter your password to ...", in words the user would use."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            row = current_session_row()
            if request.method != "POST" or row is None or sessions.password_is_recent(row):
                return view(*args, **kwargs)
            error = None
            if PASSWORD_FIELD in request.form:
                password = request.form.get(PASSWORD_FIELD) or ""
                if not password:
                    error = "Enter your password"
                else:
                    outcome = accounts.confirm_password(current_user, row, password)
                    if outcome is Confirmation.CONFIRMED:
                        return view(*args, **kwargs)
                    if outcome is Confirmation.SIGNED_OUT:
                        logout_user()
                        session.clear()
                        flash("You were signed out after too many wrong passwords. "
                              "Sign in again to carry on.", "info")
                        return redirect(url_for("auth.sign_in"))
                    error = "The password is not right"
            carried = [(name, value) for name, values in request.form.lists()
                       if name != PASSWORD_FIELD for value in values]
            return render_template(
                "auth/confirm-password.html", action=action, carried=carried, error=error,
                password_field=PASSWORD_FIELD,
            ), 400 if error else 200

        wrapper.recent_password_action = action
        return wrapper

    return decorate
