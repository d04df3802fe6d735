"""What each role's dashboard shows: the work waiting for the signed-in user, as counts.

Read-only, so no transaction: a few grouped counts per role, each a ``Task`` the template shows
as a link to the page where the work is done. Pages a user may not open are left out by the
view (their access rules), not here.
"""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import (
    ActionStatus,
    Agreement,
    AgreementStatus,
    AuditEvent,
    Condition,
    ConditionStatus,
    DevelopmentAction,
    Procurement,
    ProcurementStatus,
    Review,
    ReviewAssignment,
    ReviewStatus,
    Role,
    Scenario,
    ScenarioStatus,
    Submission,
    User,
)

from . import reviews, scenarios
from .procurement_access import opportunities_for_provider


@dataclass(frozen=True)
class Task:
    label: str
    count: int
    endpoint: str
    hint: str = ""


def _counts_by(column, *where) -> dict[str, int]:
    return dict(db.session.execute(
        select(column, func.count()).where(*where).group_by(column)).all())


def for_ccg(user: User) -> list[Task]:
    organisation = user.organisation_id
    agreements = _counts_by(Agreement.status, Agreement.ccg_id == organisation)
    procurements = _counts_by(
        Procurement.status, Procurement.lead_ccg_id == organisation,
        Procurement.status.in_([ProcurementStatus.OPEN, ProcurementStatus.EVALUATION,
                                ProcurementStatus.STANDSTILL]))
    return [
        Task("Agreements to sign", agreements.get(AgreementStatus.DRAFT, 0),
             "agreements.index", "Drafts your CCG has not signed yet"),
        Task("Agreements waiting for the provider to countersign",
             agreements.get(AgreementStatus.AWAITING_COUNTERSIGNATURE, 0), "agreements.index"),
        Task("Procurements open to bids", procurements.get(ProcurementStatus.OPEN, 0),
             "procurements.index"),
        Task("Procurements in evaluation", procurements.get(ProcurementStatus.EVALUATION, 0),
             "procurements.index", "Bids have closed: score them and decide"),
        Task("Procurements in standstill", procurements.get(ProcurementStatus.STANDSTILL, 0),
             "procurements.index", "Awarded: bidders may still challenge"),
    ]


@dataclass(frozen=True)
class Headroom:
    financial_year: str
    budget: Decimal  # the money for commissioning support
    planned_spend: Decimal
    left: Decimal  # budget less planned spend; negative when the plan is not affordable


@dataclass(frozen=True)
class HeadroomPlan:
    scenario: Scenario
    years: tuple[Headroom, ...]


def headroom_for(user: User) -> HeadroomPlan | None:
    """This year and next from the CCG's plan: its latest final scenario, else its latest."""
    scenario = db.session.scalar(
        select(Scenario).where(Scenario.organisation_id == user.organisation_id)
        .order_by(case((Scenario.status == ScenarioStatus.FINAL, 0), else_=1),
                  Scenario.updated_at.desc(), Scenario.id.desc())
        .limit(1))
    if scenario is None:
        return None
    years = scenarios.outcome(scenario).years
    start = next((i for i, year in enumerate(years)
                  if year.financial_year == scenario.financial_year), 0)
    return HeadroomPlan(scenario, tuple(
        Headroom(year.financial_year, year.sourcing.commissioning_support_budget,
                 year.sourcing.total_spend, year.sourcing.balance)
        for year in years[start:start + 2]))


def for_css(user: User) -> list[Task]:
    organisation = user.organisation_id
    to_countersign = db.session.scalar(
        select(func.count()).select_from(Agreement).where(
            Agreement.provider_id == organisation,
            Agreement.status == AgreementStatus.AWAITING_COUNTERSIGNATURE))
    # Through the service that decides which opportunities a provider may see.
    open_to_bid = len(opportunities_for_provider(user, ProcurementStatus.OPEN))
    conditions = _counts_by(
        Condition.status,
        Condition.review_id.in_(select(Review.id).join(Submission).where(
            Submission.organisation_id == organisation)))
    today = clock.today_in_uk()
    actions = db.session.execute(
        select(func.count(), func.count().filter(DevelopmentAction.due_date < today))
        .join(Review).join(Submission)
        .where(Submission.organisation_id == organisation,
               DevelopmentAction.status.in_([ActionStatus.OPEN, ActionStatus.REOPENED]))
    ).one()
    return [
        Task("Opportunities open to bid", open_to_bid, "opportunities.index"),
        Task("Agreements to countersign", to_countersign or 0, "customers.index",
             "Signed by the CCG, waiting for you"),
        Task("Conditions to answer",
             conditions.get(ConditionStatus.OPEN, 0) + conditions.get(ConditionStatus.REOPENED, 0),
             "checkpoints.progress", "Set by your assurance reviews"),
        Task("Development actions to complete", actions[0], "checkpoints.progress",
             f"{actions[1]} overdue" if actions[1] else ""),
    ]


def for_reviewer(user: User) -> list[Task]:
    tasks = [
        Task("Submissions waiting for a reviewer", len(reviews.waiting_for_a_reviewer(user)),
             "reviews.index"),
        Task("Your reviews in draft", db.session.scalar(
            select(func.count()).select_from(Review)
            .where(Review.status == ReviewStatus.DRAFT,
                   Review.id.in_(select(ReviewAssignment.review_id)
                                 .where(ReviewAssignment.reviewer_id == user.id)))) or 0,
             "reviews.index"),
        Task("Reviews waiting for your sign-off", len(reviews.waiting_for_sign_off_by(user)),
             "reviews.index", "Another reviewer has given an outcome"),
    ]
    if user.role == Role.BDU_REVIEWER:
        responded = db.session.scalar(
            select(func.count()).select_from(Condition)
            .where(Condition.status == ConditionStatus.RESPONDED)) or 0
        tasks.append(Task("Condition responses waiting for a decision", responded,
                          "reviews.index"))
    return tasks


def recent_events(limit: int = 10) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)))


def tasks_for(user: User) -> list[Task]:
    if user.role == Role.CCG_USER:
        return for_ccg(user)
    if user.role == Role.CSS_LEADER:
        return for_css(user)
    if user.role in (Role.BDU_REVIEWER, Role.PEER_REVIEWER):
        return for_reviewer(user)
    return []
