"""Service reviews of a signed agreement, recorded by either party, and their actions.

A review is recorded once, with its actions, in one transaction with its audit event; each
action is then marked done once by either side (lock_version: two people marking it at once
cannot both record it). The agreement's other party is the one who did not record it.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from marketplace import clock
from marketplace.domain.contract_life import action_state
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    ServiceReview,
    ServiceReviewAction,
)
from marketplace.policies import require

from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import ServiceError
from .transaction import check_version, transactional

REVIEWED = (AgreementStatus.SIGNED, AgreementStatus.FINAL, AgreementStatus.ENDED)
MAX_ATTENDEES = 2000
MAX_NOTES = 10000
MAX_ACTION = 1000
MAX_OWNER = 200
DONE_MEANWHILE = (
    "Somebody else marked this action done after you opened the page, so nothing changed. "
    "Check the review as it is now."
)


@dataclass(frozen=True)
class ActionInput:
    """One row of actions as typed; a row left wholly blank is no action."""

    description: str = ""
    owner: str = ""
    due_on: date | None = None
    due_error: str | None = None  # the date input's own refusal, if any

    @property
    def blank(self) -> bool:
        return not (self.description or "").strip() and not (self.owner or "").strip() \
            and self.due_on is None and not self.due_error


def reviews_of(agreement: Agreement) -> list[ServiceReview]:
    return list(db.session.scalars(
        select(ServiceReview).where(ServiceReview.agreement_id == agreement.id)
        .order_by(ServiceReview.held_on.desc(), ServiceReview.id.desc())))


def state_of(action: ServiceReviewAction) -> tuple[str, str]:
    return action_state(action.due_on, action.done_on, clock.in_uk(clock.now()).date())


@transactional
def record_review(actor, agreement: Agreement, held_on: date | None, attendees: str,
                  notes: str, actions: list[ActionInput]) -> ServiceReview:
    require(actor, "party", agreement,
            f"Only {agreement.ccg.name} and {agreement.provider.name} record reviews of this "
            "agreement")
    if agreement.status not in REVIEWED:
        raise ServiceError(f"Agreement {agreement.reference} is not signed by both parties "
                           "yet: there is no service to review.")
    today = clock.in_uk(clock.now()).date()
    errors: list[tuple[str, str]] = []
    if held_on is None:
        errors.append(("held_on", "Enter the date of the review"))
    elif held_on > today:
        errors.append(("held_on", "The date of the review must be today or in the past"))
    elif held_on < agreement.start_date:
        errors.append(("held_on", f"The date of the review must be on or after the start of "
                                  f"the agreement, {agreement.start_date.day} "
                                  f"{agreement.start_date:%B %Y}"))
    texts = {}
    for field, value, limit, required in (
            ("attendees", attendees, MAX_ATTENDEES, "Say who attended the review"),
            ("notes", notes, MAX_NOTES, None)):
        try:
            texts[field] = clean_text(value, field, limit, required=required)
        except ServiceError as error:
            errors.append((field, error.message))
    rows = []
    for number, row in enumerate(actions, start=1):
        if row.blank:
            continue
        prefix = f"action_{number}"
        try:
            description = clean_text(row.description, f"{prefix}_description", MAX_ACTION,
                                     required=f"Say what action {number} is")
        except ServiceError as error:
            errors.append((error.field, error.message))
            description = ""
        try:
            owner = clean_text(row.owner, f"{prefix}_owner", MAX_OWNER,
                               required=f"Say who owns action {number}")
        except ServiceError as error:
            errors.append((error.field, error.message))
            owner = ""
        if row.due_error:
            errors.append((f"{prefix}_due", row.due_error))
        elif row.due_on is None:
            errors.append((f"{prefix}_due", f"Enter the date action {number} is due"))
        elif held_on is not None and row.due_on < held_on:
            errors.append((f"{prefix}_due", f"Action {number} cannot be due before the "
                                            "review it was agreed at"))
        rows.append((description, owner, row.due_on))
    if errors:
        raise FieldErrors(errors)
    review = ServiceReview(
        agreement=agreement, held_on=held_on, attendees=texts["attendees"],
        notes=texts["notes"], recorded_at=clock.now(), recorded_by_id=actor.id,
        recorded_for_id=actor.organisation_id,
        actions=[ServiceReviewAction(description=d, owner=o, due_on=due)
                 for d, o, due in rows])
    db.session.add(review)
    db.session.flush()
    record_event(
        "service_review.recorded", agreement,
        f"{actor.full_name} of {actor.organisation.name} recorded the service review of "
        f"{held_on.day} {held_on:%B %Y} on agreement {agreement.reference}, with "
        f"{len(rows)} action{'' if len(rows) == 1 else 's'}",
        changes={"service_review_id": review.id, "held_on": held_on.isoformat(),
                 "actions": len(rows)}, actor=actor)
    return review


@transactional
def mark_action_done(actor, action: ServiceReviewAction,
                     expected_lock_version: int | None) -> ServiceReviewAction:
    agreement = action.agreement
    require(actor, "complete", action,
            f"Only {agreement.ccg.name} and {agreement.provider.name} mark these actions done")
    check_version(action, expected_lock_version, DONE_MEANWHILE)
    if action.done_on is not None:
        raise ServiceError("This action is already done")
    now = clock.now()
    action.done_at = now
    action.done_on = clock.in_uk(now).date()
    action.done_by_id = actor.id
    record_event(
        "service_review_action.done", agreement,
        f"{actor.full_name} of {actor.organisation.name} marked done the action "
        f"“{action.description[:80]}” (owner {action.owner}) from the service review of "
        f"{action.service_review.held_on:%d %B %Y} on agreement {agreement.reference}",
        changes={"service_review_action_id": action.id, "done_on": [None,
                 action.done_on.isoformat()]}, actor=actor)
    return action
