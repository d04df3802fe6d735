"""Conditions and the binding development plan: set by reviewers, answered by the CSS.

Reviewers add conditions and actions while the review is a draft. Once it is signed off the
CSS responds to conditions and marks actions done with evidence, and a reviewer of the
checkpoint accepts each answer or reopens it.
"""

from datetime import date

from marketplace.extensions import db
from marketplace.models import (
    ActionStatus,
    Condition,
    ConditionStatus,
    DevelopmentAction,
    Review,
    User,
)
from marketplace.models.base import utcnow
from marketplace.policies.people import leader_of

from . import notifications
from .audit import record_event
from .errors import PermissionDenied, ServiceError
from .reviews import may_edit, may_review
from .transaction import transactional


def _check_reviewer_drafting(actor: User, review: Review) -> None:
    if not may_edit(actor, review):
        raise PermissionDenied("Only a reviewer assigned to this review can change it")
    if review.is_signed_off:
        raise ServiceError("This review has been signed off and can no longer change")


@transactional
def add_condition(actor: User, review: Review, text: str) -> Condition:
    _check_reviewer_drafting(actor, review)
    if not text.strip():
        raise ServiceError("Enter the condition", field="text")
    condition = Condition(review=review, text=text.strip(), status=ConditionStatus.OPEN)
    db.session.add(condition)
    record_event("condition.added", condition, f"{actor.full_name} set a condition for "
                 f"{review.submission.organisation.name}", actor=actor)
    return condition


@transactional
def add_action(actor: User, review: Review, *, action: str, owner: str,
               due_date: date) -> DevelopmentAction:
    _check_reviewer_drafting(actor, review)
    item = DevelopmentAction(review=review, action=action.strip(), owner=owner.strip(),
                             due_date=due_date, status=ActionStatus.OPEN)
    db.session.add(item)
    record_event("development_action.added", item, f"{actor.full_name} added a development "
                 f"action for {review.submission.organisation.name}", actor=actor)
    return item


def _check_css_leader(actor: User, review: Review) -> None:
    if not leader_of(actor, review.submission.organisation_id):
        raise PermissionDenied("Only a leader of the CSS reviewed can answer this")
    if not review.is_signed_off:
        raise ServiceError("The results have not been released yet")


@transactional
def respond_to_condition(actor: User, condition: Condition, response: str) -> None:
    # The CSS reviewed answers, or its successor once it has merged (services/market_change).
    if not leader_of(actor, condition.answering_organisation_id):
        raise PermissionDenied("Only a leader of the CSS reviewed can answer this")
    if not condition.review.is_signed_off:
        raise ServiceError("The results have not been released yet")
    if condition.status not in (ConditionStatus.OPEN, ConditionStatus.REOPENED):
        raise ServiceError("This condition is not waiting for a response")
    if not response.strip():
        raise ServiceError("Enter your response", field="response")
    condition.css_response = response.strip()
    condition.status = ConditionStatus.RESPONDED
    condition.responded_at = utcnow()
    condition.responded_by_id = actor.id
    record_event("condition.responded", condition,
                 f"{actor.full_name} responded to a condition", actor=actor)


@transactional
def mark_action_done(actor: User, item: DevelopmentAction, evidence_note: str) -> None:
    _check_css_leader(actor, item.review)
    if item.status not in (ActionStatus.OPEN, ActionStatus.REOPENED):
        raise ServiceError("This action is not open")
    if not evidence_note.strip():
        raise ServiceError("Say what shows the action is done", field="evidence_note")
    item.evidence_note = evidence_note.strip()
    item.status = ActionStatus.DONE
    item.done_at = utcnow()
    record_event("development_action.done", item,
                 f"{actor.full_name} marked a development action done", actor=actor)


def _check_follow_up_reviewer(actor: User, review: Review) -> None:
    if not may_review(actor, review.submission):
        raise PermissionDenied("Only a reviewer of this checkpoint can accept or reopen")
    if not review.is_signed_off:
        raise ServiceError("The review has not been signed off yet")


@transactional
def decide_condition(actor: User, condition: Condition, *, accept: bool, note: str) -> None:
    _check_follow_up_reviewer(actor, condition.review)
    if condition.status != ConditionStatus.RESPONDED:
        raise ServiceError("Only a condition the CSS has responded to can be accepted or "
                           "reopened")
    if not accept and not note.strip():
        raise ServiceError("Say why the condition is reopened", field="note")
    condition.status = ConditionStatus.ACCEPTED if accept else ConditionStatus.REOPENED
    condition.reviewer_note = note.strip()
    condition.decided_at = utcnow()
    condition.decided_by_id = actor.id
    record_event(f"condition.{condition.status}", condition,
                 f"{actor.full_name} {condition.status} a condition", actor=actor)
    notifications.condition_decided(condition)


@transactional
def decide_action(actor: User, item: DevelopmentAction, *, accept: bool, note: str) -> None:
    _check_follow_up_reviewer(actor, item.review)
    if item.status != ActionStatus.DONE:
        raise ServiceError("Only an action marked done can be accepted or reopened")
    if not accept and not note.strip():
        raise ServiceError("Say why the action is reopened", field="note")
    item.status = ActionStatus.ACCEPTED if accept else ActionStatus.REOPENED
    item.reviewer_note = note.strip()
    item.decided_at = utcnow()
    item.decided_by_id = actor.id
    record_event(f"development_action.{item.status}", item,
                 f"{actor.full_name} {item.status} a development action", actor=actor)
