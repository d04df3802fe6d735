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


@bp.route("/help")
@allow(PUBLIC)
def help():
    return render_template("main/help.html")


@bp.route("/accessibility")
@allow(PUBLIC)
def accessibility():
    return render_template("main/accessibility.html")


@bp.route("/privacy")
@allow(PUBLIC)
def privacy():
    return render_template("main/privacy.html")


@bp.route("/contact")
@allow(PUBLIC)
def contact():
    return render_template("main/contact.html")

