from flask import redirect, render_template, url_for
from flask_login import current_user

from marketplace.access import PUBLIC, allow

from . import bp


@bp.route("/")
@allow(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


@bp.route("/dashboard")
def dashboard():
    return render_template("main/dashboard.html")
