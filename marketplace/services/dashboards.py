"""What each role's dashboard shows: the work waiting for the signed-in user, as counts.

Read-only, so no transaction: a few grouped counts per role, each a ``Task`` the template shows
as a link to the page where the work is done. Pages a user may not open are left out by the
view (their access rules), not here.
"""

from dataclasses import asdict, dataclass
from decimal import Decimal

from sqlalchemy import case, distinct, func, select

from marketplace import clock
from marketplace.domain import contract_life
from marketplace.domain import service_levels as levels
from marketplace.extensions import db
from marketplace.models import (
    ActionStatus,
    Agreement,
    AgreementEnding,
    AgreementKpi,
    AgreementLine,
    AgreementStatus,
    AgreementVariation,
    AuditEvent,
    Checkpoint,
    Condition,
    ConditionStatus,
    DevelopmentAction,
    EndingKind,
    FigureReview,
    PerformanceFigure,
    PerformanceReturn,
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
    VariationStatus,
)

from . import customer_survey, market_cache, reviews, scenarios, tracker
from .performance_returns import due_working_days, returns_reckoned
from .procurement_access import opportunities_for_provider

RUNNING = (AgreementStatus.SIGNED.value, AgreementStatus.FINAL.value)


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
    today = clock.today_in_uk()
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
        Task("Customer survey answers to give",
             customer_survey.unanswered_count(organisation),
             "survey_answers.index", "How the CSSs your CCG buys from serve you"),
        Task("Returns to check", returns_to_check(organisation), "agreements.index",
             "Submitted by your providers: accept or dispute each figure"),
        Task("Agreements expiring within 6 months", expiring_within_6_months(organisation, today),
             "agreements.index", "Renew through a new procurement, or extend by a variation"),
    ]


def returns_to_check(ccg_id: int) -> int:
    """Returns (the latest version of a month's) with a figure the CCG has not yet reviewed:
    only the latest version can hold one, as a resubmission follows a full review."""
    return db.session.scalar(
        select(func.count(distinct(PerformanceReturn.id)))
        .join(Agreement, Agreement.id == PerformanceReturn.agreement_id)
        .join(PerformanceFigure, PerformanceFigure.return_id == PerformanceReturn.id)
        .where(Agreement.ccg_id == ccg_id,
               PerformanceFigure.review == FigureReview.PENDING.value)) or 0


def expiring_within_6_months(ccg_id: int, today) -> int:
    """Running agreements whose end (the notice's, else the latest agreed variation's, else
    the signed one) is within the 6-month warning (domain/contract_life.py), in one query."""
    varied_end = (
        select(AgreementVariation.new_end_date)
        .where(AgreementVariation.agreement_id == Agreement.id,
               AgreementVariation.status == VariationStatus.AGREED.value,
               AgreementVariation.new_end_date.is_not(None))
        .order_by(AgreementVariation.version.desc()).limit(1)
        .correlate(Agreement).scalar_subquery())
    rows = db.session.execute(
        select(AgreementEnding.ends_on, varied_end, Agreement.end_date)
        .outerjoin(AgreementEnding, (AgreementEnding.agreement_id == Agreement.id)
                   & (AgreementEnding.kind == EndingKind.NOTICE.value))
        .where(Agreement.ccg_id == ccg_id, Agreement.status.in_(RUNNING))).all()
    return sum(1 for notice_end, varied, signed in rows
               if contract_life.expiry_warning(notice_end or varied or signed, today))


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
    # Its own reviews' conditions, less those a successor answers, plus those it answers
    # for a CSS that merged into it.
    conditions = _counts_by(
        Condition.status,
        (Condition.review_id.in_(select(Review.id).join(Submission).where(
            Submission.organisation_id == organisation)) & Condition.answered_by_id.is_(None))
        | (Condition.answered_by_id == organisation))
    today = clock.today_in_uk()
    actions = db.session.execute(
        select(func.count(), func.count().filter(DevelopmentAction.due_date < today))
        .join(Review).join(Submission)
        .where(Submission.organisation_id == organisation,
               DevelopmentAction.status.in_([ActionStatus.OPEN, ActionStatus.REOPENED]))
    ).one()
    due, late = returns_due_and_late(organisation, today)
    return [
        Task("Opportunities open to bid", open_to_bid, "opportunities.index",
             "Published competitions you may respond to"),
        Task("Returns due", due, "customers.index",
             "Months that have ended: submit each return by its due day"),
        Task("Returns late", late, "customers.index",
             "Past their due day and not submitted: both sides see this"),
        Task("Agreements to countersign", to_countersign or 0, "customers.index",
             "Signed by the CCG, waiting for you"),
        Task("Conditions to answer",
             conditions.get(ConditionStatus.OPEN, 0) + conditions.get(ConditionStatus.REOPENED, 0),
             "checkpoints.progress", "Set by your assurance reviews"),
        Task("Development actions to complete", actions[0], "checkpoints.progress",
             f"{actions[1]} overdue" if actions[1] else ""),
    ]


def returns_due_and_late(provider_id: int, today) -> tuple[int, int]:
    """Months of the provider's running agreements that have ended with a KPI due and no
    return yet: (due, late), late once past the due day. The same rules as each agreement's
    schedule (services/performance_returns.py), in two queries for all agreements."""
    # Only the term and the KPIs' frequencies count, so plain rows in one query: an
    # agreement without a KPI has no row, as it has no month a return is due for.
    frequencies: dict[int, set[str]] = {}
    terms: dict[int, tuple] = {}
    for agreement_id, start_date, end_date, frequency in db.session.execute(
        select(Agreement.id, Agreement.start_date, Agreement.end_date, AgreementKpi.frequency)
        .join(AgreementLine, AgreementLine.agreement_id == Agreement.id)
        .join(AgreementKpi, AgreementKpi.agreement_line_id == AgreementLine.id)
        .where(Agreement.provider_id == provider_id, Agreement.status.in_(RUNNING))
        .order_by(Agreement.id)
    ):
        terms[agreement_id] = (start_date, end_date)
        frequencies.setdefault(agreement_id, set()).add(frequency)
    if not terms:
        return 0, 0
    submitted = set(db.session.execute(
        select(PerformanceReturn.agreement_id, PerformanceReturn.period_number).distinct()
        .where(PerformanceReturn.agreement_id.in_(list(terms)))).all())
    working_days = due_working_days()
    due = late = 0
    for agreement_id, (start_date, end_date) in terms.items():
        months = levels.periods(start_date, end_date)
        for period in months:
            if period.end >= today:
                break
            if (agreement_id, period.number) in submitted or not any(
                    levels.reported_in(f, period.number, len(months))
                    for f in frequencies[agreement_id]):
                continue
            if today > levels.return_due(period, working_days):
                late += 1
            else:
                due += 1
    return due, late


@dataclass(frozen=True)
class AssuranceStatus:
    checkpoint: str
    outcome: str  # in words: "Scenario A: Proceed", "Host with conditions"
    letter: str | None  # A, B or C where the checkpoint rates so


def assurance_for(user: User) -> AssuranceStatus | None:
    """The CSS's latest signed-off checkpoint outcome (the highest checkpoint, then the last
    signed off); None before its first."""
    row = db.session.execute(
        select(Checkpoint.number, Checkpoint.name, Review.outcome_code, Review.outcome_label)
        .join(Submission, Submission.checkpoint_id == Checkpoint.id)
        .join(Review, Review.submission_id == Submission.id)
        .where(Submission.organisation_id == user.organisation_id,
               Review.status == ReviewStatus.SIGNED_OFF)
        .order_by(Checkpoint.number.desc(), Review.signed_off_at.desc(), Review.id.desc())
        .limit(1)).first()
    if row is None:
        return None
    number, name, code, label = row
    return AssuranceStatus(f"Checkpoint {number}: {name}", label or "Reviewed",
                           code if code in ("A", "B", "C") else None)


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
        # The tracker's own reckoning, so the two never disagree.
        overdue = tracker.overdue_count(as_of=tracker.as_of_date())
        tasks.append(Task("CSSs with overdue milestones", overdue, "tracker.dashboard",
                          "Checkpoint steps past their due date: see the tracker"))
    return tasks


def recent_events(limit: int = 10) -> list:
    """(event, its words) for the latest ``limit`` audit events."""
    from .audit_words import describe_all

    return describe_all(db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)))


def tasks_for(user: User) -> list[Task]:
    """The user's dashboard tasks, kept per user and day until the market changes: each
    counts rows that change only with an audit event (statuses, returns, conditions,
    reviews), some against today's date; a dozen statements for every look otherwise."""
    kept = market_cache.remembered(
        {"question": "dashboard tasks", "user": user.id, **returns_reckoned()},
        lambda: [asdict(task) for task in _tasks_for(user)])
    return [Task(**task) for task in kept]


def _tasks_for(user: User) -> list[Task]:
    if user.role == Role.CCG_USER:
        return for_ccg(user)
    if user.role == Role.CSS_LEADER:
        return for_css(user)
    if user.role in (Role.BDU_REVIEWER, Role.PEER_REVIEWER):
        return for_reviewer(user)
    return []
