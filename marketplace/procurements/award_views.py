"""Evaluating and deciding: an evaluator's scores, the lead's moderation, the ranking, the
award or "none suitable" (each confirmed on its own page), the letters, and answers to
bidders' questions in the standstill window.

Who may do what is the services' business (services/evaluation.py, services/awards.py); a
refusal about the input is shown at its field, anything else goes to the app-wide pages.
"""

from io import BytesIO

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from marketplace.access import owns
from marketplace.domain.procurement import PRICE_FORMULA, STANDSTILL_RULE
from marketplace.models import Bid, Clarification, ClarificationStage, DecisionLetter, Procurement
from marketplace.refusals import attempt
from marketplace.services import awards, evaluation
from marketplace.services.buying_common import lock_version_from
from marketplace.services.errors import NotFound, PermissionDenied
from marketplace.services.evaluation import ScoreInput
from marketplace.services.procurement_access import is_lead_user

from . import bp
from .award_forms import (
    AwardForm,
    ConfirmForm,
    DecisionAnswerForm,
    NoneSuitableForm,
    scores_form_class,
)
from .views import kept_response_body, owned_procurement, question_at

LETTERS_REFUSED = "Only the buying CCGs read the decision letters"

# An evaluator's pages read the evaluators, the criteria (on the procurement's rows) and the
# responses with their providers, a query each; the response the URL names is among them.
EVALUATING = (
    selectinload(Procurement.evaluators), joinedload(Procurement.criteria),
    selectinload(Procurement.bids).joinedload(Bid.provider),
)


def _score_inputs(form, criteria) -> list[ScoreInput]:
    return [ScoreInput(c.id, form[f"score_{c.id}"].data, form[f"reason_{c.id}"].data)
            for c in criteria]


def _require_evaluator(procurement):
    if evaluation.evaluator_row(current_user, procurement) is None:
        raise PermissionDenied("Only the evaluators named for this procurement "
                                          "score its responses")


# --- an evaluator's scores -----------------------------------------------------------------


@bp.route("/<int:procurement_id>/evaluation")
@owned_procurement(load=(*EVALUATING, selectinload(Procurement.bids).selectinload(Bid.scores)))
def evaluation_index(procurement):
    _require_evaluator(procurement)
    return render_template(
        "procurements/evaluation.html", procurement=procurement,
        bids=evaluation.bids_to_evaluate(procurement),
        progress=evaluation.progress(current_user, procurement),
        criteria=evaluation.quality_criteria(procurement),
        submitted=evaluation.has_submitted(current_user, procurement),
        scoring_open=evaluation.scoring_open(procurement),
        missing=evaluation.missing_scores(current_user, procurement))


@bp.route("/<int:procurement_id>/evaluation/<int:bid_id>", methods=["GET", "POST"])
@owned_procurement(load=EVALUATING)
@owns("bid_id", Bid, of="procurement")
def score(procurement, bid):
    _require_evaluator(procurement)
    bid = evaluation.bid_to_evaluate(procurement, bid.id)
    criteria = evaluation.quality_criteria(procurement)
    own = evaluation.own_scores(current_user, bid)
    data = {}
    for criterion_id, row in own.items():
        data[f"score_{criterion_id}"] = str(row.score)
        data[f"reason_{criterion_id}"] = row.reason
    form = scores_form_class(criteria)(data=data if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: evaluation.save_scores(
            current_user, procurement, bid, _score_inputs(form, criteria)))
        if done is not None:
            flash(f"Your scores for {bid.provider.name} have been saved.", "success")
            return redirect(url_for("procurements.evaluation_index",
                                    procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    return render_template(
        "procurements/score.html", form=form, procurement=procurement, bid=bid,
        criteria=criteria, body=kept_response_body(procurement, bid),
        submitted=evaluation.has_submitted(current_user, procurement),
        editable=evaluation.scoring_open(procurement)
        and not evaluation.has_submitted(current_user, procurement)), status


@bp.route("/<int:procurement_id>/evaluation/submit", methods=["GET", "POST"])
@owned_procurement()
def submit_scores(procurement):
    _require_evaluator(procurement)
    form = ConfirmForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: evaluation.submit_scores(current_user,
                                                                      procurement))
        if done is not None:
            flash("Your scores are submitted. You can now read the other evaluators' "
                  "submitted scores.", "success")
            return redirect(url_for("procurements.evaluation_index",
                                    procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    return render_template("procurements/submit-scores.html", form=form,
                           procurement=procurement,
                           missing=evaluation.missing_scores(current_user, procurement)), status


# --- moderation and ranking ----------------------------------------------------------------


@bp.route("/<int:procurement_id>/moderation")
@owned_procurement()
def moderation(procurement):
    return render_template(
        "procurements/moderation.html", procurement=procurement,
        sheets=evaluation.score_sheets(current_user, procurement),
        pending=evaluation.pending_evaluators(procurement),
        lead=is_lead_user(current_user, procurement),
        scoring_open=evaluation.scoring_open(procurement))


@bp.route("/<int:procurement_id>/moderation/<int:bid_id>", methods=["GET", "POST"])
@owned_procurement("lead", "Only the lead CCG moderates")
@owns("bid_id", Bid, of="procurement")
def moderate(procurement, bid):
    bid = evaluation.bid_to_evaluate(procurement, bid.id)
    sheet = next(s for s in evaluation.score_sheets(current_user, procurement)
                 if s.bid.id == bid.id)
    criteria = evaluation.quality_criteria(procurement)
    data = {"lock_version": str(bid.lock_version)}
    for moderated in bid.moderated_scores:
        data[f"score_{moderated.criterion_id}"] = str(moderated.score)
        data[f"reason_{moderated.criterion_id}"] = moderated.reason
    form = scores_form_class(criteria)(data=data if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: evaluation.moderate(
            current_user, procurement, bid, lock_version_from(form.lock_version.data),
            _score_inputs(form, criteria)))
        if done is not None:
            flash(f"The agreed scores for {bid.provider.name} have been saved.", "success")
            return redirect(url_for("procurements.moderation", procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    if status == 409:
        form.lock_version.data = str(bid.lock_version)
    return render_template("procurements/moderate.html", form=form, procurement=procurement,
                           bid=bid, sheet=sheet, criteria=criteria), status


@bp.route("/<int:procurement_id>/ranking")
@owned_procurement()
def ranking(procurement):
    return render_template(
        "procurements/ranking.html", procurement=procurement,
        ranking=evaluation.ranking_for(current_user, procurement),
        lead=is_lead_user(current_user, procurement),
        decidable=awards.decidable(procurement), formula=PRICE_FORMULA)


# --- deciding -------------------------------------------------------------------------------


def _fresh_lock(form, procurement, status: int) -> None:
    if request.method == "GET" or status == 409:
        form.lock_version.data = str(procurement.lock_version)


@bp.route("/<int:procurement_id>/award/<int:bid_id>", methods=["GET", "POST"])
@owned_procurement("lead", "Only the lead CCG decides")
@owns("bid_id", Bid, of="procurement")
def award(procurement, bid):
    found = evaluation.ranking(procurement)
    chosen = next(((ranked_bid, ranked) for ranked_bid, ranked in found.ranked
                   if ranked_bid.id == bid.id), None)
    if chosen is None:
        raise NotFound("There is no ranked response with that number")
    form = AwardForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: awards.award(
            current_user, procurement, lock_version_from(form.lock_version.data),
            bid_id=bid.id, rationale=form.rationale.data,
            departure_reason=form.departure_reason.data))
        if done is not None:
            ends = done.standstill_ends_on
            flash(f"{procurement.reference} is awarded to {chosen[0].provider.name}. Every "
                  "bidder has been sent a decision letter"
                  + (f"; standstill runs to the end of {ends:%-d %B %Y}." if ends else "."),
                  "success")
            return redirect(url_for("procurements.show", procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template(
        "procurements/award.html", form=form, procurement=procurement, bid=chosen[0],
        ranked=chosen[1], top=found.ranked[0][0] if found.ranked else None,
        standstill_rule=STANDSTILL_RULE), status


@bp.route("/<int:procurement_id>/none-suitable", methods=["GET", "POST"])
@owned_procurement("lead", "Only the lead CCG decides")
def none_suitable(procurement):
    form = NoneSuitableForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: awards.none_suitable(
            current_user, procurement, lock_version_from(form.lock_version.data),
            form.rationale.data))
        if done is not None:
            flash(f"{procurement.reference} is closed with none of the responses suitable. "
                  "Every bidder has been sent a decision letter.", "success")
            return redirect(url_for("procurements.show", procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    _fresh_lock(form, procurement, status)
    return render_template("procurements/none-suitable.html", form=form,
                           procurement=procurement,
                           count=len(evaluation.bids_to_evaluate(procurement))), status


# --- letters and questions about the decision ---------------------------------------------


@bp.route("/<int:procurement_id>/letters")
@owned_procurement("party", LETTERS_REFUSED)
def letters(procurement):
    return render_template("procurements/letters.html", procurement=procurement,
                           letters=awards.letters_for(procurement))


@bp.route("/<int:procurement_id>/letters/<int:letter_id>")
@owned_procurement("party", LETTERS_REFUSED)
@owns("letter_id", DecisionLetter, of="procurement", name="found")
def letter(procurement, found):
    return letter_response(found)


def letter_response(found):
    """The issued bytes, never cached by a shared cache (a letter is one bidder's business)."""
    response = send_file(BytesIO(awards.letter_content(found)), mimetype="application/pdf",
                         as_attachment=True, download_name=found.filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-SHA256"] = found.sha256
    return response


@bp.route("/<int:procurement_id>/decision-questions/<int:clarification_id>/answer",
          methods=["GET", "POST"])
@owned_procurement()
@owns("clarification_id", Clarification, of="procurement", name="question",
      find=question_at(ClarificationStage.STANDSTILL))
def answer_decision_question(procurement, question):
    form = DecisionAnswerForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: awards.answer_decision_question(
            current_user, question, form.answer.data))
        if done is not None:
            flash(f"Your answer has been given to {question.asked_by_organisation.name}.",
                  "success")
            return redirect(url_for("procurements.show", procurement_id=procurement.id,
                                    _anchor="decision"))
    elif request.method == "POST":
        status = 400
    return render_template("procurements/answer-decision-question.html", form=form,
                           procurement=procurement, question=question), status
