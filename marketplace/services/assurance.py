"""Read-only assurance facts other features use: commitments behind a plan, latest status.

Offers show their provider's latest assurance status through latest_assurance_status;
the business-plan analysis runs the plan checks (services/plan_checks.py gathers their inputs).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import String, cast, func, literal, select

from marketplace.domain.business_plan import FinancialModelError
from marketplace.domain.plan_checks import (
    HOSTING_GROUP,
    THRESHOLD_SPECS,
    PlanCheckResult,
    Thresholds,
    check_plan,
    describe_threshold,
)
from marketplace.extensions import db
from marketplace.models import (
    BusinessPlan,
    Checkpoint,
    Review,
    ReviewStatus,
    Submission,
)

NOT_YET_ASSESSED = "Not yet assessed"


@dataclass(frozen=True)
class PlanAnalysis:
    result: PlanCheckResult | None
    problem: str | None = None
    # ODS code -> name of the plan's CCG customers, as the checks read them (None when the
    # checks did not run): the review document names the same customers without asking again.
    customer_names: Mapping[str, str] | None = None

    @property
    def thresholds(self) -> list[tuple[str, str]]:
        """(words, value) of each plan-check threshold the result was judged against."""
        if self.result is None:
            return []
        values = self.result.thresholds.values()
        return [(spec.label, describe_threshold(spec.key, values[spec.key]))
                for spec in THRESHOLD_SPECS if spec.group != HOSTING_GROUP]


def analysis_for(plan: BusinessPlan, thresholds: Thresholds | None = None) -> PlanAnalysis:
    """The plan checks on a plan's financial model, against ``thresholds`` (a review's
    recorded values) or those in force."""
    from .business_plans import model_from_json
    from .plan_checks import ExtrasInvalid, inputs_for, thresholds_in_force

    try:
        model = model_from_json(plan.financial_model)
    except FinancialModelError as error:
        return PlanAnalysis(None, str(error))
    if model is None:
        return PlanAnalysis(None, "The plan has no financial model yet.")
    try:
        inputs = inputs_for(model, plan.organisation_id, plan.financial_model)
    except ExtrasInvalid as error:
        return PlanAnalysis(None, str(error))
    return PlanAnalysis(check_plan(inputs, thresholds or thresholds_in_force()),
                        customer_names=inputs.customers)


def analysis_for_review(review) -> PlanAnalysis | None:
    """A signed-off review shows the checks as they were judged, with its recorded values."""
    plan = review.submission.business_plan if review is not None else None
    if plan is None:
        return None
    recorded = review.thresholds_in_force if review.is_signed_off else None
    return analysis_for(plan, Thresholds.from_values(recorded) if recorded else None)


NOT_ASSESSED = "not_assessed"


def _latest_outcomes(provider_ids: Iterable[int] | None) -> dict[int, tuple[str, str]]:
    """Per provider: (status key, label) of its latest signed-off checkpoint review.
    ``provider_ids`` None: every provider with a signed-off review (and no others)."""
    ids = None if provider_ids is None else list(provider_ids)
    latest = dict.fromkeys(ids or (), (NOT_ASSESSED, NOT_YET_ASSESSED))
    if ids is not None and not ids:
        return latest
    for organisation_id, number, code, label in _signed_off(ids):
        # Later checkpoints overwrite earlier.
        latest[organisation_id] = (_status_key(number, code), _outcome_words(number, label))
    return latest


def _signed_off(ids: list[int] | None, *more):
    """Rows (provider id, checkpoint number, outcome code and label, ``more``) of the
    signed-off reviews of these providers (None: all), the latest of each last."""
    statement = (
        select(Submission.organisation_id, Checkpoint.number, Review.outcome_code,
               Review.outcome_label, *more)
        .join(Review, Review.submission_id == Submission.id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Review.status == ReviewStatus.SIGNED_OFF)
        .order_by(Checkpoint.number, Review.signed_off_at, Review.id)
    )
    if ids is not None:
        statement = statement.where(Submission.organisation_id.in_(ids))
    return db.session.execute(statement)


def _outcome_words(number: int, label: str | None) -> str:
    return f"Checkpoint {number}: {label}"


def latest_status_and_codes(provider_ids: Iterable[int], rule_keys: tuple[str, ...]
                            ) -> tuple[dict[int, str], dict[str, dict[int, str | None]]]:
    """latest_assurance_status, and per checkpoint rule each provider's latest signed-off
    outcome code (checkpoints found by their rule): one query for both."""
    ids = list(provider_ids)
    statuses = dict.fromkeys(ids, NOT_YET_ASSESSED)
    codes: dict[str, dict[int, str | None]] = {rule_key: {} for rule_key in rule_keys}
    if ids:
        for organisation_id, number, code, label, rule_key in _signed_off(
                ids, Checkpoint.rule_key):  # later ones overwrite earlier
            statuses[organisation_id] = _outcome_words(number, label)
            if rule_key in codes:
                codes[rule_key][organisation_id] = code
    return statuses, codes


def _status_key(number: int, code: str | None) -> str:
    return f"checkpoint-{number}-{(code or 'reviewed').lower().replace('_', '-')}"


def latest_statuses():
    """SQL: per provider with a signed-off checkpoint review, the status key of the latest
    (the highest checkpoint, then the last signed off), as _status_key writes it; a
    subquery of (provider_id, status). Providers missing from it are NOT_ASSESSED."""
    key = (literal("checkpoint-") + cast(Checkpoint.number, String) + literal("-")
           + func.lower(func.replace(func.coalesce(Review.outcome_code, "reviewed"), "_", "-")))
    ranked = (
        select(
            Submission.organisation_id.label("provider_id"),
            key.label("status"),
            func.row_number().over(
                partition_by=Submission.organisation_id,
                order_by=(Checkpoint.number.desc(), Review.signed_off_at.desc(),
                          Review.id.desc()),
            ).label("latest"),
        )
        .join(Review, Review.submission_id == Submission.id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Review.status == ReviewStatus.SIGNED_OFF)
        .subquery("ranked")
    )
    # Grouped, though each provider has one latest row: SQLite then indexes the result to
    # join it, where it would scan it once per offer.
    return (select(ranked.c.provider_id, func.max(ranked.c.status).label("status"))
            .where(ranked.c.latest == 1).group_by(ranked.c.provider_id)
            .subquery("latest_status"))


def latest_assurance_status(provider_ids: Iterable[int]) -> dict[int, str]:
    """Per provider: the outcome of its latest signed-off checkpoint, in words."""
    return {pid: label for pid, (_key, label) in _latest_outcomes(provider_ids).items()}


def assurance_status_for(provider_ids: Iterable[int]) -> dict[int, str]:
    """Per provider: a stable key for its latest assurance status (the search facet's value)."""
    return {pid: key for pid, (key, _label) in _latest_outcomes(provider_ids).items()}


def assurance_statuses() -> dict[str, str]:
    """Every status key in use, with its label, latest checkpoints first; for the facet."""
    rows = db.session.execute(
        select(Checkpoint.number, Review.outcome_code, Review.outcome_label)
        .join(Submission, Submission.checkpoint_id == Checkpoint.id)
        .join(Review, Review.submission_id == Submission.id)
        .where(Review.status == ReviewStatus.SIGNED_OFF)
        .distinct()
        .order_by(Checkpoint.number.desc(), Review.outcome_code)
    )
    statuses = {_status_key(n, code): f"Checkpoint {n}: {label}" for n, code, label in rows}
    statuses[NOT_ASSESSED] = NOT_YET_ASSESSED
    return statuses


def assurance_label(status: str) -> str:
    return assurance_statuses().get(status, NOT_YET_ASSESSED)

