from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace.access import owns
from marketplace.domain.procurement import PRICE_FORMULA
from marketplace.extensions import db
from marketplace.models import (
    Bid,
    BidAttachment,
    Clarification,
    ClarificationStage,
    Procurement,
    ProcurementEvaluator,
    Role,
    Statement,
    StatementStatus,
    User,
)
from marketplace.policies import may
from marketplace.refusals import attempt
from marketplace.services import (
    agreements_from_awards,
    awards,
    bids,
    clarifications,
    evaluation,
    market_cache,
    procurements,
    statement_data,
)
from marketplace.services.buying_common import lock_version_from
from marketplace.services.procurement_access import (
    STATEMENT_LINES,
    is_lead_user,
    procurement_to_check,
    procurements_for_buyer,
    with_page_loads,
)

from . import bp
from .forms import AnswerForm, RouteForm


def owned_procurement(action: str = "view", refused: str | None = None, load=()):
    """The procurement the URL names if the user may ``action`` it (404 for those who may
    not see it, 403 otherwise), closed if its time is past; ``load``, loader options for
    what the page reads besides its statement, read only once the user may."""
    return owns("procurement_id", Procurement, action,
                then=lambda procurement: procurements.refresh_status(
                    with_page_loads(procurement, *load)),
                refused=refused, find=procurement_to_check)


def kept_response_body(procurement, bid) -> Markup:
    """A submitted response's prices, answers and attachments as the buyers' pages show them
    (procurements/response-body.html). A submitted response changes only by being withdrawn,
    and that, as every change, writes an audit event: kept until the market changes, where
    drawing it read the response's lines, answers and attachments and the statement's lines
    with their specifications and CCGs."""
    def draw() -> str:
        loaded = with_page_loads(procurement, STATEMENT_LINES)
        return render_template("procurements/buyers-response-body.html", bid=bid,
                               guides=bids.line_guides(loaded),
                               criteria=bids.quality_criteria(loaded))

    return Markup(market_cache.remembered(
        {"page": "procurements.response body", "bid": bid.id}, draw))


def question_at(stage: str):
    """Finds a question asked at this stage (the tender, or about the decision)."""
    def find(clarification_id: int):
        found = db.session.get(Clarification, clarification_id)
        return found if found is not None and found.stage == stage else None
    return find


def _ready_statements():
    if current_user.role != Role.CCG_USER:
        return []
    return db.session.scalars(
        select(Statement).where(Statement.lead_ccg_id == current_user.organisation_id,
                                Statement.status == StatementStatus.READY)
        .order_by(Statement.title)).all()


@bp.route("")
def index():
    found = [procurements.refresh_status(p) for p in procurements_for_buyer(current_user)]
    return render_template("procurements/index.html", procurements=found,
                           statements=_ready_statements())


@bp.route("/start/<int:statement_id>", methods=["GET", "POST"])
@owns("statement_id", Statement, "start", hide=True)
def start(statement):
    form = RouteForm()
    status = 200
    if form.validate_on_submit():
        procurement, status = attempt(form, lambda: procurements.start_procurement(
            current_user, statement, form.route.data, form.route_reason.data))
        if procurement is not None:
            _flash_route(procurement, f"Procurement {procurement.reference} started.")
            return redirect(url_for("procurements.show", procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    checks = {route: procurements.route_check(statement, route)
              for route in ("further_competition", "direct_award")}
    return render_template("procurements/start.html", form=form, statement=statement,
                           checks=checks, specifications=statement_data.specifications(
                               statement)), status


def _flash_route(procurement, message: str) -> None:
    flash(message, "success")
    warning = procurements.recorded_route_check(procurement).warning
    if warning:
        flash(warning, "warning")


# What the procurement page reads besides the statement and its parties: a query for each,
# none for each line, evaluator or question.
SHOWN = (
    STATEMENT_LINES, joinedload(Procurement.threshold), joinedload(Procurement.decision),
    joinedload(Procurement.criteria),
    selectinload(Procurement.evaluators).joinedload(ProcurementEvaluator.user)
    .joinedload(User.organisation),
    selectinload(Procurement.clarifications).joinedload(Clarification.asked_by_organisation),
)


@bp.route("/<int:procurement_id>")
@owned_procurement(load=SHOWN)
def show(procurement):
    lead = is_lead_user(current_user, procurement)
    drafted = agreements_from_awards.agreements_for_procurement(procurement)
    eligible_count, submitted = bids.eligible_and_submitted_counts(procurement)
    return render_template(
        "procurements/show.html", procurement=procurement, lead=lead,
        check=procurements.recorded_route_check(procurement),
        specifications=statement_data.specifications(procurement.statement),
        populations=statement_data.populations(procurement.statement),
        eligible_count=eligible_count,
        questions=clarifications.questions_for_buyer(procurement),
        submitted=submitted,
        sealed=bids.is_sealed(procurement),
        problems=(procurements.publication_problems(procurement)
                  if lead and procurement.status == "draft" and procurement.is_competition
                  else []),
        formula=PRICE_FORMULA,
        decision=awards.decision_view(procurement),
        agreements=drafted,
        # Each CCG opens its own agreement; a partner's is named, not linked.
        opens_agreement={a.id for a in drafted if may(current_user, "view", a)},
        evaluator=evaluation.evaluator_row(current_user, procurement),
        sees_scores=evaluation.may_see_all_scores(current_user, procurement),
    )


@bp.route("/<int:procurement_id>/route", methods=["GET", "POST"])
@owned_procurement()
def change_route(procurement):
    form = RouteForm(obj=procurement if request.method == "GET" else None)
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: procurements.change_route(
            current_user, procurement, lock_version_from(form.lock_version.data),
            form.route.data, form.route_reason.data))
        if done is not None:
            _flash_route(procurement, "The route has been saved.")
            return redirect(url_for("procurements.show", procurement_id=procurement.id))
    elif request.method == "POST":
        status = 400
    if request.method == "GET" or status == 409:
        form.lock_version.data = str(procurement.lock_version)
    checks = {route: procurements.route_check(procurement.statement, route)
              for route in ("further_competition", "direct_award")}
    return render_template("procurements/route.html", form=form, procurement=procurement,
                           checks=checks), status


@bp.route("/<int:procurement_id>/questions/<int:clarification_id>/answer",
          methods=["GET", "POST"])
@owned_procurement()
@owns("clarification_id", Clarification, of="procurement", name="question",
      find=question_at(ClarificationStage.TENDER))
def answer(procurement, question):
    form = AnswerForm()
    status = 200
    if form.validate_on_submit():
        done, status = attempt(form, lambda: clarifications.answer(current_user, question,
                                                                   form.answer.data))
        if done is not None:
            flash("Your answer is published to every provider who may respond.", "success")
            return redirect(url_for("procurements.show", procurement_id=procurement.id,
                                    _anchor="questions"))
    elif request.method == "POST":
        status = 400
    return render_template("procurements/answer.html", form=form, procurement=procurement,
                           question=question), status


@bp.route("/<int:procurement_id>/responses")
@owned_procurement()
def responses(procurement):
    found = bids.responses_for_buyer(current_user, procurement)
    return render_template("procurements/responses.html", procurement=procurement,
                           responses=found, formula=PRICE_FORMULA)


@bp.route("/<int:procurement_id>/responses/<int:bid_id>")
@owned_procurement()
@owns("bid_id", Bid, of="procurement", find=bids.bid_with_lines)
def response(procurement, bid):
    found = bids.response_for_buyer(current_user, procurement, bid)
    return render_template("procurements/response.html", procurement=procurement,
                           response=found, body=kept_response_body(procurement, bid))


@bp.route("/<int:procurement_id>/responses/<int:bid_id>/attachments/<int:attachment_id>")
@owned_procurement()
@owns("bid_id", Bid, of="procurement")
@owns("attachment_id", BidAttachment, of="bid", name="item")
def attachment(procurement, bid, item):
    return send_file(bids.attachment_path(item), mimetype=item.content_type,
                     as_attachment=True, download_name=item.filename)
