"""Market change: the Board's hosting decisions, licences to operate and their conditions,
and CSS mergers and takeovers.

The Board decides whether to host a CSS after the BDU recommends (the Checkpoint 3 review's
outcome); the decision is recorded beside the recommendation, never over it. A merger moves
the predecessor's live agreements (and with them its customers), its open review conditions
and its open licence conditions to the successor in one transaction with its audit events:
any failure part-way leaves nothing moved. The predecessor stays, marked as merged into the
successor, its licence ended, so its reviews, plans and agreements' history still read.
Only the BDU and administrators record any of this.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    BoardDecision,
    BoardHostingDecision,
    Condition,
    ConditionStatus,
    Licence,
    LicenceCondition,
    LicenceConditionStatus,
    LicenceStatus,
    Merger,
    MergerKind,
    Organisation,
    OrganisationKind,
    Review,
    ReviewStatus,
    Role,
    Submission,
    User,
)

from .audit import record_event
from .buying_common import clean_text
from .catalogue_cache import catalogue_changed
from .errors import PermissionDenied, ServiceError
from .transaction import transactional

RECORDERS = (Role.BDU_REVIEWER, Role.ADMIN)
# Agreements still running (or still to be signed) move; ended ones stay as history.
LIVE_AGREEMENTS = (
    AgreementStatus.DRAFT,
    AgreementStatus.AWAITING_COUNTERSIGNATURE,
    AgreementStatus.SIGNED,
    AgreementStatus.FINAL,
)
OPEN_CONDITIONS = (ConditionStatus.OPEN, ConditionStatus.RESPONDED, ConditionStatus.REOPENED)
HOSTING_RULE = "cp3_hosting"
MAX_TEXT = 4000


def _require_recorder(actor: User) -> None:
    if not (actor.is_active_user and actor.role in RECORDERS):
        raise PermissionDenied(
            "Only the Business Development Unit and administrators record market changes"
        )


def _require_css(organisation: Organisation | None, field: str, what: str) -> Organisation:
    if organisation is None or organisation.kind != OrganisationKind.CSS:
        raise ServiceError(f"Choose {what}", field=field)
    if organisation.merged_into_id is not None:
        raise ServiceError(
            f"{organisation.name} has merged into "
            f"{organisation.merged_into.name}: choose a CSS still trading",
            field=field,
        )
    return organisation


def _require_date(value: date | None, field: str, what: str) -> date:
    if value is None:
        raise ServiceError(f"Enter the date {what}", field=field)
    return value


def _text(value: str | None, field: str, what: str, *, required: bool) -> str:
    return clean_text(value, field, MAX_TEXT, required=f"Enter {what}" if required else None)


# --- reading ----------------------------------------------------------------------------------


def trading_csss() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CSS, Organisation.merged_into_id.is_(None))
            .order_by(Organisation.name)
        )
    )


def all_csss() -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.kind == OrganisationKind.CSS)
            .order_by(Organisation.name)
        )
    )


def bdu_recommendation(organisation: Organisation) -> Review | None:
    """The latest signed-off Checkpoint 3 review of the CSS: the BDU's recommendation."""
    from marketplace.models import Checkpoint

    return db.session.scalar(
        select(Review)
        .join(Submission)
        .join(Checkpoint)
        .where(
            Submission.organisation_id == organisation.id,
            Checkpoint.rule_key == HOSTING_RULE,
            Review.status == ReviewStatus.SIGNED_OFF,
        )
        .order_by(Review.signed_off_at.desc(), Review.id.desc())
        .limit(1)
    )


def _first_per_organisation(rows) -> dict:
    first: dict = {}
    for organisation_id, found in rows:
        first.setdefault(organisation_id, found)
    return first


def market_overview() -> list[tuple]:
    """Every CSS with its BDU recommendation, latest Board decision and licence in force (as
    ``bdu_recommendation``, ``board_decisions(...)[0]`` and ``licence_in_force`` give them):
    one query for each, in the same order, instead of three per CSS."""
    from marketplace.models import Checkpoint

    csss = all_csss()
    ids = [css.id for css in csss]
    recommendations = _first_per_organisation(
        db.session.execute(
            select(Submission.organisation_id, Review)
            .join(Submission, Review.submission_id == Submission.id)
            .join(Checkpoint)
            .where(
                Submission.organisation_id.in_(ids),
                Checkpoint.rule_key == HOSTING_RULE,
                Review.status == ReviewStatus.SIGNED_OFF,
            )
            .order_by(Submission.organisation_id, Review.signed_off_at.desc(), Review.id.desc())
        )
    )
    decisions = _first_per_organisation(
        db.session.execute(
            select(BoardHostingDecision.organisation_id, BoardHostingDecision)
            .where(BoardHostingDecision.organisation_id.in_(ids))
            .order_by(
                BoardHostingDecision.organisation_id,
                BoardHostingDecision.decided_on.desc(),
                BoardHostingDecision.id.desc(),
            )
        )
    )
    in_force = _first_per_organisation(
        db.session.execute(
            select(Licence.organisation_id, Licence)
            .where(Licence.organisation_id.in_(ids), Licence.status == LicenceStatus.IN_FORCE)
            .order_by(Licence.organisation_id, Licence.granted_on.desc(), Licence.id.desc())
        )
    )
    return [
        (css, recommendations.get(css.id), decisions.get(css.id), in_force.get(css.id))
        for css in csss
    ]


def board_decisions(organisation: Organisation) -> list[BoardHostingDecision]:
    return list(
        db.session.scalars(
            select(BoardHostingDecision)
            .where(BoardHostingDecision.organisation_id == organisation.id)
            .order_by(BoardHostingDecision.decided_on.desc(), BoardHostingDecision.id.desc())
        )
    )


def licences(organisation: Organisation) -> list[Licence]:
    return list(
        db.session.scalars(
            select(Licence)
            .where(Licence.organisation_id == organisation.id)
            .order_by(Licence.granted_on.desc(), Licence.id.desc())
        )
    )


def licence_in_force(organisation: Organisation) -> Licence | None:
    return db.session.scalar(
        select(Licence)
        .where(Licence.organisation_id == organisation.id, Licence.status == LicenceStatus.IN_FORCE)
        .order_by(Licence.granted_on.desc(), Licence.id.desc())
        .limit(1)
    )


def conditions_answered_by(organisation: Organisation) -> list[LicenceCondition]:
    """Licence conditions the CSS answers now, its predecessors' moved ones included."""
    return list(
        db.session.scalars(
            select(LicenceCondition)
            .where(LicenceCondition.organisation_id == organisation.id)
            .order_by(LicenceCondition.id)
        )
    )


def mergers() -> list[Merger]:
    return list(db.session.scalars(select(Merger).order_by(Merger.effective_on, Merger.id)))


def merger_of(predecessor: Organisation) -> Merger | None:
    return db.session.scalar(select(Merger).where(Merger.predecessor_id == predecessor.id))


def predecessors_of(successor: Organisation) -> list[Merger]:
    return list(
        db.session.scalars(
            select(Merger).where(Merger.successor_id == successor.id).order_by(Merger.id)
        )
    )


# --- the Board's decision ---------------------------------------------------------------------


@transactional
def record_board_decision(
    actor: User,
    organisation: Organisation,
    *,
    decision: str,
    decided_on: date | None,
    reasons: str = "",
    merge_with: Organisation | None = None,
) -> BoardHostingDecision:
    _require_recorder(actor)
    _require_css(organisation, "organisation_id", "a CSS")
    try:
        chosen = BoardDecision(decision)
    except ValueError:
        raise ServiceError("Choose what the Board decided", field="decision") from None
    decided_on = _require_date(decided_on, "decided_on", "the Board decided")
    partner = None
    if chosen == BoardDecision.MERGE:
        partner = _require_css(merge_with, "merge_with_id", "the CSS to merge with")
        if partner.id == organisation.id:
            raise ServiceError("Choose another CSS to merge with", field="merge_with_id")
    reasons = _text(reasons, "reasons", "the Board's reasons", required=False)
    recommendation = bdu_recommendation(organisation)
    row = BoardHostingDecision(
        organisation=organisation,
        review=recommendation,
        decision=chosen.value,
        merge_with=partner,
        decided_on=decided_on,
        reasons=reasons,
        recorded_by_id=actor.id,
    )
    db.session.add(row)
    recommended = recommendation.outcome_label if recommendation else "no recommendation"
    record_event(
        "market.board_decision",
        organisation,
        f"{actor.full_name} recorded the Board's hosting decision for {organisation.name}: "
        f"{chosen.label}{' (with ' + partner.name + ')' if partner else ''}, decided "
        f"{decided_on:%-d %B %Y}; the BDU recommended {recommended}",
        changes={
            "decision": chosen.value,
            "decided_on": decided_on.isoformat(),
            "merge_with": partner.name if partner else None,
            "bdu_recommendation": recommendation.outcome_code if recommendation else None,
        },
        actor=actor,
    )
    return row


# --- licences ---------------------------------------------------------------------------------


@transactional
def grant_licence(
    actor: User,
    organisation: Organisation,
    *,
    granted_on: date | None,
    conditions: list[tuple[str, date | None]] = (),
) -> Licence:
    _require_recorder(actor)
    _require_css(organisation, "organisation_id", "a CSS")
    granted_on = _require_date(granted_on, "granted_on", "the licence was granted")
    if licence_in_force(organisation) is not None:
        raise ServiceError(
            f"{organisation.name} already holds a licence in force", field="granted_on"
        )
    licence = Licence(
        organisation=organisation,
        granted_on=granted_on,
        status=LicenceStatus.IN_FORCE,
        recorded_by_id=actor.id,
    )
    db.session.add(licence)
    for text, due_on in conditions:
        _add_condition(licence, organisation, text, due_on)
    record_event(
        "market.licence_granted",
        organisation,
        f"{actor.full_name} recorded {organisation.name}'s licence to operate, granted "
        f"{granted_on:%-d %B %Y}, with {len(licence.conditions)} condition"
        f"{'' if len(licence.conditions) == 1 else 's'}",
        changes={
            "granted_on": granted_on.isoformat(),
            "conditions": [c.text for c in licence.conditions],
        },
        actor=actor,
    )
    return licence


def _add_condition(
    licence: Licence, organisation: Organisation, text: str, due_on: date | None
) -> LicenceCondition:
    condition = LicenceCondition(
        licence=licence,
        organisation=organisation,
        text=_text(text, "condition", "the condition", required=True),
        due_on=due_on,
        status=LicenceConditionStatus.OPEN,
    )
    db.session.add(condition)
    return condition


@transactional
def add_licence_condition(
    actor: User, licence: Licence, *, text: str, due_on: date | None
) -> LicenceCondition:
    _require_recorder(actor)
    if licence.status != LicenceStatus.IN_FORCE:
        raise ServiceError(
            "This licence has ended: conditions cannot be added to it", field="condition"
        )
    condition = _add_condition(licence, licence.organisation, text, due_on)
    record_event(
        "market.licence_condition_set",
        licence.organisation,
        f"{actor.full_name} set a condition on {licence.organisation.name}'s licence: "
        f"“{condition.text}”",
        changes={"condition": condition.text, "due_on": due_on.isoformat() if due_on else None},
        actor=actor,
    )
    return condition


@transactional
def mark_licence_condition_met(actor: User, condition: LicenceCondition) -> LicenceCondition:
    _require_recorder(actor)
    if condition.status != LicenceConditionStatus.OPEN:
        raise ServiceError("This condition has been met already")
    condition.status = LicenceConditionStatus.MET
    record_event(
        "market.licence_condition_met",
        condition.organisation,
        f"{actor.full_name} recorded that {condition.organisation.name} met the licence "
        f"condition “{condition.text}”",
        changes={"status": ["open", "met"]},
        actor=actor,
    )
    return condition


# --- mergers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Moved:
    agreements: list[int]
    customers: list[str]
    review_conditions: list[int]
    licence_conditions: list[int]

    def as_json(self) -> dict:
        return {
            "agreements": self.agreements,
            "customers": self.customers,
            "review_conditions": self.review_conditions,
            "licence_conditions": self.licence_conditions,
        }


def _move_agreements(predecessor: Organisation, successor: Organisation) -> tuple[list, list]:
    agreements = list(
        db.session.scalars(
            select(Agreement)
            .where(Agreement.provider_id == predecessor.id, Agreement.status.in_(LIVE_AGREEMENTS))
            .order_by(Agreement.id)
        )
    )
    customers = sorted({a.ccg.ods_code or a.ccg.name for a in agreements})
    for agreement in agreements:
        # Novated: signed terms stay as signed, with whom it was signed kept beside them.
        agreement.novated_from_id = predecessor.id
        agreement.provider_id = successor.id
    return [a.id for a in agreements], customers


def _move_review_conditions(predecessor: Organisation, successor: Organisation) -> list[int]:
    conditions = list(
        db.session.scalars(
            select(Condition)
            .join(Review)
            .join(Submission)
            .where(
                Condition.status.in_(OPEN_CONDITIONS),
                (
                    (Submission.organisation_id == predecessor.id)
                    & Condition.answered_by_id.is_(None)
                )
                | (Condition.answered_by_id == predecessor.id),
            )
            .order_by(Condition.id)
        )
    )
    for condition in conditions:
        condition.answered_by = successor
    return [c.id for c in conditions]


def _move_licence_conditions(
    predecessor: Organisation, successor: Organisation, effective_on: date
) -> list[int]:
    conditions = list(
        db.session.scalars(
            select(LicenceCondition)
            .where(
                LicenceCondition.organisation_id == predecessor.id,
                LicenceCondition.status == LicenceConditionStatus.OPEN,
            )
            .order_by(LicenceCondition.id)
        )
    )
    for condition in conditions:
        condition.moved_from_id = condition.moved_from_id or predecessor.id
        condition.organisation = successor
    for licence in licences(predecessor):
        if licence.status == LicenceStatus.IN_FORCE:
            licence.status = LicenceStatus.ENDED
            licence.ended_on = effective_on
    return [c.id for c in conditions]


@transactional
def merge(
    actor: User,
    predecessor: Organisation,
    successor: Organisation | None,
    *,
    kind: str,
    effective_on: date | None,
) -> Merger:
    """Merge ``predecessor`` into ``successor`` (or record its takeover by it): one step,
    one transaction, audited on both; nothing moves unless everything does."""
    _require_recorder(actor)
    _require_css(predecessor, "organisation_id", "the CSS that merges")
    successor = _require_css(successor, "successor_id", "the CSS it merges into")
    if successor.id == predecessor.id:
        raise ServiceError("A CSS cannot merge into itself: choose another", field="successor_id")
    try:
        chosen = MergerKind(kind)
    except ValueError:
        raise ServiceError("Choose a merger or a takeover", field="kind") from None
    effective_on = _require_date(effective_on, "effective_on", "it takes effect")

    agreement_ids, customers = _move_agreements(predecessor, successor)
    moved = Moved(
        agreements=agreement_ids,
        customers=customers,
        review_conditions=_move_review_conditions(predecessor, successor),
        licence_conditions=_move_licence_conditions(predecessor, successor, effective_on),
    )
    predecessor.merged_into = successor
    predecessor.merged_on = effective_on
    merger = Merger(
        predecessor=predecessor,
        successor=successor,
        kind=chosen.value,
        effective_on=effective_on,
        recorded_by_id=actor.id,
        moved=moved.as_json(),
    )
    db.session.add(merger)
    verb = "merged into" if chosen == MergerKind.MERGER else "was taken over by"
    summary = (
        f"{predecessor.name} {verb} {successor.name} on {effective_on:%-d %B %Y}: "
        f"{len(moved.agreements)} agreements with {len(moved.customers)} customers, "
        f"{len(moved.review_conditions)} review conditions and "
        f"{len(moved.licence_conditions)} licence conditions moved to "
        f"{successor.name} (recorded by {actor.full_name})"
    )
    for organisation in (predecessor, successor):
        record_event(
            "market.merged",
            organisation,
            summary,
            changes={
                "predecessor": predecessor.name,
                "successor": successor.name,
                "kind": chosen.value,
                "effective_on": effective_on.isoformat(),
                **moved.as_json(),
            },
            actor=actor,
        )
    catalogue_changed()  # the predecessor's offers leave search
    return merger


def merge_preview(predecessor: Organisation) -> dict[str, int]:
    """What a merger would move, counted, for the confirmation page."""
    agreements = list(
        db.session.scalars(
            select(Agreement).where(
                Agreement.provider_id == predecessor.id, Agreement.status.in_(LIVE_AGREEMENTS)
            )
        )
    )
    review_conditions = (
        db.session.scalar(
            select(func.count())
            .select_from(Condition)
            .join(Review)
            .join(Submission)
            .where(
                Condition.status.in_(OPEN_CONDITIONS),
                (
                    (Submission.organisation_id == predecessor.id)
                    & Condition.answered_by_id.is_(None)
                )
                | (Condition.answered_by_id == predecessor.id),
            )
        )
        or 0
    )
    licence_conditions = (
        db.session.scalar(
            select(func.count())
            .select_from(LicenceCondition)
            .where(
                LicenceCondition.organisation_id == predecessor.id,
                LicenceCondition.status == LicenceConditionStatus.OPEN,
            )
        )
        or 0
    )
    return {
        "agreements": len(agreements),
        "customers": len({a.ccg_id for a in agreements}),
        "review_conditions": review_conditions,
        "licence_conditions": licence_conditions,
    }
