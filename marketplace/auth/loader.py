from flask import flash
from sqlalchemy.orm import joinedload

from marketplace.extensions import db, login_manager
from marketplace.models import User


def configure_login(app) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(user_id: str):
    # The id carries the session token, so a password change or deactivation signs
    # out every existing session of that user.
    raw_id, _, token = user_id.partition(":")
    if not raw_id.isdigit():
        return None
    # Its organisation comes in the same query: nearly every signed-in page shows or checks it.
    user = db.session.get(User, int(raw_id), options=[joinedload(User.organisation)])
    if user is None or not user.is_active_user or user.session_token != token:
        return None
    return user


def flash_success(message: str) -> None:
    flash(message, "success")
