"""Setting a competition up: details and dates, criteria and weights, evaluators, who may
respond; then publishing it, or cancelling the procurement."""

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms.fields import SelectChoice

from marketplace import clock
from marketplace.refusals import attempt
from marketplace.services import procurements
from marketplace.services.buying_common import lock_version_from
from marketplace.services.procurements import CriterionInput

from . import bp
from .forms import (
    MAX_QUALITY_ROWS,
    CancelForm,
    ConfirmForm,
    DetailsForm,
    EvaluatorsForm,
    InviteesForm,
    criteria_form_class,
)
from .views import owned_procurement


def _back(procurement, message: str):
    flash(message, "success")
    return redirect(url_for("procurements.show", procurement_id=procurement.id))


def _fresh_lock(form, procurement, status: int) -> None:
    # A first visit, or a refusal because somebody else saved first: the next save is
    # checked against the procurement as the page now shows it.
    if request.method == "GET" or status == 409:
        form.lock_version.data = str(procurement.lock_version)


@bp.route("/<int:procurement_id>/details", methods=["GET", "POST"])
@owned_procurement()
def details(procurement):
    form = DetailsForm(obj=procurement if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.set_details(
            current_user, procurement, lock_version_from(form.lock_version.data),
            title=form.title.data, description=form.description.data,
            budget_shown=form.budget_shown.data,
            clarifications_close_at=form.clarifications_close_at.data,
            closes_at=form.closes_at.data))
        if done is not None:
            return _back(procurement, "The details have been saved.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/details.html", form=form, procurement=procurement,
                           now=clock.now()), status


def _criteria_inputs(form):
    """The criteria as typed (price first), and where each one's messages belong."""
    inputs = [CriterionInput("price", form.price_name.data, form.price_weight.data)]
    fields = {"name-0": "price_name", "weight-0": "price_weight", "guidance-0": "price_name"}
    for row in range(MAX_QUALITY_ROWS):
        name, weight = form[f"name_{row}"].data, form[f"weight_{row}"].data
        guidance = form[f"guidance_{row}"].data
        if not (name or weight or guidance):
            continue
        index = len(inputs)
        inputs.append(CriterionInput("quality", name, weight, guidance))
        fields.update({f"name-{index}": f"name_{row}", f"weight-{index}": f"weight_{row}",
                       f"guidance-{index}": f"guidance_{row}"})
    return inputs, fields


def _criteria_data(procurement) -> dict:
    data = {}
    quality = [c for c in procurement.criteria if c.kind == "quality"]
    for row, criterion in enumerate(quality[:MAX_QUALITY_ROWS]):
        data.update({f"name_{row}": criterion.name, f"guidance_{row}": criterion.guidance,
                     f"weight_{row}": str(criterion.weight)})
    price = next((c for c in procurement.criteria if c.kind == "price"), None)
    if price is not None:
        data.update(price_name=price.name, price_weight=str(price.weight))
    return data


@bp.route("/<int:procurement_id>/criteria", methods=["GET", "POST"])
@owned_procurement()
def criteria(procurement):
    form = criteria_form_class()(data=_criteria_data(procurement)
                                 if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        inputs, fields = _criteria_inputs(form)
        done, status = attempt(form, lambda: procurements.set_criteria(
            current_user, procurement, lock_version_from(form.lock_version.data), inputs),
            field_names=fields)
        if done is not None:
            return _back(procurement, "The criteria and weights have been saved.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/criteria.html", form=form, procurement=procurement,
                           rows=range(MAX_QUALITY_ROWS)), status


@bp.route("/<int:procurement_id>/evaluators", methods=["GET", "POST"])
@owned_procurement()
def evaluators(procurement):
    form = EvaluatorsForm(data={"user_ids": [e.user_id for e in procurement.evaluators]}
                          if request.method == "GET" else None)
    form.user_ids.choices = [SelectChoice(u.id, f"{u.full_name}, {u.organisation.name}")
                             for u in procurements.evaluator_choices(procurement)]
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.set_evaluators(
            current_user, procurement, lock_version_from(form.lock_version.data),
            form.user_ids.data))
        if done is not None:
            return _back(procurement, "The evaluators have been saved.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/evaluators.html", form=form,
                           procurement=procurement), status


@bp.route("/<int:procurement_id>/who-may-respond", methods=["GET", "POST"])
@owned_procurement()
def invitees(procurement):
    form = InviteesForm(data={
        "open_to": "all" if procurement.open_to_all_providers else "chosen",
        "organisation_ids": [org.id for org in procurement.invitees],
    } if request.method == "GET" else None)
    offering = procurements.providers_of_the_specifications(procurement)
    form.organisation_ids.choices = [
        SelectChoice(org.id, org.name + (" (has a published offer for these services)"
                                         if org.id in offering else ""))
        for org in procurements.invitee_choices()]
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.set_invitees(
            current_user, procurement, lock_version_from(form.lock_version.data),
            open_to_all=form.open_to.data == "all",
            organisation_ids=form.organisation_ids.data))
        if done is not None:
            return _back(procurement, "Who may respond has been saved.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/invitees.html", form=form, procurement=procurement,
                           offering_count=len(offering)), status


@bp.route("/<int:procurement_id>/publish", methods=["GET", "POST"])
@owned_procurement()
def publish(procurement):
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.publish(
            current_user, procurement, lock_version_from(form.lock_version.data)))
        if done is not None:
            return _back(procurement, f"Opportunity {procurement.reference} is published. "
                         f"It closes {clock.in_words(procurement.closes_at)}.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/publish.html", form=form, procurement=procurement,
                           check=procurements.recorded_route_check(procurement),
                           problems=procurements.publication_problems(procurement)), status


@bp.route("/<int:procurement_id>/cancel", methods=["GET", "POST"])
@owned_procurement()
def cancel(procurement):
    form = CancelForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.cancel(
            current_user, procurement, lock_version_from(form.lock_version.data),
            form.reason.data))
        if done is not None:
            return _back(procurement, f"Procurement {procurement.reference} is cancelled.")
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/cancel.html", form=form,
                           procurement=procurement), status
