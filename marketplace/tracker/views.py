from datetime import date

from flask import Response, render_template, request
from flask_login import current_user
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.forms import BaseForm
from marketplace.models import Region
from marketplace.policies import may
from marketplace.services import checkpoints, tracker

from . import bp


class TrackerFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    region = SelectField("Region", coerce=str, validators=[Optional()])
    as_of = DateField("Overdue as of", validators=[Optional()],
                      description="For example, 2012-10-15. Leave blank for today.")


def _filtered():
    form = TrackerFilterForm(request.args)
    regions = db.session.execute(select(Region.id, Region.name).order_by(Region.name))
    form.region.choices = [("", "All regions")] + [(str(id_), name) for id_, name in regions]
    form.validate()
    region_id = whole_number(form.region.data or "")
    as_of: date = (form.as_of.data if not form.as_of.errors else None) or tracker.as_of_date()
    all_checkpoints = checkpoints.checkpoints()
    rows = tracker.progress(region_id=region_id, as_of=as_of, all_checkpoints=all_checkpoints)
    return form, rows, as_of, all_checkpoints


@bp.route("")
def dashboard():
    form, rows, as_of, all_checkpoints = _filtered()
    # The review policy asked once per submission here, not through the template's
    # ``allowed`` (and the signed-in user's proxy) in every cell.
    user = current_user._get_current_object()
    may_open = {cell.submission.id for row in rows for cell in row.cells
                if cell.submission is not None and may(user, "review", cell.submission)}
    return render_template("tracker/dashboard.html", title="Assurance tracker", form=form,
                           rows=rows, as_of=as_of, checkpoints=all_checkpoints,
                           may_open=may_open,
                           query=request.query_string.decode())


@bp.route("/export.csv")
def export():
    _form, rows, as_of, _checkpoints = _filtered()
    return Response(tracker.csv_export(rows), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="assurance-tracker-{as_of}.csv"'})
