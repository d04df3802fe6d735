"""Read-only assurance facts other features use: commitments behind a plan, latest status.

Offers show their provider's latest assurance status through latest_assurance_status;
the business-plan analysis reads CCG commitments from agreements and statements of
requirements here.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import String, cast, func, literal, select

from marketplace.domain.business_plan import (
    NON_CCG_CUSTOMERS,
    Analysis,
    Commitment,
    FinancialModelError,
    analyse,
)
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    BusinessPlan,
    Checkpoint,
    Organisation,
    OrganisationKind,
    Review,
    ReviewStatus,
    Submission,
)

NOT_YET_ASSESSED = "Not yet assessed"


def ccg_commitments_for(provider_id: int) -> dict[str, Commitment]:
    """Per CCG ODS code: the annual value of its signed or final agreements with this provider,
    and whether the CCG stated an intention to buy support (a "buy" line in a statement of
    requirements that is not withdrawn)."""
    agreed = dict(db.session.execute(
        select(Organisation.ods_code, func.sum(Agreement.annual_value))
        .join(Agreement, Agreement.ccg_id == Organisation.id)
        .where(
            Agreement.provider_id == provider_id,
            Agreement.status.in_([AgreementStatus.SIGNED, AgreementStatus.FINAL]),
        )
        .group_by(Organisation.ods_code)
    ).all())
    # Statement lines are made against specifications, not providers: a CCG that intends to
    # buy any support has something behind a CSS's planned income from it.
    from .statements import buying_ccg_codes

    buying = buying_ccg_codes()
    return {
        code: Commitment(Decimal(agreed.get(code) or 0), code in buying)
        for code in set(agreed) | buying
        if code
    }


def population_served(model) -> int:
    """The registered population of every CCG the plan takes income from."""
    codes = {c for y in model.years for c in model.income_by_customer[y]} - NON_CCG_CUSTOMERS
    if not codes:
        return 0
    return db.session.scalar(
        select(func.coalesce(func.sum(Organisation.population), 0)).where(
            Organisation.kind == OrganisationKind.CCG, Organisation.ods_code.in_(codes)
        )
    ) or 0


@dataclass(frozen=True)
class PlanAnalysis:
    analysis: Analysis | None
    population: int
    problem: str | None = None


def analysis_for(plan: BusinessPlan) -> PlanAnalysis:
    from .business_plans import model_from_json

    model = model_from_json(plan.financial_model)
    if model is None:
        return PlanAnalysis(None, 0, "The plan has no financial model yet.")
    population = population_served(model)
    if population <= 0:
        return PlanAnalysis(None, 0, "The plan takes no income from CCGs, so income per head "
                                     "and commitments cannot be checked.")
    try:
        analysis = analyse(model, population_served=population,
                           ccg_commitments=ccg_commitments_for(plan.organisation_id))
    except FinancialModelError as error:
        return PlanAnalysis(None, population, str(error))
    return PlanAnalysis(analysis, population)


NOT_ASSESSED = "not_assessed"


def _latest_outcomes(provider_ids: Iterable[int] | None) -> dict[int, tuple[str, str]]:
    """Per provider: (status key, label) of its latest signed-off checkpoint review.
    ``provider_ids`` None: every provider with a signed-off review (and no others)."""
    ids = None if provider_ids is None else list(provider_ids)
    latest = dict.fromkeys(ids or (), (NOT_ASSESSED, NOT_YET_ASSESSED))
    if ids is not None and not ids:
        return latest
    statement = (
        select(Submission.organisation_id, Checkpoint.number, Review.outcome_code,
               Review.outcome_label)
        .join(Review, Review.submission_id == Submission.id)
        .join(Checkpoint, Checkpoint.id == Submission.checkpoint_id)
        .where(Review.status == ReviewStatus.SIGNED_OFF)
        .order_by(Checkpoint.number, Review.signed_off_at, Review.id)
    )
    if ids is not None:
        statement = statement.where(Submission.organisation_id.in_(ids))
    rows = db.session.execute(statement)
    for organisation_id, number, code, label in rows:  # later checkpoints overwrite earlier
        latest[organisation_id] = (_status_key(number, code), f"Checkpoint {number}: {label}")
    return latest


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

