"""A bidder after the decision: its own decision letter, and its questions about the
decision in the standstill window (answered to it alone)."""

from flask import flash, redirect, url_for
from flask_login import current_user

from marketplace.procurements.award_forms import DecisionQuestionForm
from marketplace.procurements.award_views import letter_response
from marketplace.refusals import attempt
from marketplace.services import awards

from . import bp
from .views import _render_show, load


@bp.route("/<int:procurement_id>/letters/<int:letter_id>")
def letter(procurement_id: int, letter_id: int):
    procurement = load(procurement_id)
    return letter_response(awards.letter_for(current_user, procurement, letter_id))


@bp.post("/<int:procurement_id>/decision-questions")
def ask_about_decision(procurement_id: int):
    procurement = load(procurement_id)
    form = DecisionQuestionForm()
    if form.validate_on_submit():
        done, status = attempt(form, lambda: awards.ask_about_decision(
            current_user, procurement, form.question.data))
        if done is not None:
            flash("Your question has been sent to the buying CCG. Its answer will be shown "
                  "here, to your organisation alone.", "success")
            return redirect(url_for("opportunities.show", procurement_id=procurement.id,
                                    _anchor="decision"))
    else:
        status = 400
    # The decision form is the page's form too, so the error summary lists its messages
    # (the tender question form is not shown after the decision).
    return _render_show(procurement, form, status, decision_form=form)
