from datetime import date

from flask import Response, render_template, request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.forms import BaseForm
from marketplace.models import Region
from marketplace.policies import may
from marketplace.services import checkpoints, market_cache, tracker

from . import bp


class TrackerFilterForm(BaseForm):
    class Meta:
        csrf = False  # a GET filter: nothing changes

    region = SelectField("Region", coerce=str, validators=[Optional()])
    as_of = DateField("Overdue as of", validators=[Optional()],
                      description="For example, 2012-10-15. Leave blank for today.")


def _filter_form() -> tuple[TrackerFilterForm, int | None, date]:
    form = TrackerFilterForm(request.args)
    regions = db.session.execute(select(Region.id, Region.name).order_by(Region.name))
    form.region.choices = [("", "All regions")] + [(str(id_), name) for id_, name in regions]
    form.validate()
    region_id = whole_number(form.region.data or "")
    as_of: date = (form.as_of.data if not form.as_of.errors else None) or tracker.as_of_date()
    return form, region_id, as_of


@bp.route("")
def dashboard():
    form, region_id, as_of = _filter_form()
    user = current_user._get_current_object()
    # Every CSS against every checkpoint is the same for everyone of a role and organisation
    # (the links are to the submissions they may review) until the market changes: kept.
    tables = market_cache.remembered(
        {"page": "tracker.dashboard", "region": region_id, "as_of": as_of.isoformat(),
         "role": str(user.role), "organisation": user.organisation_id},
        lambda: _tables(user, region_id, as_of))
    return render_template("tracker/dashboard.html", title="Assurance tracker", form=form,
                           tables=Markup(tables), query=request.query_string.decode())


def _tables(user, region_id: int | None, as_of: date) -> str:
    all_checkpoints = checkpoints.checkpoints()
    rows = tracker.progress(region_id=region_id, as_of=as_of, all_checkpoints=all_checkpoints)
    # The review policy asked once per submission here, not through the template's
    # ``allowed`` (and the signed-in user's proxy) in every cell.
    may_open = {cell.submission.id for row in rows for cell in row.cells
                if cell.submission is not None and may(user, "review", cell.submission)}
    return render_template("tracker/tables.html", rows=rows, as_of=as_of,
                           checkpoints=all_checkpoints, may_open=may_open)


@bp.route("/export.csv")
def export():
    _form, region_id, as_of = _filter_form()
    rows = tracker.progress(region_id=region_id, as_of=as_of)
    return Response(tracker.csv_export(rows), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="assurance-tracker-{as_of}.csv"'})
