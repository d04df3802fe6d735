from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import PUBLIC, allow, load, owns, roles
from marketplace.domain.money import ZERO, format_money
from marketplace.domain.reckoner import FixedCost, ReckonerInputs, compute
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.forms import BaseForm
from marketplace.models import FinancialYearAllowance, Offer, Role, Scenario
from marketplace.policies import may
from marketplace.services import scenarios as service
from marketplace.services.errors import Conflict, ServiceError
from marketplace.services.shortlists import shortlist_views

from . import bp
from .exports import XLSX_TYPE, csv_text, workbook_bytes
from .forms import (
    ROWS_ADDED,
    AllowanceForm,
    CompareForm,
    EditScenarioForm,
    OfferChoiceForm,
    QuickReckonerForm,
    ScenarioForm,
    form_data_from,
)
from .presenters import present

CCG_ONLY = roles(Role.CCG_USER)
DEFAULT_YEAR = "2013/14"


def _year_choices(allowances) -> list[tuple[str, str]]:
    return [(year, f"{year} ({format_money(rate)} per head)") for year, rate in allowances.items()]


def _scenario_form(initial: dict | None, form_class=ScenarioForm) -> ScenarioForm:
    form = form_class() if request.method == "POST" else form_class(data=initial)
    form.financial_year.choices = _year_choices(service.allowances())
    return form


def _asked_for_rows() -> bool:
    return request.form.get("add_rows") in ("fixed_costs", "in_house", "lines")


def _save(form: ScenarioForm, action):
    """Run a save unless the person asked for more rows; None means show the form again
    (with a 400 unless _asked_for_rows: the input was refused)."""
    kind = request.form.get("add_rows")
    if _asked_for_rows():
        form.add_blank_rows(kind, ROWS_ADDED)
        return None
    if not form.validate_on_submit():
        return None
    try:
        return action(form.to_input())
    except ServiceError as error:
        form.refuse(error)
        return None


@bp.route("/scenarios")
def scenarios():
    own = None if current_user.has_role(Role.BDU_REVIEWER) else current_user.organisation_id
    return render_template(
        "reckoner/scenarios.html", scenarios=service.scenarios_for(own), reviewer=own is None
    )


@bp.route("/scenarios/new", methods=["GET", "POST"])
@allow(CCG_ONLY)
def new_scenario():
    organisation = current_user.organisation
    allowances = service.allowances()
    initial = form_data_from(
        service.ScenarioInput(
            name="",
            population=organisation.population,
            financial_year=DEFAULT_YEAR if DEFAULT_YEAR in allowances else next(iter(allowances)),
            fixed_costs=service.default_fixed_costs(),
        ),
        {},
    )
    form = _scenario_form(initial)
    status = 200
    if request.method == "POST":
        scenario = _save(form, lambda data: service.create_scenario(current_user, data))
        if scenario is not None:
            flash(f"Scenario “{scenario.name}” saved.", "success")
            return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
        status = 200 if _asked_for_rows() else 400
    form.add_blank_rows()
    return render_template("reckoner/scenario-form.html", form=form, scenario=None), status


@bp.route("/scenarios/<int:scenario_id>")
@owns("scenario_id", Scenario, find=service.with_outcome_read)
def scenario(scenario: Scenario):
    return _scenario_page(scenario)


def _scenario_page(scenario: Scenario, refused: BaseForm | None = None):
    """``refused``: a button's form sent back with why, shown in the error summary (400)."""
    return render_template(
        "reckoner/scenario.html",
        scenario=scenario,
        report=present(service.outcome(scenario)),
        used_in=service.statement_lines_used(scenario),
        can_change=may(current_user, "edit", scenario),
        form=refused,
        action_form=BaseForm(formdata=None),
    ), 400 if refused is not None else 200


@bp.route("/scenarios/<int:scenario_id>/edit", methods=["GET", "POST"])
@allow(CCG_ONLY)
@owns("scenario_id", Scenario, "edit")
def edit_scenario(scenario: Scenario):
    scenario_id = scenario.id
    if not scenario.is_draft:
        flash("A final scenario cannot be changed. Copy it to make a new draft.")
        return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
    partner_codes = {
        index: ", ".join(partner.ods_code for partner in line.partners)
        for index, line in enumerate(scenario.lines)
    }
    initial = form_data_from(service.input_from(scenario), partner_codes)
    form = _scenario_form(initial | {"lock_version": scenario.lock_version}, EditScenarioForm)
    status = 200
    if request.method == "POST":
        try:
            saved = _save(form, lambda data: service.update_scenario(
                current_user, scenario, data, lock_version=form.lock_version.data))
        except Conflict as error:
            if db.session.get(Scenario, scenario_id) is None:  # deleted meanwhile
                flash(error.message, "error")
                return redirect(url_for("reckoner.scenarios"), code=303)
            # Their figures stay in the form, against the version now saved, to save again.
            saved, status = None, 409
            form.form_errors.append(error.message)
            form.lock_version.data = scenario.lock_version
            form.lock_version.raw_data = [str(scenario.lock_version)]
        if saved is not None:
            flash(f"Scenario “{saved.name}” saved.", "success")
            return redirect(url_for("reckoner.scenario", scenario_id=saved.id))
        if status == 200 and not _asked_for_rows():
            status = 400
    form.add_blank_rows()
    return render_template("reckoner/scenario-form.html", form=form, scenario=scenario), status


@bp.route("/scenarios/<int:scenario_id>/offers", methods=["GET", "POST"])
@allow(CCG_ONLY)
@owns("scenario_id", Scenario, "edit")
def price_from_offer(scenario: Scenario):
    if not scenario.is_draft:
        flash("A final scenario cannot be changed. Copy it to make a new draft.")
        return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
    form = OfferChoiceForm()
    if form.validate_on_submit():
        try:
            service.price_line_from_offer(
                current_user, scenario, db.session.get(Offer, form.offer_id.data)
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            flash("The line is now priced from the offer.", "success")
            return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
    return render_template(
        "reckoner/price-from-offer.html",
        scenario=scenario,
        form=form,
        shortlists=shortlist_views(current_user.organisation),
    )


@bp.route("/scenarios/<int:scenario_id>/copy", methods=["POST"])
@allow(CCG_ONLY)
@owns("scenario_id", Scenario, "edit")
def copy_scenario(scenario: Scenario):
    if not BaseForm().validate_on_submit():
        flash("The form had expired. Try copying the scenario again.")
        return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
    copy = service.copy_scenario(current_user, scenario)
    flash(f"Copied as “{copy.name}”, a draft you can change.", "success")
    return redirect(url_for("reckoner.edit_scenario", scenario_id=copy.id))


@bp.route("/scenarios/<int:scenario_id>/finalise", methods=["POST"])
@allow(CCG_ONLY)
@owns("scenario_id", Scenario, "edit")
def finalise_scenario(scenario: Scenario):
    form = BaseForm()
    if not form.validate_on_submit():
        expired = BaseForm(formdata=None)
        expired.form_errors.append("The page had expired: mark the scenario as final again.")
        return _scenario_page(scenario, expired)
    try:
        service.finalise_scenario(current_user, scenario)
    except ServiceError as error:
        form.refuse(error)  # already final, or not this CCG's: their app-wide pages
        return _scenario_page(scenario, form)
    flash(f"Scenario “{scenario.name}” is now final.", "success")
    return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))


@bp.route("/scenarios/<int:scenario_id>/delete", methods=["GET", "POST"])
@allow(CCG_ONLY)
@owns("scenario_id", Scenario, "edit")
def delete_scenario(scenario: Scenario):
    form = BaseForm()
    if not scenario.is_draft:
        flash("Only a draft scenario can be deleted.")
        return redirect(url_for("reckoner.scenario", scenario_id=scenario.id))
    if form.validate_on_submit():
        name = scenario.name
        service.delete_scenario(current_user, scenario)
        flash(f"Scenario “{name}” deleted.", "success")
        return redirect(url_for("reckoner.scenarios"))
    return render_template("reckoner/delete.html", scenario=scenario, form=form)


@bp.route("/scenarios/compare")
def compare():
    reviewer = current_user.has_role(Role.BDU_REVIEWER)
    available = service.scenarios_for(None if reviewer else current_user.organisation_id)
    form = CompareForm(request.args)
    choices = [("", "Choose a scenario")] + [
        (str(s.id), f"{s.name} ({s.organisation.name})" if reviewer else s.name)
        for s in available
    ]
    form.a.choices = form.b.choices = choices
    reports = []
    chosen = [request.args.get("a", ""), request.args.get("b", "")]
    if all(chosen):
        for field, value in zip((form.a, form.b), chosen, strict=True):
            if whole_number(value) is None:
                field.errors = ["Choose a scenario from the list"]
        if not form.a.errors and not form.b.errors:
            reports = [present(service.outcome(load(Scenario, whole_number(value))))
                       for value in chosen]
    refused = bool(form.a.errors or form.b.errors)
    return render_template("reckoner/compare.html", form=form, reports=reports,
                           has_choices=len(available) >= 2), 400 if refused else 200


@bp.route("/scenarios/<int:scenario_id>/export.xlsx")
@owns("scenario_id", Scenario)
def export_xlsx(scenario: Scenario):
    return Response(
        workbook_bytes(service.outcome(scenario)),
        mimetype=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="scenario-{scenario.id}.xlsx"'},
    )


@bp.route("/scenarios/<int:scenario_id>/export.csv")
@owns("scenario_id", Scenario)
def export_csv(scenario: Scenario):
    return Response(
        csv_text(service.outcome(scenario)),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="scenario-{scenario.id}.csv"'},
    )


@bp.route("/ready-reckoner")
@allow(PUBLIC)
def ready_reckoner():
    """Anyone may try the sums; nothing is saved, so a GET form will do."""
    allowances = service.allowances()
    form = QuickReckonerForm(request.args)
    form.financial_year.choices = _year_choices(allowances)
    result = None
    if request.args and form.validate():
        rate = form.allowance_per_head.data or allowances[form.financial_year.data]
        result = compute(
            ReckonerInputs(
                population=form.population.data,
                allowance_per_head=rate,
                fixed_costs=(FixedCost("fixed", form.fixed_costs.data or ZERO),),
                non_pay=form.in_house.data or ZERO,
                financial_year=None if form.allowance_per_head.data else form.financial_year.data,
            ),
            service.reckoner_thresholds(),
        )
    elif not request.args:
        form.financial_year.data = DEFAULT_YEAR
    return render_template("reckoner/ready-reckoner.html", form=form, result=result)


@bp.route("/admin/running-cost-allowances")
@allow(roles(Role.ADMIN))
def allowances():
    return render_template("reckoner/allowances.html", rows=service.allowance_rows())


@bp.route("/admin/running-cost-allowances/<int:allowance_id>/edit", methods=["GET", "POST"])
@allow(roles(Role.ADMIN))
@owns("allowance_id", FinancialYearAllowance, "edit", name="row")
def edit_allowance(row: FinancialYearAllowance):
    form = AllowanceForm(data=None if request.method == "POST" else {
        "allowance_per_head": row.allowance_per_head})
    if form.validate_on_submit():
        try:
            service.update_allowance(current_user, row, form.allowance_per_head.data)
        except ServiceError as error:
            form.refuse(error)
        else:
            flash(f"The {row.financial_year} allowance is now "
                  f"{format_money(row.allowance_per_head)} per head.", "success")
            return redirect(url_for("reckoner.allowances"))
    return render_template("reckoner/allowance-form.html", row=row, form=form)
