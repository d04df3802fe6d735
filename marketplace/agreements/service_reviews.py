"""Service reviews of a signed agreement, for both sides: the CCG's at /agreements/<id>/...,
the provider's at /customers/agreements/<id>/...; the BDU reads the CCG's pages.

The same views serve both blueprints; ``side`` is the blueprint's name, for the links."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from marketplace.access import allow, owns, roles
from marketplace.models import Agreement, Role, ServiceReviewAction
from marketplace.policies import may
from marketplace.services import service_reviews as service
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, ServiceError

from . import bp, customers_bp
from .forms import ActionDoneForm, ServiceReviewForm


def _render_list(agreement: Agreement, side: str, error: str | None = None, status: int = 200):
    reviews = service.reviews_of(agreement)
    can_act = may(current_user, "party", agreement)
    return render_template(
        "agreements/service-reviews.html", agreement=agreement, reviews=reviews, side=side,
        for_provider=side == "customers", can_act=can_act, state_of=service.state_of,
        done_forms={action.id: ActionDoneForm(formdata=None, prefix=f"action-{action.id}",
                                              data={"lock_version": action.lock_version})
                    for review in reviews for action in review.actions
                    if can_act and action.done_on is None},
        error=error), status


def _actions(form: ServiceReviewForm) -> list[service.ActionInput]:
    return [service.ActionInput(description=description.data or "", owner=owner.data or "",
                                due_on=due.data)
            for _number, description, owner, due in form.action_rows()]


def _new(agreement: Agreement, side: str):
    form = ServiceReviewForm()
    status = 200
    if form.validate_on_submit():
        try:
            service.record_review(current_user, agreement, form.held_on.data,
                                  form.attendees.data or "", form.notes.data or "",
                                  _actions(form))
        except FieldErrors as errors:
            status = 400
            for field, message in errors.errors:
                form.set_error(field, message)
        except ServiceError as error:
            status = 400
            form.refuse(error)
        else:
            flash("The service review is recorded.", "success")
            return redirect(url_for(f"{side}.service_reviews", agreement_id=agreement.id))
    elif request.method == "POST":
        status = 400
    return render_template("agreements/service-review-form.html", agreement=agreement,
                           form=form, side=side, for_provider=side == "customers"), status


def _done(agreement: Agreement, action: ServiceReviewAction, side: str):
    form = ActionDoneForm(prefix=f"action-{action.id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        service.mark_action_done(current_user, action, form.lock_version.data)
    except Conflict as error:
        return _render_list(agreement, side, error.message, 409)
    except ServiceError as error:
        return _render_list(agreement, side, error.message, 400)
    flash(f"Action “{action.description[:80]}” is done.", "success")
    return redirect(url_for(f"{side}.service_reviews", agreement_id=agreement.id))


# The CCG's side (and the BDU's, reading).


@bp.route("/<int:agreement_id>/service-reviews")
@allow(roles(Role.CCG_USER, Role.BDU_REVIEWER))
@owns("agreement_id", Agreement)
def service_reviews(agreement: Agreement):
    return _render_list(agreement, "agreements")


@bp.route("/<int:agreement_id>/service-reviews/new", methods=["GET", "POST"])
@owns("agreement_id", Agreement, "party")
def new_service_review(agreement: Agreement):
    return _new(agreement, "agreements")


@bp.post("/<int:agreement_id>/review-actions/<int:action_id>/done")
@owns("agreement_id", Agreement, "party")
@owns("action_id", ServiceReviewAction, "complete", of="agreement")
def review_action_done(agreement: Agreement, action: ServiceReviewAction):
    return _done(agreement, action, "agreements")


# The provider's side.


@customers_bp.route("/agreements/<int:agreement_id>/service-reviews", endpoint="service_reviews")
@owns("agreement_id", Agreement)
def service_reviews_for_provider(agreement: Agreement):
    return _render_list(agreement, "customers")


@customers_bp.route("/agreements/<int:agreement_id>/service-reviews/new",
                    methods=["GET", "POST"], endpoint="new_service_review")
@owns("agreement_id", Agreement, "party")
def new_service_review_for_provider(agreement: Agreement):
    return _new(agreement, "customers")


@customers_bp.post("/agreements/<int:agreement_id>/review-actions/<int:action_id>/done",
                   endpoint="review_action_done")
@owns("agreement_id", Agreement, "party")
@owns("action_id", ServiceReviewAction, "complete", of="agreement")
def review_action_done_for_provider(agreement: Agreement, action: ServiceReviewAction):
    return _done(agreement, action, "customers")
