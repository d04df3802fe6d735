from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from marketplace.services import notifications

from . import bp
from .forms import EmailChoicesForm


@bp.route("")
def index():
    user = current_user._get_current_object()
    return render_template("notifications/index.html", title="Notifications",
                           notifications=notifications.notifications_for(user),
                           unread=notifications.unread_count(user),
                           form=None)


@bp.post("/mark-read")
def mark_read():
    # CSRFProtect has checked the token before this runs.
    notifications.mark_all_read(current_user._get_current_object())
    return redirect(url_for("notifications.index"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    user = current_user._get_current_object()
    form = EmailChoicesForm(data={"kinds": sorted(notifications.emailed_kinds(user))})
    if form.validate_on_submit():
        notifications.set_email_kinds(user, form.kinds.data or [])
        flash("Your email choices are saved", "success")
        return redirect(url_for("notifications.settings"))
    return render_template("notifications/settings.html", title="Notification emails",
                           form=form)
