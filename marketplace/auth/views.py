from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from marketplace.access import SIGNED_IN, allow
from marketplace.extensions import limiter
from marketplace.security import is_safe_next
from marketplace.services import accounts
from marketplace.services.errors import ServiceError

from . import bp
from . import limits as sign_in_limits
from .forms import ChangePasswordForm, SignInForm
from .loader import SESSION_ID_KEY, current_session_row

SIGN_IN_FAILED = "Enter a correct email address and password"


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_IP"],
    methods=["POST"],
    deduct_when=sign_in_limits.failed,
    exempt_when=sign_in_limits.is_known_browser,
    error_message=sign_in_limits.per_address_message,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=sign_in_limits.per_account_key,
    methods=["POST"],
    deduct_when=sign_in_limits.failed,
    exempt_when=sign_in_limits.is_known_browser,
    error_message=sign_in_limits.per_account_message,
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS"],
    key_func=sign_in_limits.per_account_and_address_key,
    methods=["POST"],
    deduct_when=sign_in_limits.failed,
    error_message=sign_in_limits.per_account_and_address_message,
)
def sign_in():
    next_url = request.values.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else url_for("main.dashboard"))
    form = SignInForm()
    # A form refused at its fields (blank, a NUL) is a bad request; a wrong password is a
    # well-formed request that failed, answered as the same page for known and unknown
    # addresses.
    status = 400 if form.is_submitted() else 200
    if form.validate_on_submit():
        status = 200
        signed_in = accounts.sign_in(form.email.data, form.password.data,
                                     user_agent=request.user_agent.string)
        if signed_in is None:
            form.set_error("email", SIGN_IN_FAILED)
        else:
            # A fresh cookie at sign-in, so nothing set before it (fixation) carries over.
            session.clear()
            login_user(signed_in.user)
            session[SESSION_ID_KEY] = signed_in.session_token
            response = redirect(next_url if is_safe_next(next_url) else url_for("main.dashboard"))
            sign_in_limits.remember_browser(response, signed_in.user.email)
            return response
    return render_template("auth/sign-in.html", form=form, next_url=next_url), status


@bp.route("/sign-out", methods=["GET", "POST"])
@allow(SIGNED_IN)
def sign_out():
    if request.method == "POST":
        accounts.sign_out(current_user, current_session_row())
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign-out.html")


@bp.route("/account/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def change_password():
    # Asks for the current password itself, so needs no separate confirmation.
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            accounts.change_own_password(
                current_user, form.current_password.data, form.new_password.data,
                session_row=current_session_row(),
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            flash("Your password has been changed. You have been signed out everywhere else.",
                  "success")
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change-password.html", form=form)
