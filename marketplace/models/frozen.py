"""The backstop for immutable records: a flush that would change one fails loudly.

Immutable: a submitted business plan (and its income rows), a signed-off review with its
ratings and reviewers, an issued review document or authorisation evidence pack (conditions
and actions still move on after sign-off), and the KPIs of an agreement once the CCG has
signed it.

Services refuse such changes first, with a message for the user; this guard catches the
code path that forgot to ask (a new view, a CLI command, a seeder). create_app attaches it
to every session (models.LISTENERS).
"""

from sqlalchemy import inspect

from .authorisation_pack import AuthorisationPack
from .bid import DecisionLetter, OcdsRelease
from .business_plan import BusinessPlan, PlanStatus
from .buying import AgreementStatus
from .issued_document import IssuedDocument
from .plan_income import PlanIncome
from .review import Condition, DevelopmentAction, Rating, Review, ReviewAssignment, ReviewStatus
from .service_levels import FIGURE_FIXED, AgreementKpi, PerformanceFigure, PerformanceReturn


class FrozenRecordError(RuntimeError):
    """An attempt to change a submitted plan or a signed-off review."""


def _committed(obj, attribute: str):
    """The value as last loaded from the database, or None for a new object."""
    state = inspect(obj)
    history = state.attrs[attribute].history
    if history.deleted:
        return history.deleted[0]
    if history.unchanged:
        return history.unchanged[0]
    if state.persistent and not history.added:
        # Expired by a commit or rollback since it was read: the database has the value.
        return getattr(obj, attribute)
    return None


def _review_was_signed_off(review: Review | None) -> bool:
    return review is not None and _committed(review, "status") == ReviewStatus.SIGNED_OFF


def _agreement_was_signed(kpi: AgreementKpi) -> bool:
    line = kpi.line
    agreement = line.agreement if line is not None else None
    if agreement is None:
        return False
    status = _committed(agreement, "status")
    return status is not None and status != AgreementStatus.DRAFT


def refuse_changes_to_frozen_records(session, flush_context, instances):
    for obj in session.dirty:
        if not session.is_modified(obj, include_collections=False):
            continue
        if isinstance(obj, BusinessPlan) and _committed(obj, "status") == PlanStatus.SUBMITTED:
            raise FrozenRecordError(f"business plan {obj.id} was submitted and cannot change")
        if isinstance(obj, Review) and _review_was_signed_off(obj):
            raise FrozenRecordError(f"review {obj.id} was signed off and cannot change")
        if isinstance(obj, IssuedDocument | AuthorisationPack | DecisionLetter | OcdsRelease):
            raise FrozenRecordError(f"{type(obj).__name__} {obj.id} was issued and cannot change")
        if isinstance(obj, PerformanceReturn):
            raise FrozenRecordError(f"performance return {obj.id} was submitted: it cannot "
                                    "change, only be answered by a new version")
        if isinstance(obj, PerformanceFigure):
            state = inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in FIGURE_FIXED):
                raise FrozenRecordError(f"figure {obj.id} was submitted: only its review "
                                        "can change")
        if isinstance(obj, Rating | ReviewAssignment) and _review_was_signed_off(obj.review):
            raise FrozenRecordError(f"review {obj.review_id} was signed off and cannot change")
    for obj in session.deleted:
        if isinstance(obj, IssuedDocument | AuthorisationPack | DecisionLetter | OcdsRelease):
            raise FrozenRecordError(f"{type(obj).__name__} {obj.id} was issued: not deletable")
        if isinstance(obj, PerformanceReturn | PerformanceFigure):
            raise FrozenRecordError(f"{type(obj).__name__} {obj.id} was submitted: not "
                                    "deletable")
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, AgreementKpi) and _agreement_was_signed(obj) and (
                obj not in session.dirty or session.is_modified(obj, include_collections=False)):
            raise FrozenRecordError(
                f"agreement {obj.agreement.reference} is signed: its KPIs cannot change")
    for obj in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(obj, PlanIncome) and obj.business_plan is not None and _committed(
                obj.business_plan, "status") == PlanStatus.SUBMITTED:
            raise FrozenRecordError(
                f"business plan {obj.business_plan_id} was submitted: its income cannot change")
    for obj in [*session.new, *session.deleted]:
        if isinstance(obj, Rating | ReviewAssignment | Condition | DevelopmentAction):
            if _review_was_signed_off(obj.review):
                raise FrozenRecordError(
                    f"review {obj.review_id} was signed off: nothing can be added or removed"
                )
