"""The CCG checks and changes the service levels of a draft agreement, line by line."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.confirmation import confirmation_page
from marketplace.domain.service_levels import plain_number
from marketplace.models import Agreement, AgreementKpi, AgreementStatus
from marketplace.services import service_levels as service
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, ServiceError

from . import bp
from .forms import KpiForm, RemoveKpiForm


def _input(form: KpiForm) -> service.KpiInput:
    return service.KpiInput(
        measure=form.measure.data or "", unit=form.unit.data or "",
        target=form.target.data or "", direction=form.direction.data or "",
        tolerance=form.tolerance.data or "", frequency=form.frequency.data or "")


def _not_draft(agreement: Agreement):
    flash(f"Agreement {agreement.reference} is {agreement.status_label.lower()}: its service "
          "levels cannot change any more.", "error")
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor="kpis"))


def _back(agreement: Agreement):
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor="kpis"))


def _refuse(form: KpiForm, agreement: Agreement, error: ServiceError) -> int:
    if isinstance(error, Conflict):
        form.form_errors.append(error.message)
        form.lock_version.data = agreement.lock_version
        form.lock_version.raw_data = [str(agreement.lock_version)]
        return 409
    if isinstance(error, FieldErrors):
        for field, message in error.errors:
            form.set_error(field, message)
        return 400
    form.refuse(error)
    return 400


def _form(agreement: Agreement, kpi: AgreementKpi | None) -> KpiForm:
    if request.method == "POST":
        form = KpiForm()
    elif kpi is not None:
        form = KpiForm(formdata=None, data={
            "lock_version": agreement.lock_version, "line_id": kpi.agreement_line_id,
            "measure": kpi.measure, "unit": kpi.unit,
            "target": plain_number(kpi.target) if kpi.target is not None else "",
            "direction": kpi.direction,
            "tolerance": plain_number(kpi.tolerance) if kpi.tolerance else "",
            "frequency": kpi.frequency})
    else:
        form = KpiForm(formdata=None, data={
            "lock_version": agreement.lock_version,
            "line_id": request.args.get("line", type=int), "unit": "percent",
            "direction": "higher", "frequency": "monthly"})
    form.line_id.choices = [(line.id, line.specification.name) for line in agreement.lines]
    return form


@bp.route("/<int:agreement_id>/kpis/new", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "edit")
def new_kpi(agreement: Agreement):
    if agreement.status != AgreementStatus.DRAFT:
        return _not_draft(agreement)
    form = _form(agreement, None)
    status = 200
    if form.validate_on_submit():
        line = next((line for line in agreement.lines if line.id == form.line_id.data), None)
        if line is None:
            form.set_error("line_id", "Choose a line of this agreement")
            status = 400
        else:
            try:
                kpi = service.add_kpi(current_user, agreement, form.lock_version.data, line,
                                      _input(form))
            except ServiceError as error:
                status = _refuse(form, agreement, error)
            else:
                flash(f"Service level “{kpi.measure}” added.", "success")
                return _back(agreement)
    elif request.method == "POST":
        status = 400
    return render_template("agreements/kpi-form.html", form=form, agreement=agreement,
                           kpi=None), status


@bp.route("/<int:agreement_id>/kpis/<int:kpi_id>/edit", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "edit")
@owns("kpi_id", AgreementKpi, "edit", of="agreement")
def edit_kpi(agreement: Agreement, kpi: AgreementKpi):
    if agreement.status != AgreementStatus.DRAFT:
        return _not_draft(agreement)
    form = _form(agreement, kpi)
    status = 200
    if form.validate_on_submit():
        try:
            service.update_kpi(current_user, kpi, form.lock_version.data, _input(form))
        except ServiceError as error:
            status = _refuse(form, agreement, error)
        else:
            flash(f"Service level “{kpi.measure}” saved.", "success")
            return _back(agreement)
    elif request.method == "POST":
        status = 400
    return render_template("agreements/kpi-form.html", form=form, agreement=agreement,
                           kpi=kpi), status


@bp.route("/<int:agreement_id>/kpis/<int:kpi_id>/remove", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "edit")
@owns("kpi_id", AgreementKpi, "edit", of="agreement")
def remove_kpi(agreement: Agreement, kpi: AgreementKpi):
    if request.method == "GET":  # ask first: the page changes nothing
        if agreement.status != AgreementStatus.DRAFT:
            return _not_draft(agreement)
        return confirmation_page(
            title=f"Are you sure you want to remove the service level “{kpi.measure}”?",
            consequences=[
                f"“{kpi.measure}” is taken out of the draft of agreement "
                f"{agreement.reference}.",
                "The provider will not report against it once the agreement is signed.",
            ],
            undo_note="To measure it again, add it to the draft as a new service level.",
            button_text="Remove the service level",
            cancel_href=url_for("agreements.edit_kpi", agreement_id=agreement.id,
                                kpi_id=kpi.id),
            form=RemoveKpiForm(formdata=None, data={"lock_version": agreement.lock_version}),
        )
    form = RemoveKpiForm()
    if not form.validate_on_submit():
        abort(400)
    measure = kpi.measure
    try:
        service.remove_kpi(current_user, kpi, form.lock_version.data)
    except Conflict:
        raise
    except ServiceError as error:
        flash(error.message, "error")
        return _back(agreement)
    flash(f"Service level “{measure}” removed.", "success")
    return _back(agreement)
