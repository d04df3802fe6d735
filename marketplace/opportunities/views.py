from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from marketplace import clock
from marketplace.access import owns
from marketplace.domain import procurement as rules
from marketplace.domain.procurement import PRICE_FORMULA
from marketplace.models import Procurement
from marketplace.refusals import attempt
from marketplace.services import (
    agreements_from_awards,
    awards,
    bids,
    clarifications,
    procurements,
    statement_data,
)
from marketplace.services.procurement_access import (
    STATEMENT_LINES,
    may_respond,
    opportunities_for_provider,
    procurement_by_id,
)

from . import bp
from .forms import DecisionQuestionForm, QuestionForm


def owned_opportunity(load=()):
    """The opportunity the URL names if this provider may see it (404 otherwise), closed if
    its time is past; ``load``, loader options for what the page reads besides its
    statement."""
    return owns("procurement_id", Procurement, then=procurements.refresh_status,
                missing="There is no opportunity with that number",
                find=lambda procurement_id: procurement_by_id(procurement_id, STATEMENT_LINES,
                                                              *load))


# What the opportunity page reads besides the statement: a query for each.
SHOWN = (joinedload(Procurement.decision), joinedload(Procurement.criteria),
         selectinload(Procurement.clarifications))


@bp.route("")
def index():
    found = [procurements.refresh_status(p) for p in opportunities_for_provider(current_user)]
    responses = bids.responses_for(current_user.organisation_id, found)
    return render_template("opportunities/index.html", opportunities=found,
                           responses=responses)


def _render_show(procurement, form, status=200, decision_form=None):
    now = clock.now()
    open_for_questions = procurement.status == "open" and rules.is_open_for_questions(
        now, procurement.clarifications_close_at)
    open_for_responses = procurement.status == "open" and rules.is_open_for_responses(
        now, procurement.closes_at)
    return render_template(
        "opportunities/show.html", procurement=procurement, form=form,
        specifications=statement_data.specifications(procurement.statement),
        populations=statement_data.populations(procurement.statement),
        answers=clarifications.published_answers(procurement),
        own_questions=[q for q in clarifications.questions_from(current_user.organisation_id,
                                                                procurement)
                       if not q.is_answered],
        response=bids.response_for(current_user.organisation_id, procurement),
        # Read only while questions or responses are open (its eligibility is a query).
        may_respond=(open_for_questions or open_for_responses)
        and may_respond(current_user, procurement),
        open_for_questions=open_for_questions, open_for_responses=open_for_responses,
        formula=PRICE_FORMULA,
        decision=procurement.decision,
        letters=awards.own_letters(current_user, procurement),
        decision_questions=awards.decision_questions_from(current_user, procurement),
        may_ask_about_decision=awards.standstill_open(procurement)
        and awards.own_letters(current_user, procurement) != [],
        decision_form=decision_form or DecisionQuestionForm(formdata=None),
        # The winner's own agreements from this award, to countersign in its account.
        agreements=[a for a in agreements_from_awards.agreements_for_procurement(procurement)
                    if current_user.belongs_to(a.provider_id)],
    ), status


@bp.route("/<int:procurement_id>")
@owned_opportunity(load=SHOWN)
def show(procurement):
    return _render_show(procurement, QuestionForm(formdata=None))


@bp.post("/<int:procurement_id>/questions")
@owned_opportunity(load=SHOWN)
def ask(procurement):
    form = QuestionForm()
    if form.validate_on_submit():
        done, status = attempt(form, lambda: clarifications.ask(current_user, procurement,
                                                                form.question.data))
        if done is not None:
            flash("Your question has been sent. Its answer will be published here for every "
                  "provider, without naming you.", "success")
            return redirect(url_for("opportunities.show", procurement_id=procurement.id,
                                    _anchor="questions"))
    else:
        status = 400
    return _render_show(procurement, form, status)
