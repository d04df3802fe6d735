"""Clarifications: providers ask until the cut-off; the lead CCG answers for everybody.

An answer is published to every provider who may respond, with the question, and never with
who asked: what providers and the public are given is PublishedClarification, which has no
asker in it to show. The asker sees its own questions, answered or not; the buyer sees all.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from marketplace import clock
from marketplace.domain import procurement as rules
from marketplace.extensions import db
from marketplace.models import (
    Clarification,
    ClarificationStage,
    Procurement,
    ProcurementStatus,
    User,
)

from . import notifications
from .audit import record_event
from .buying_common import clean_text
from .errors import Conflict, PermissionDenied, ServiceError
from .procurement_access import may_respond, require_lead
from .procurements import refresh_status
from .transaction import transactional

MAX_QUESTION = 2000
MAX_ANSWER = 5000


@dataclass(frozen=True)
class PublishedClarification:
    number: int
    question: str
    answer: str
    answered_at: datetime


def _tender_questions(procurement: Procurement) -> list[Clarification]:
    return [c for c in procurement.clarifications if c.stage == ClarificationStage.TENDER]


def published_answers(procurement: Procurement) -> list[PublishedClarification]:
    return [
        PublishedClarification(number, c.question, c.answer, c.answered_at)
        for number, c in enumerate(_tender_questions(procurement), start=1)
        if c.is_answered
    ]


def questions_from(organisation_id: int, procurement: Procurement) -> list[Clarification]:
    return [c for c in _tender_questions(procurement)
            if c.asked_by_organisation_id == organisation_id]


def questions_for_buyer(procurement: Procurement) -> list[Clarification]:
    return _tender_questions(procurement)


def unanswered_count(procurement: Procurement) -> int:
    return sum(not c.is_answered for c in _tender_questions(procurement))


def clarification_window_open(procurement: Procurement) -> bool:
    """Questions may still be asked, or some await an answer: nothing may be awarded yet."""
    return rules.clarification_window_open(clock.now(), procurement.clarifications_close_at,
                                           unanswered_count(procurement))


@transactional
def ask(actor: User, procurement: Procurement, question) -> Clarification:
    refresh_status(procurement)
    if not may_respond(actor, procurement):
        raise PermissionDenied("Only providers who may respond can ask questions")
    question = clean_text(question, "question", MAX_QUESTION, required="Enter your question")
    if procurement.status != ProcurementStatus.OPEN or not rules.is_open_for_questions(
            clock.now(), procurement.clarifications_close_at):
        raise ServiceError("The last date for questions has passed", field="question")
    clarification = Clarification(
        procurement=procurement, stage=ClarificationStage.TENDER,
        asked_by_organisation_id=actor.organisation_id, asked_by_id=actor.id,
        question=question, asked_at=clock.now())
    db.session.add(clarification)
    record_event(
        "clarification.asked", clarification,
        f"{actor.full_name} of {actor.organisation.name} asked a question about opportunity "
        f"{procurement.reference}",
        changes={"question": question}, actor=actor)
    return clarification


@transactional
def answer(actor: User, clarification: Clarification, text) -> Clarification:
    """Answer once, for every provider; the answer then stands as published."""
    procurement = clarification.procurement
    require_lead(actor, procurement)
    text = clean_text(text, "answer", MAX_ANSWER, required="Enter the answer")
    if procurement.status not in (ProcurementStatus.OPEN, ProcurementStatus.EVALUATION):
        raise ServiceError(f"Procurement {procurement.reference} is "
                           f"{procurement.status_label.lower()}: questions are settled.",
                           field="answer")
    # Two people answering at once: the row lock makes the second see the first's answer.
    db.session.execute(select(Clarification.id).where(Clarification.id == clarification.id)
                       .with_for_update())
    db.session.refresh(clarification)
    if clarification.is_answered:
        raise Conflict("This question has already been answered, and the answer published.")
    clarification.answer = text
    clarification.answered_at = clock.now()
    clarification.answered_by_id = actor.id
    record_event(
        "clarification.answered", clarification,
        f"{actor.full_name} of {procurement.lead_ccg.name} answered a question about "
        f"opportunity {procurement.reference}; the answer is published to every provider",
        changes={"answer": text}, actor=actor)
    notifications.clarification_answered(clarification)
    return clarification
