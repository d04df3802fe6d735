"""A CCG's requirements: per specification, whether it needs it, how much, and do/buy/share.

These are the intentions CSS business plans are later checked against (ccg_intentions).
"""

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    IntendedMode,
    Organisation,
    Priority,
    Requirement,
    ServiceSpecification,
)
from marketplace.policies import require

from .audit import record_event
from .errors import NotFound, ServiceError
from .transaction import check_version, on_conflict, transactional

ONLY_OWN_USERS = "Only the CCG's own users can record its requirements"

PHASE_ORDER = ("planning", "agreeing_contracts", "monitoring_contracts", "business_support")
STALE_REQUIREMENTS = (
    "Someone else saved your CCG's requirements after you opened this page, so your answers "
    "were not saved. They are shown below: check them against the requirements as they are "
    "now and save again."
)


@dataclass(frozen=True)
class RequirementAnswer:
    specification_id: int
    needed: bool | None  # None: no answer (any earlier answer is withdrawn)
    priority: str = Priority.MEDIUM
    intended_mode: str = IntendedMode.BUY
    notes: str = ""
    # The answer's lock_version as the page showed it; 0 if there was no answer then, None
    # if it was not read from a page.
    lock_version: int | None = None


@dataclass(frozen=True)
class IntendedPurchase:
    specification_id: int
    code: str
    name: str
    priority: str


@dataclass(frozen=True)
class CcgIntention:
    """What one CCG has said it will do about the current specifications."""

    ccg_id: int
    answered: int
    to_buy: tuple[IntendedPurchase, ...] = ()
    to_share: tuple[IntendedPurchase, ...] = ()
    in_house: tuple[IntendedPurchase, ...] = ()

    @property
    def has_answered(self) -> bool:
        return self.answered > 0

    @property
    def intends_to_buy(self) -> bool:
        return bool(self.to_buy)


def current_specifications() -> list[ServiceSpecification]:
    """Specifications still open to offers, in commissioning-cycle order."""
    specifications = db.session.scalars(
        select(ServiceSpecification)
        .where(ServiceSpecification.retired_at.is_(None))
        .order_by(ServiceSpecification.code)
    ).all()
    return sorted(specifications, key=lambda spec: _phase_rank(spec.phase))


def _phase_rank(phase: str) -> int:
    return PHASE_ORDER.index(phase) if phase in PHASE_ORDER else len(PHASE_ORDER)


def requirements_by_specification(ccg: Organisation) -> dict[int, Requirement]:
    rows = db.session.scalars(select(Requirement).where(Requirement.organisation_id == ccg.id))
    return {row.specification_id: row for row in rows}


def _check_answer(answer: RequirementAnswer, specification: ServiceSpecification | None):
    if specification is None:
        raise NotFound("That specification does not exist", field="rows")
    if specification.is_retired:
        raise ServiceError(f"{specification.name} has been retired; reload the page", field="rows")
    if answer.needed is None:
        return
    if answer.priority not in set(Priority):
        raise ServiceError(f"Choose a priority for {specification.name}", field="rows")
    if answer.intended_mode not in set(IntendedMode):
        raise ServiceError(f"Choose how you intend to get {specification.name}", field="rows")


@transactional
def save_requirements(actor, ccg: Organisation, answers: Iterable[RequirementAnswer]) -> int:
    """Record the CCG's answers in one transaction; returns how many specifications changed."""
    require(actor, "act_for_ccg", ccg, ONLY_OWN_USERS)
    on_conflict(Requirement, STALE_REQUIREMENTS)  # another save adding the same answers first
    existing = requirements_by_specification(ccg)
    changes: dict[str, object] = {}
    for answer in answers:
        specification = db.session.get(ServiceSpecification, answer.specification_id)
        _check_answer(answer, specification)
        requirement = existing.get(answer.specification_id)
        check_version(requirement, answer.lock_version, STALE_REQUIREMENTS)
        if answer.needed is None:
            if requirement is not None:
                db.session.delete(requirement)
                changes[specification.code] = "answer withdrawn"
            continue
        new_values = {
            "needed": answer.needed,
            "priority": Priority(answer.priority).value,
            "intended_mode": IntendedMode(answer.intended_mode).value,
            "notes": answer.notes.strip(),
        }
        if requirement is None:
            requirement = Requirement(organisation=ccg, specification=specification)
            db.session.add(requirement)
            changes[specification.code] = new_values
            for name, value in new_values.items():
                setattr(requirement, name, value)
            continue
        changed = {
            name: [getattr(requirement, name), value]
            for name, value in new_values.items()
            if getattr(requirement, name) != value
        }
        if changed:
            for name, (_old, value) in changed.items():
                setattr(requirement, name, value)
            changes[specification.code] = changed
    if not changes:
        return 0
    record_event(
        "requirements.updated",
        ccg,
        f"{ccg.name} updated its requirements for {len(changes)} specification"
        f"{'' if len(changes) == 1 else 's'}",
        changes=changes,
        actor=actor,
    )
    return len(changes)


def ccg_intentions(ccg_ids: Iterable[int]) -> dict[int, CcgIntention]:
    """Per CCG, whether it intends to buy anything and what (current specifications only).

    Every id asked about has an entry; a CCG that has recorded nothing has answered == 0 and
    intends_to_buy False. Only answers saying the specification is needed count.
    """
    ids = list(dict.fromkeys(ccg_ids))
    if not ids:
        return {}
    rows = db.session.execute(
        select(Requirement, ServiceSpecification)
        .join(ServiceSpecification, Requirement.specification_id == ServiceSpecification.id)
        .where(
            Requirement.organisation_id.in_(ids),
            ServiceSpecification.retired_at.is_(None),
        )
        .order_by(Requirement.organisation_id, ServiceSpecification.code)
    ).all()
    answered: dict[int, int] = {ccg_id: 0 for ccg_id in ids}
    by_mode: dict[int, dict[str, list[IntendedPurchase]]] = {
        ccg_id: {mode.value: [] for mode in IntendedMode} for ccg_id in ids
    }
    for requirement, specification in rows:
        answered[requirement.organisation_id] += 1
        if requirement.needed:
            by_mode[requirement.organisation_id][requirement.intended_mode].append(
                IntendedPurchase(
                    specification.id, specification.code, specification.name, requirement.priority
                )
            )
    return {
        ccg_id: CcgIntention(
            ccg_id=ccg_id,
            answered=answered[ccg_id],
            to_buy=tuple(by_mode[ccg_id][IntendedMode.BUY]),
            to_share=tuple(by_mode[ccg_id][IntendedMode.SHARE]),
            in_house=tuple(by_mode[ccg_id][IntendedMode.DO]),
        )
        for ccg_id in ids
    }
