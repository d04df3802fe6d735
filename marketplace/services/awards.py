"""The decision: award (opening standstill) or "none suitable", each with a rationale; the
decision letters; bidders' questions in the standstill window; the end of standstill.

- Only the lead CCG's users decide, on the page drawn from the procurement's current
  lock_version, and never while providers' questions are still open or unanswered.
- An award needs the full ranking (every response moderated). It may go to a response other
  than the highest-ranked one, with a separate reason for that (domain award_errors).
- The decision keeps the ranking as it stood (ProcurementDecision.results). Every bidder's
  letter is rendered from it into a PDF and stored, with its SHA-256, in the decision's own
  transaction: a failed render leaves nothing decided. Letters are immutable
  (models/frozen.py); a correction would be a new version beside the first.
- The award opens standstill for the threshold's standstill_days (recorded when the
  procurement was published or started) ending as domain standstill_ends_on says; with no
  standstill days it is awarded at once. When standstill ends (a page read after its last
  day, or ``flask procurements close-due``) the procurement is AWARDED and
  ``on_standstill_ended`` runs in the same transaction.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace import clock, policies
from marketplace.domain import procurement as rules
from marketplace.extensions import db
from marketplace.models import (
    Bid,
    BidSource,
    Clarification,
    ClarificationStage,
    DecisionLetter,
    DecisionOutcome,
    Procurement,
    ProcurementDecision,
    ProcurementStatus,
    Role,
    StatementStatus,
    User,
)
from marketplace.reports import storage
from marketplace.reports.pdf import RenderError

from . import clarifications, evaluation, notifications
from .agreements_from_awards import draft_agreements_from_award
from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .decision_letter_render import letter_filename, render_letter_pdf
from .errors import Conflict, NotFound, PermissionDenied, ServiceError
from .ocds_releases import record_award_release, record_tender_release
from .procurement_access import require_lead
from .procurements import MAX_REASON, _move
from .transaction import on_conflict, transaction, transactional

log = logging.getLogger(__name__)

DECIDED_MEANWHILE = ("Somebody else changed this procurement after you opened the page, so "
                     "nothing was decided. Check it as it is now.")
QUESTIONS_OPEN = ("Providers' questions are still open or unanswered. Answer every question, "
                  "and wait for the last date for questions, before you decide.")
MAX_QUESTION = 2000
MAX_ANSWER = 5000


class LetterNotRendered(ServiceError):
    """A decision letter could not be rendered, so nothing was decided."""


# --- deciding ------------------------------------------------------------------------------


def decidable(procurement: Procurement) -> bool:
    return evaluation.scoring_open(procurement)


def _require_decidable(procurement: Procurement) -> None:
    if not decidable(procurement):
        raise Conflict(f"Procurement {procurement.reference} is "
                       f"{procurement.status_label.lower()}: it cannot be decided now.")
    if procurement.is_competition and clarifications.clarification_window_open(procurement):
        raise ServiceError(QUESTIONS_OPEN, field="rationale")


def _rationale(value, required: str) -> str:
    return clean_text(value, "rationale", MAX_REASON, required=required)


def letter_bids(procurement: Procurement) -> list[Bid]:
    """Who gets a letter: every provider that submitted a response to a competition. A
    direct award's candidates never bid, so they get none."""
    return [bid for bid in evaluation.bids_to_evaluate(procurement)
            if bid.source == BidSource.RESPONSE]


def _issue_letters(decision: ProcurementDecision) -> list[DecisionLetter]:
    letters = []
    for bid in letter_bids(decision.procurement):
        version = 1 + (db.session.scalar(select(func.max(DecisionLetter.version))
                                         .where(DecisionLetter.bid_id == bid.id)) or 0)
        try:
            content = render_letter_pdf(decision, bid, version=version)
        except RenderError as error:
            raise LetterNotRendered(f"The decision letter to {bid.provider.name} could not be "
                                    f"rendered, so nothing was decided: {error}") from error
        letter = DecisionLetter(
            procurement_id=decision.procurement_id, bid_id=bid.id, version=version,
            filename=letter_filename(bid, version), size_bytes=len(content),
            sha256=storage.sha256_hex(content), content=content,
            issued_at=decision.decided_at)
        db.session.add(letter)
        letters.append(letter)
    return letters


@transactional
def award(actor: User, procurement: Procurement, expected_lock_version, *, bid_id,
          rationale, departure_reason="") -> ProcurementDecision:
    require_lead(actor, procurement)
    evaluation.check_page_version(procurement, expected_lock_version, DECIDED_MEANWHILE)
    on_conflict(ProcurementDecision, DECIDED_MEANWHILE)
    _require_decidable(procurement)
    errors = []
    try:
        rationale = _rationale(rationale, "Say why this response is chosen")
    except ServiceError as error:
        errors.append((error.field, error.message))
    try:
        departure_reason = clean_text(departure_reason, "departure_reason", MAX_REASON)
    except ServiceError as error:
        errors.append((error.field, error.message))
    found = evaluation.ranking(procurement)
    if not found.is_complete:
        raise ServiceError("Every response needs agreed scores for every quality criterion "
                           "before the contract can be awarded", field="bid_id")
    errors += rules.award_errors([r for _b, r in found.ranked], bid_id, departure_reason)
    if errors:
        raise FieldErrors(errors)
    if not rules.departure_needed([r for _b, r in found.ranked], bid_id):
        departure_reason = ""
    winner = next(bid for bid, _r in found.ranked if bid.id == bid_id)
    now = clock.now()
    days = procurement.standstill_days
    target = ProcurementStatus.STANDSTILL if days > 0 else ProcurementStatus.AWARDED
    before = _move(procurement, target, "awarded")
    decision = ProcurementDecision(
        procurement=procurement, outcome=DecisionOutcome.AWARDED, winning_bid=winner,
        rationale=rationale, departure_reason=departure_reason,
        results=evaluation.letter_results(procurement, found), decided_by_id=actor.id,
        decided_at=now,
        standstill_ends_on=(rules.standstill_ends_on(clock.today_in_uk(), days)
                            if days > 0 else None))
    db.session.add(decision)
    db.session.flush()
    letters = _issue_letters(decision)
    # The contract helper's OCDS award release (wip/contract, now in main): "pending" while
    # in standstill, announced with the decision in its transaction.
    record_award_release(procurement)
    record_event(
        "procurement.awarded", procurement,
        f"{actor.full_name} of {procurement.lead_ccg.name} awarded {procurement.reference} "
        f"to {winner.provider.name}"
        + (f"; standstill until the end of {decision.standstill_ends_on:%d %B %Y}"
           if decision.standstill_ends_on else ""),
        changes={"status": [before, target.value], "winning_bid": winner.id,
                 "rationale": rationale, "departure_reason": departure_reason or None,
                 "standstill_ends_on": decision.standstill_ends_on,
                 "letters": {letter.filename: letter.sha256 for letter in letters}},
        actor=actor)
    notifications.decided(procurement)
    if target == ProcurementStatus.AWARDED:
        on_standstill_ended(procurement)
    return decision


@transactional
def none_suitable(actor: User, procurement: Procurement, expected_lock_version,
                  rationale) -> ProcurementDecision:
    """Close a competition with no award; the statement can be bought again."""
    require_lead(actor, procurement)
    evaluation.check_page_version(procurement, expected_lock_version, DECIDED_MEANWHILE)
    on_conflict(ProcurementDecision, DECIDED_MEANWHILE)
    if not procurement.is_competition:
        raise ServiceError("A direct award is cancelled, not closed as none suitable",
                           field="rationale")
    _require_decidable(procurement)
    rationale = _rationale(rationale, "Say why none of the responses is suitable")
    found = evaluation.ranking(procurement)
    before = _move(procurement, ProcurementStatus.NONE_SUITABLE, "closed as none suitable")
    decision = ProcurementDecision(
        procurement=procurement, outcome=DecisionOutcome.NONE_SUITABLE, rationale=rationale,
        results=evaluation.letter_results(procurement, found) if found.is_complete else [],
        decided_by_id=actor.id, decided_at=clock.now())
    db.session.add(decision)
    statement = procurement.statement
    if statement.status == StatementStatus.IN_PROCUREMENT:
        statement.status = StatementStatus.READY
    db.session.flush()
    letters = _issue_letters(decision)
    # Published, so the public record says it ended without an award: a tenderUpdate
    # release with tender status "unsuccessful" (OCDS 1.1), in the decision's transaction.
    record_tender_release(procurement)
    record_event(
        "procurement.none_suitable", procurement,
        f"{actor.full_name} of {procurement.lead_ccg.name} closed {procurement.reference} "
        "with none of the responses suitable",
        changes={"status": [before, "none_suitable"], "rationale": rationale,
                 "letters": {letter.filename: letter.sha256 for letter in letters}},
        actor=actor)
    notifications.decided(procurement)
    return decision


# --- letters -------------------------------------------------------------------------------


def letters_for(procurement: Procurement) -> list[DecisionLetter]:
    if procurement.decision is None:
        return []  # they are issued with the decision: none before it
    # Each with its bidder, which the pages name or match the reader against.
    return list(db.session.scalars(
        select(DecisionLetter).where(DecisionLetter.procurement_id == procurement.id)
        .options(joinedload(DecisionLetter.bid).joinedload(Bid.provider))
        .order_by(DecisionLetter.filename, DecisionLetter.version)))


def may_read_letter(user: User, letter: DecisionLetter) -> bool:
    """The bidder's own CSS leaders, and the buying CCGs' users."""
    return policies.may(user, "view", letter)


def letter_for(user: User, procurement: Procurement, letter_id) -> DecisionLetter:
    letter = db.session.get(DecisionLetter, letter_id) if isinstance(letter_id, int) else None
    if (letter is None or letter.procurement_id != procurement.id
            or not may_read_letter(user, letter)):
        raise NotFound("There is no letter with that number")
    return letter


def own_letters(user: User, procurement: Procurement) -> list[DecisionLetter]:
    return [letter for letter in letters_for(procurement)
            if user.role == Role.CSS_LEADER and user.belongs_to(letter.bid.provider_id)]


def letter_content(letter: DecisionLetter) -> bytes:
    return letter.content


# --- questions in the standstill window ----------------------------------------------------


def standstill_open(procurement: Procurement) -> bool:
    decision = procurement.decision
    return (procurement.status == ProcurementStatus.STANDSTILL and decision is not None
            and rules.in_standstill_window(clock.today_in_uk(), decision.standstill_ends_on))


def _bidder(user: User, procurement: Procurement) -> Bid | None:
    if user.role != Role.CSS_LEADER:
        return None
    return next((bid for bid in letter_bids(procurement)
                 if user.belongs_to(bid.provider_id)), None)


def decision_questions_from(user: User, procurement: Procurement) -> list[Clarification]:
    return [c for c in procurement.clarifications if c.stage == ClarificationStage.STANDSTILL
            and user.belongs_to(c.asked_by_organisation_id)]


def decision_questions(procurement: Procurement) -> list[Clarification]:
    return [c for c in procurement.clarifications if c.stage == ClarificationStage.STANDSTILL]


@transactional
def ask_about_decision(actor: User, procurement: Procurement, question) -> Clarification:
    """A bidder's question in the standstill window, answered to that bidder alone."""
    if _bidder(actor, procurement) is None:
        raise PermissionDenied("Only providers who responded can ask about the decision")
    question = clean_text(question, "question", MAX_QUESTION, required="Enter your question")
    if not standstill_open(procurement):
        raise ServiceError("The standstill period is over: questions about the decision can "
                           "no longer be asked here", field="question")
    clarification = Clarification(
        procurement=procurement, stage=ClarificationStage.STANDSTILL,
        asked_by_organisation_id=actor.organisation_id, asked_by_id=actor.id,
        question=question, asked_at=clock.now())
    db.session.add(clarification)
    record_event("decision_question.asked", clarification,
                 f"{actor.full_name} of {actor.organisation.name} asked about the decision on "
                 f"{procurement.reference}", changes={"question": question}, actor=actor)
    return clarification


@transactional
def answer_decision_question(actor: User, clarification: Clarification,
                             text) -> Clarification:
    procurement = clarification.procurement
    require_lead(actor, procurement)
    if clarification.stage != ClarificationStage.STANDSTILL:
        raise NotFound("There is no question with that number")
    text = clean_text(text, "answer", MAX_ANSWER, required="Enter the answer")
    if procurement.status not in (ProcurementStatus.STANDSTILL, ProcurementStatus.AWARDED):
        raise ServiceError(f"Procurement {procurement.reference} is "
                           f"{procurement.status_label.lower()}.", field="answer")
    db.session.execute(select(Clarification.id).where(Clarification.id == clarification.id)
                       .with_for_update())
    db.session.refresh(clarification)
    if clarification.is_answered:
        raise Conflict("This question has already been answered.")
    clarification.answer = text
    clarification.answered_at = clock.now()
    clarification.answered_by_id = actor.id
    record_event("decision_question.answered", clarification,
                 f"{actor.full_name} of {procurement.lead_ccg.name} answered "
                 f"{clarification.asked_by_organisation.name}'s question about the decision "
                 f"on {procurement.reference}", changes={"answer": text}, actor=actor)
    return clarification


# --- the end of standstill -----------------------------------------------------------------


def on_standstill_ended(procurement: Procurement) -> None:
    """What follows an award once standstill is over; runs in the ending's transaction, so
    the award and its draft agreements are saved together or not at all."""
    # The contract helper's drafts (wip/contract, now in main): one per buying CCG, for both
    # parties to sign.
    draft_agreements_from_award(procurement)


def _standstill_due(procurement: Procurement) -> bool:
    # The status first: only a procurement in standstill has its decision read.
    if procurement.status != ProcurementStatus.STANDSTILL:
        return False
    decision = procurement.decision
    return decision is not None and rules.standstill_is_over(clock.today_in_uk(),
                                                              decision.standstill_ends_on)


def _end_standstill(procurement: Procurement) -> None:
    before = _move(procurement, ProcurementStatus.AWARDED, "awarded")
    record_event(
        "procurement.standstill_ended", procurement,
        f"The standstill period of {procurement.reference} ended at the end of "
        f"{procurement.decision.standstill_ends_on:%d %B %Y}: the award stands",
        changes={"status": [before, "awarded"]}, system=True)
    on_standstill_ended(procurement)
    notifications.standstill_ended(procurement)


def end_standstill_if_due(procurement: Procurement) -> Procurement:
    """Move an awarded procurement past its standstill's last day to AWARDED (own
    transaction); another request ending it at the same moment is read as it now is."""
    if not _standstill_due(procurement):
        return procurement
    _try_to_end(procurement)
    return procurement


def _try_to_end(procurement: Procurement) -> bool:
    """End one standstill in its own transaction. A refusal from what follows it (the
    drafts cannot be made) leaves it in standstill, logged, rather than failing the page or
    the batch that noticed it was due."""
    try:
        with transaction():
            on_conflict(Procurement, "ended meanwhile")
            _end_standstill(procurement)
    except Conflict:
        db.session.refresh(procurement)  # another request ended it at the same moment
        return False
    except ServiceError as error:
        log.warning("standstill of %s not ended: %s", procurement.reference, error.message)
        db.session.refresh(procurement)
        return False
    return True


def end_due_standstills() -> list[str]:
    """End every standstill whose last day is past; their references."""
    due = db.session.scalars(
        select(Procurement).join(ProcurementDecision)
        .where(Procurement.status == ProcurementStatus.STANDSTILL,
               ProcurementDecision.standstill_ends_on < clock.today_in_uk())
        .order_by(ProcurementDecision.standstill_ends_on, Procurement.id)).all()
    return [procurement.reference for procurement in due
            if _standstill_due(procurement) and _try_to_end(procurement)]


@dataclass(frozen=True)
class DecisionView:
    decision: ProcurementDecision | None
    letters: list
    questions: list
    standstill_open: bool


def decision_view(procurement: Procurement) -> DecisionView:
    return DecisionView(procurement.decision, letters_for(procurement),
                        decision_questions(procurement), standstill_open(procurement))
