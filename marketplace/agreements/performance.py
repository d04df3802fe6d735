"""Performance against a signed agreement's service levels, for both sides.

The provider (/customers/agreements/<id>/...) submits each month's return and resubmits
disputed figures; the CCG (/agreements/<id>/...) accepts or disputes each figure; the BDU
reads. Every KPI is shown rated in words and colour, with its trend as an SVG chart.
"""

from decimal import Decimal

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from marketplace.access import allow, owns, roles
from marketplace.domain.service_levels import Unit
from marketplace.models import (
    Agreement,
    FigureReview,
    PerformanceFigure,
    PerformanceReturn,
    Role,
)
from marketplace.reports.charts import kpi_trend_svg
from marketplace.services import performance_returns as service
from marketplace.services import return_workbook, variations
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, ServiceError

from . import bp, customers_bp
from .forms import ReturnWorkbookForm, ReviewFigureForm, return_form

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def trend_charts(records) -> dict[int, Markup]:
    charts = {}
    for record in records:
        if not record.points:
            continue
        points = [(point.period.label, point.value, record.kpi.show(point.value),
                   point.rating.value if point.rating else "",
                   point.rating.label if point.rating else "") for point in record.points]
        # Percentages against the whole 100; other units against the furthest of the figures
        # and the edge of tolerance, so that a figure reads against its target.
        scale = Decimal(100) if record.kpi.unit == Unit.PERCENT else max(
            [point.value for point in record.points]
            + [(record.kpi.target or Decimal(0)) + record.kpi.tolerance])
        # Built from escaped text by reports/charts.py: safe to put in the page as it is.
        charts[record.kpi.id] = Markup(kpi_trend_svg(  # noqa: S704
            record.kpi.measure, record.kpi.target_text, points, scale_max=scale))
    return charts


def _render_performance(agreement: Agreement, *, for_provider: bool):
    variations.with_kpis(agreement)
    # Every return with its figures in one query, not a query per month for its figures.
    rows = service.schedule(
        agreement, returns=service.returns_by_agreement([agreement.id]).get(agreement.id, {}))
    records = service.kpi_records(agreement, rows)
    return render_template(
        "agreements/performance.html", agreement=agreement, rows=rows, records=records,
        charts=trend_charts(records), late=[row for row in rows if row.late],
        for_provider=for_provider, due_days=service.due_working_days(),
        can_review=not for_provider and current_user.role == Role.CCG_USER)


def _render_return(performance_return: PerformanceReturn, *, for_provider: bool,
                   forms: dict | None = None, status: int = 200):
    agreement = performance_return.agreement
    versions = service.versions_of(performance_return)
    is_current = versions[-1] is performance_return
    can_review = not for_provider and current_user.role == Role.CCG_USER and is_current
    forms = dict(forms or {})
    if can_review:
        for figure in performance_return.figures:
            if figure.review == FigureReview.PENDING and figure.id not in forms:
                forms[figure.id] = ReviewFigureForm(
                    formdata=None, prefix=f"figure-{figure.id}",
                    data={"lock_version": figure.lock_version})
    return render_template(
        "agreements/return.html", agreement=agreement, performance_return=performance_return,
        versions=versions, is_current=is_current, for_provider=for_provider,
        review_forms=forms if can_review else {},
        can_resubmit=for_provider and service.can_resubmit(performance_return, is_current)
    ), status


# The CCG's side (and the BDU's, reading).


@bp.route("/<int:agreement_id>/performance")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
def performance(agreement: Agreement):
    return _render_performance(agreement, for_provider=False)


@bp.route("/<int:agreement_id>/returns/<int:return_id>")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
@owns("return_id", PerformanceReturn, of="agreement", name="performance_return")
def performance_return(agreement: Agreement, performance_return: PerformanceReturn):
    return _render_return(performance_return, for_provider=False)


@bp.post("/<int:agreement_id>/figures/<int:figure_id>/review")
@owns("agreement_id", Agreement, "edit")
@owns("figure_id", PerformanceFigure, "review", of="agreement")
def review_figure(agreement: Agreement, figure: PerformanceFigure):
    form = ReviewFigureForm(prefix=f"figure-{figure.id}")
    performance_return = figure.performance_return
    if not form.validate_on_submit():
        if form.lock_version.errors or not form.lock_version.data:
            abort(400)
        return _render_return(performance_return, for_provider=False,
                              forms={figure.id: form}, status=400)
    try:
        service.review_figure(current_user, figure, form.lock_version.data,
                              form.decision.data or "", form.reason.data or "")
    except Conflict as error:
        form.form_errors.append(error.message)
        return _render_return(performance_return, for_provider=False,
                              forms={figure.id: form}, status=409)
    except ServiceError as error:
        form.refuse(error)
        return _render_return(performance_return, for_provider=False,
                              forms={figure.id: form}, status=400)
    words = "accepted" if figure.review == FigureReview.ACCEPTED else (
        f"disputed: {agreement.provider.name} will resubmit it")
    flash(f"The figure for {figure.kpi.measure} is {words}.", "success")
    return redirect(url_for("agreements.performance_return", agreement_id=agreement.id,
                            return_id=performance_return.id))


# The provider's side.


@customers_bp.route("/agreements/<int:agreement_id>/performance")
@owns("agreement_id", Agreement)
def provider_performance(agreement: Agreement):
    return _render_performance(agreement, for_provider=True)


@customers_bp.route("/agreements/<int:agreement_id>/returns/<int:return_id>")
@owns("agreement_id", Agreement)
@owns("return_id", PerformanceReturn, of="agreement", name="performance_return")
def provider_return(agreement: Agreement, performance_return: PerformanceReturn):
    return _render_return(performance_return, for_provider=True)


def _inputs(form, kpis) -> dict[int, service.FigureInput]:
    return {kpi.id: service.FigureInput(form[f"figure_{kpi.id}"].data or "",
                                        form[f"commentary_{kpi.id}"].data or "")
            for kpi in kpis}


def _show_refusal(form, error: ServiceError) -> int:
    if isinstance(error, FieldErrors):
        for field, message in error.errors:
            form.set_error(field, message)
        return 400
    if isinstance(error, Conflict):
        form.form_errors.append(error.message)
        return 409
    form.refuse(error, field="period" if error.field == "period" else None)
    return 400


@customers_bp.route("/agreements/<int:agreement_id>/returns/new", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "report")
def submit_return(agreement: Agreement):
    row, refused = _row_to_submit(agreement, request.values.get("period", type=int))
    if refused is not None:
        return refused
    form = return_form(row.kpis, request.form if request.method == "POST" else None,
                       period=row.period.number)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                made = service.submit_return(current_user, agreement, row.period.number,
                                             _inputs(form, row.kpis))
            except ServiceError as error:
                status = _show_refusal(form, error)
            else:
                flash(f"Your return for {row.period.label} is submitted. "
                      f"{agreement.ccg.name} will accept or dispute each figure.", "success")
                return redirect(url_for("customers.provider_return",
                                        agreement_id=agreement.id, return_id=made.id))
        else:
            status = 400
    return render_template(
        "agreements/return-form.html", agreement=agreement, row=row, kpis=row.kpis, form=form,
        disputed={}, resubmitting=None,
        upload_form=ReturnWorkbookForm(formdata=None, data={"period": row.period.number})
    ), status


def _row_to_submit(agreement: Agreement, number):
    """The month's row if a first return can be made for it, else a redirect saying why."""
    try:
        row = service.period_row(agreement, number)
    except ServiceError as error:
        flash(error.message, "error")
        return None, redirect(url_for("customers.provider_performance",
                                      agreement_id=agreement.id))
    if row.versions:
        return None, redirect(url_for("customers.provider_return", agreement_id=agreement.id,
                                      return_id=row.current.id))
    return row, None


@customers_bp.route("/agreements/<int:agreement_id>/returns/return.xlsx")
@owns("agreement_id", Agreement, "report")
def return_template(agreement: Agreement):
    row, refused = _row_to_submit(agreement, request.args.get("period", type=int))
    if refused is not None:
        return refused
    content = return_workbook.template(row.kpis, row.period.label)
    name = f"{agreement.reference}-return-{row.period.start:%Y-%m}.xlsx"
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@customers_bp.post("/agreements/<int:agreement_id>/returns/upload")
@owns("agreement_id", Agreement, "report")
def upload_return(agreement: Agreement):
    upload_form = ReturnWorkbookForm()
    row, refused = _row_to_submit(agreement, upload_form.period.data)
    if refused is not None:
        return refused
    if upload_form.validate_on_submit():
        upload = upload_form.workbook.data
        try:
            if not upload or not upload.filename:
                raise ServiceError("Choose the completed return spreadsheet to upload",
                                   field="workbook")
            content = upload.read(return_workbook.MAX_WORKBOOK_BYTES + 1)
            read = return_workbook.read_upload(content, row.kpis)
            made = service.submit_return(current_user, agreement, row.period.number,
                                         read.figures)
        except return_workbook.WorkbookInvalid as invalid:
            upload_form.workbook.errors = invalid.messages()
        except FieldErrors as errors:
            # The same checks as the form, named by the cell the figure came from.
            by_field = {f"figure_{kpi_id}": cell for kpi_id, cell in read.cells.items()}
            by_field.update({f"commentary_{kpi_id}": cell.replace("!E", "!F")
                             for kpi_id, cell in read.cells.items()})
            upload_form.workbook.errors = [
                f"{by_field.get(field, 'The workbook')}: {message}"
                for field, message in errors.errors]
        except ServiceError as error:
            upload_form.refuse(error, "workbook")
        else:
            flash(f"Your return for {row.period.label} is read from the spreadsheet and "
                  f"submitted. {agreement.ccg.name} will accept or dispute each figure.",
                  "success")
            return redirect(url_for("customers.provider_return", agreement_id=agreement.id,
                                    return_id=made.id))
    form = return_form(row.kpis, None, period=row.period.number)
    return render_template(
        "agreements/return-form.html", agreement=agreement, row=row, kpis=row.kpis,
        form=upload_form, entry_form=form, disputed={}, resubmitting=None,
        upload_form=upload_form), 400


@customers_bp.route("/agreements/<int:agreement_id>/returns/<int:return_id>/resubmit",
                    methods=["GET", "POST"])
@owns("agreement_id", Agreement, "report")
@owns("return_id", PerformanceReturn, of="agreement", name="performance_return")
def resubmit(agreement: Agreement, performance_return: PerformanceReturn):
    if not service.can_resubmit(performance_return):
        flash("There is nothing to resubmit in this return: the CCG has disputed no figure "
              "that is still waiting for you.", "info")
        return redirect(url_for("customers.provider_return", agreement_id=agreement.id,
                                return_id=performance_return.id))
    disputed = service.disputed_figures(performance_return)
    kpis = [figure.kpi for figure in disputed]
    form = return_form(kpis, request.form if request.method == "POST" else None,
                       period=performance_return.period_number)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                newer = service.resubmit(current_user, performance_return, _inputs(form, kpis))
            except ServiceError as error:
                status = _show_refusal(form, error)
            else:
                flash(f"You resubmitted the disputed figures for "
                      f"{performance_return.period_start:%B %Y}.", "success")
                return redirect(url_for("customers.provider_return",
                                        agreement_id=agreement.id, return_id=newer.id))
        else:
            status = 400
    rows = [row for row in service.schedule(agreement)
            if row.period.number == performance_return.period_number]
    return render_template("agreements/return-form.html", agreement=agreement, row=rows[0],
                           kpis=kpis, form=form,
                           disputed={figure.kpi_id: figure for figure in disputed},
                           resubmitting=performance_return), status
