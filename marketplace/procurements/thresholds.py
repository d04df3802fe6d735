"""The administrators' page for procurement thresholds and standstill periods."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields import SelectChoice

from marketplace.access import owns
from marketplace.date_input import UKDateField
from marketplace.forms import BaseForm
from marketplace.models import ProcurementThreshold
from marketplace.refusals import attempt
from marketplace.services import procurement_thresholds as service
from marketplace.services.procurements import thresholds as all_thresholds

from . import thresholds_bp as bp


class ThresholdForm(BaseForm):
    name = StringField("Name")
    description = TextAreaField("What it means for buyers")
    amount = StringField("Value over the full term at or above which it applies (£)")
    required_route = RadioField("Route it calls for", choices=[
        SelectChoice("further_competition", "Further competition"),
        SelectChoice("direct_award", "Direct award")])
    standstill_days = StringField("Standstill after the decision (calendar days)")
    applies_from = UKDateField("Applies from", missing_message="Enter the date it applies "
                                                                "from")
    applies_until = UKDateField("Applies until (the last day)", description="Leave blank if "
                                "it still applies.")
    source = TextAreaField("Source", description="Where the figure comes from, so others can "
                           "check it.")


def _values(form) -> service.ThresholdInput:
    return service.ThresholdInput(
        name=form.name.data, description=form.description.data, amount=form.amount.data,
        required_route=form.required_route.data or "", standstill_days=form.standstill_days.data,
        applies_from=form.applies_from.data, applies_until=form.applies_until.data,
        source=form.source.data)


@bp.route("")
def index():
    return render_template("procurements/thresholds.html", thresholds=all_thresholds())


def _edit(threshold):
    data = None
    if request.method == "GET" and threshold is not None:
        data = {"name": threshold.name, "description": threshold.description,
                "amount": f"{threshold.amount:.2f}", "required_route": threshold.required_route,
                "standstill_days": str(threshold.standstill_days),
                "applies_from": threshold.applies_from, "applies_until": threshold.applies_until,
                "source": threshold.source}
    form = ThresholdForm(data=data)
    status = 200
    if form.validate_on_submit():
        saved, status = attempt(form, lambda: service.save_threshold(current_user, threshold,
                                                                     _values(form)))
        if saved is not None:
            flash(f"“{saved.name}” has been saved.", "success")
            return redirect(url_for("procurement_thresholds.index"))
    elif request.method == "POST":
        status = 400
    return render_template("procurements/threshold-form.html", form=form,
                           threshold=threshold), status


@bp.route("/new", methods=["GET", "POST"])
def new():
    return _edit(None)


@bp.route("/<int:threshold_id>/edit", methods=["GET", "POST"])
@owns("threshold_id", ProcurementThreshold, "edit")
def edit(threshold):
    return _edit(threshold)
