"""A CSS's business plans: versions, narrative, financial model by form or workbook."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from marketplace.access import load, owns
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import SCORECARD_PERSPECTIVES, BusinessPlan, Organisation, OrganisationKind
from marketplace.refusals import flash_refusal
from marketplace.services import business_plans, plan_workbook
from marketplace.services.assurance import analysis_for
from marketplace.services.business_plans import PlanInvalid
from marketplace.services.errors import Conflict, ServiceError

from . import bp
from .financial_form import grid_from_form, grid_from_model, raw_from_grid
from .forms import FinancialModelForm, PlanNarrativeForm, WorkbookForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _region_ccgs() -> list[Organisation]:
    organisation = current_user.organisation
    if organisation.region_id is None:
        return []
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.CCG, Organisation.region_id == organisation.region_id
    ).order_by(Organisation.ods_code)))


@bp.route("/plans")
def plans():
    return render_template(
        "checkpoints/plans.html", title="Business plans",
        plans=business_plans.plans_for(current_user.organisation_id),
        draft=business_plans.draft_for(current_user.organisation_id),
        form=FinancialModelForm(),
    )


@bp.post("/plans/new")
def new_plan():
    form = FinancialModelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        plan = business_plans.start_version(current_user, current_user.organisation)
    except ServiceError as error:
        flash_refusal(error)
        return redirect(url_for("checkpoints.plans"))
    flash(f"Version {plan.version} started.", "success")
    return redirect(url_for("checkpoints.plan", plan_id=plan.id))


def _render_plan(plan: BusinessPlan, upload_form=None, status: int = 200, analysis=None):
    previous = business_plans.previous_version(plan)
    return render_template(
        "checkpoints/plan.html", title=f"Business plan version {plan.version}", plan=plan,
        previous=previous,
        changes=business_plans.differences(previous, plan) if previous else [],
        tables=business_plans.figure_tables(plan.financial_model),
        perspectives=SCORECARD_PERSPECTIVES, upload_form=upload_form or WorkbookForm(),
        form=upload_form, analysis=analysis,
    ), status


@bp.route("/plans/<int:plan_id>")
@owns("plan_id", BusinessPlan)
def plan(plan):
    return _render_plan(plan)


@bp.route("/plans/<int:plan_id>/check")
@owns("plan_id", BusinessPlan)
def check_plan(plan):
    """The BDU's checks on the plan as it stands, so a CSS sees the flags before it submits."""
    return _render_plan(plan, analysis=analysis_for(plan))


@bp.route("/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@owns("plan_id", BusinessPlan, "edit")
def edit_plan(plan):
    if plan.is_submitted:
        flash(f"Version {plan.version} was submitted and cannot change; start a new version.",
              "error")
        return redirect(url_for("checkpoints.plan", plan_id=plan.id))
    data = None
    if request.method == "GET":
        data = plan.narrative() | {f"scorecard_{k}": v
                                   for k, v in (plan.balanced_scorecard or {}).items()}
        data["lock_version"] = plan.lock_version
    form = PlanNarrativeForm(data=data)
    status = 200
    if form.validate_on_submit():
        narrative = {key: form[key].data or "" for key in plan.narrative()}
        scorecard = {key: form[f"scorecard_{key}"].data or "" for key in SCORECARD_PERSPECTIVES}
        try:
            business_plans.update_narrative(current_user, plan, narrative, scorecard,
                                            lock_version=form.lock_version.data)
        except Conflict as error:
            # Their words stay in the form, against the version now saved, to save again.
            status = 409
            form.form_errors.append(error.message)
            form.lock_version.data = plan.lock_version
            form.lock_version.raw_data = [str(plan.lock_version)]
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash("The plan has been saved.", "success")
            return redirect(url_for("checkpoints.plan", plan_id=plan.id))
    elif form.is_submitted():
        status = 400
    return render_template("checkpoints/plan-edit.html", title=f"Edit version {plan.version}",
                           plan=plan, form=form, perspectives=SCORECARD_PERSPECTIVES), status


@bp.route("/plans/<int:plan_id>/financial-model", methods=["GET", "POST"])
@owns("plan_id", BusinessPlan, "edit")
def financial_model(plan):
    if plan.is_submitted:
        abort(404)
    form = FinancialModelForm()
    specifications = plan_workbook.current_specifications()
    grid = grid_from_model(plan.financial_model, [c.ods_code for c in _region_ccgs()],
                           [spec.code for spec in specifications])
    status = 400 if form.is_submitted() else 200  # until the figures are saved
    if form.validate_on_submit():
        grid = grid_from_form(request.form)
        raw, problems = raw_from_grid(grid)
        try:
            if problems:
                raise ServiceError(problems[0])
            business_plans.set_financial_model(current_user, plan, raw, source="form")
        except PlanInvalid as invalid:
            form.form_errors.extend(invalid.messages())
        except ServiceError as error:
            if problems:
                form.form_errors.extend(problems)
            else:
                form.refuse(error)
        else:
            flash("The financial model has been saved.", "success")
            return redirect(url_for("checkpoints.plan", plan_id=plan.id))
    return render_template(
        "checkpoints/financial-model.html", title="Financial model", plan=plan, form=form,
        grid=grid, customer_names=plan_workbook.customer_names(),
        specification_names={spec.code: spec.name for spec in specifications}
        | {"other": "Other income"}), status


@bp.post("/plans/<int:plan_id>/financial-model/upload")
@owns("plan_id", BusinessPlan, "edit")
def upload_financial_model(plan):
    form = WorkbookForm()
    if form.validate_on_submit():
        upload = form.workbook.data
        try:
            if not upload or not upload.filename:
                raise ServiceError("Choose the completed template to upload", field="workbook")
            content = upload.read(plan_workbook.MAX_WORKBOOK_BYTES + 1)
            raw = plan_workbook.read_upload(content)
            business_plans.set_financial_model(current_user, plan, raw, source="workbook")
        except PlanInvalid as invalid:
            form.workbook.errors = invalid.messages()
        except ServiceError as error:
            form.refuse(error, error.field or "workbook")
        else:
            flash("The financial model has been read from the workbook and saved.", "success")
            return redirect(url_for("checkpoints.plan", plan_id=plan.id))
    return _render_plan(plan, form, 400)


@bp.route("/financial-model-template.xlsx")
def financial_model_template():
    plan_id = whole_number(request.args.get("plan_id", ""))
    plan = load(BusinessPlan, plan_id) if plan_id else None
    content = plan_workbook.template(plan, _region_ccgs())
    name = f"financial-model-v{plan.version}.xlsx" if plan else "financial-model-template.xlsx"
    return Response(content, mimetype=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
