"""Conditions and development actions: reviewers add them, then accept or reopen answers."""

from flask import flash, redirect, url_for
from flask_login import current_user

from marketplace.access import owns
from marketplace.models import Condition, DevelopmentAction, Review
from marketplace.services import follow_up
from marketplace.services.errors import ServiceError

from . import bp
from .forms import ActionForm, ConditionForm, DecisionForm
from .views import render_submission


@bp.post("/<int:review_id>/conditions")
@owns("review_id", Review, "follow_up")
def add_condition(review):
    form = ConditionForm()
    if form.validate_on_submit():
        try:
            follow_up.add_condition(current_user, review, form.text.data)
        except ServiceError as error:
            form.refuse(error, error.field or "text")
        else:
            flash("The condition has been added.", "success")
            return redirect(url_for("reviews.submission", submission_id=review.submission_id))
    return render_submission(review.submission, condition_form=form, status=400)


@bp.post("/<int:review_id>/actions")
@owns("review_id", Review, "follow_up")
def add_action(review):
    form = ActionForm()
    if form.validate_on_submit():
        try:
            follow_up.add_action(current_user, review, action=form.action.data,
                                 owner=form.owner.data, due_date=form.due_date.data)
        except ServiceError as error:
            form.refuse(error, error.field or "action")
        else:
            flash("The development action has been added.", "success")
            return redirect(url_for("reviews.submission", submission_id=review.submission_id))
    return render_submission(review.submission, action_form=form, status=400)


def _decide(item, decide):
    review = item.review
    form = DecisionForm(prefix=f"{type(item).__name__}-{item.id}")
    if form.validate_on_submit():
        try:
            decide(current_user, item, accept=form.decision.data == "accept",
                   note=form.note.data or "")
        except ServiceError as error:
            form.refuse(error, error.field or "note")
        else:
            flash("Accepted." if form.decision.data == "accept" else "Reopened.", "success")
            return redirect(url_for("reviews.submission", submission_id=review.submission_id))
    return render_submission(review.submission, decision_form=form, status=400)


@bp.post("/conditions/<int:condition_id>/decision")
@owns("condition_id", Condition, "decide")
def decide_condition(condition):
    return _decide(condition, follow_up.decide_condition)


@bp.post("/actions/<int:action_id>/decision")
@owns("action_id", DevelopmentAction, "decide")
def decide_action(action):
    return _decide(action, follow_up.decide_action)
