from flask import current_app, redirect, render_template, url_for
from flask_login import current_user

from marketplace.access import PUBLIC, allow, rule_for_endpoint
from marketplace.models import Role
from marketplace.services import dashboards

from . import bp


@bp.route("/")
@allow(PUBLIC)
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    return render_template("main/index.html")


def _may_open(endpoint: str) -> bool:
    if endpoint not in current_app.view_functions:
        return False
    rule = rule_for_endpoint(current_app, endpoint)
    return rule is not None and rule.allows(current_user)


@bp.route("/dashboard")
def dashboard():
    tasks = [task for task in dashboards.tasks_for(current_user) if _may_open(task.endpoint)]
    events = dashboards.recent_events() if current_user.role == Role.ADMIN else []
    is_ccg = current_user.role == Role.CCG_USER
    headroom = dashboards.headroom_for(current_user) if is_ccg else None
    is_css = current_user.role == Role.CSS_LEADER
    assurance = dashboards.assurance_for(current_user) if is_css else None
    return render_template("main/dashboard.html", tasks=tasks, events=events,
                           headroom=headroom, is_ccg=is_ccg, is_css=is_css,
                           assurance=assurance)


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
