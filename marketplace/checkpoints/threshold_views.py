"""The BDU's page for the plan-check thresholds and the Checkpoint 3 hosting policy."""

from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import DecimalField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange

from marketplace.domain.checkpoints import GatewayRating
from marketplace.domain.plan_checks import THRESHOLD_SPECS, ThresholdKind, ThresholdSpec
from marketplace.forms import BaseForm
from marketplace.refusals import attempt
from marketplace.services import plan_checks as service

from . import thresholds_bp as bp


def _field(spec: ThresholdSpec):
    required = InputRequired(message=f"Enter {spec.label[:1].lower()}{spec.label[1:]}")
    if spec.kind is ThresholdKind.RATING:
        return SelectField(spec.label, description=spec.hint, validators=[required],
                           choices=[(rating.value, rating.label) for rating in GatewayRating])
    in_range = NumberRange(spec.minimum, spec.maximum,
                           message=f"Enter a value from {spec.minimum} to {spec.maximum}")
    if spec.kind in (ThresholdKind.MONTHS, ThresholdKind.COUNT):
        return IntegerField(spec.label, description=spec.hint, validators=[required, in_range])
    return DecimalField(spec.label, description=spec.hint, places=None,
                        validators=[required, in_range])


class ThresholdsForm(BaseForm):
    pass


for _spec in THRESHOLD_SPECS:
    setattr(ThresholdsForm, _spec.key, _field(_spec))


def _groups():
    groups: dict[str, list[ThresholdSpec]] = {}
    for spec in THRESHOLD_SPECS:
        groups.setdefault(spec.group, []).append(spec)
    return groups


@bp.route("", methods=["GET", "POST"])
def index():
    rows = service.threshold_rows()
    form = ThresholdsForm(data={row.spec.key: _initial(row.spec, row.value) for row in rows}
                          if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        values = {spec.key: str(form[spec.key].data) for spec in THRESHOLD_SPECS}
        changed, status = attempt(form, lambda: service.update_thresholds(current_user, values))
        if changed is not None:
            flash(f"{len(changed)} value{'s' if len(changed) != 1 else ''} changed. Reviews "
                  "saved from now on record the new values; signed-off reviews keep theirs."
                  if changed else "Nothing changed.", "success")
            return redirect(url_for("plan_check_thresholds.index"))
    elif request.method == "POST":
        status = 400
    return render_template("checkpoints/plan-check-thresholds.html", form=form, rows=rows,
                           groups=_groups(), title="Plan check thresholds"), status


def _initial(spec: ThresholdSpec, value: str):
    if spec.kind is ThresholdKind.RATING:
        return value
    if spec.kind in (ThresholdKind.MONTHS, ThresholdKind.COUNT):
        return int(value)
    return Decimal(value)
