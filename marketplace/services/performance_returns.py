"""Performance returns: the provider reports each month's figures against a signed agreement's
KPIs; the CCG accepts or disputes each figure; a dispute goes back to the provider, who
resubmits the disputed figures as a new version of the month's return.

A return covers one month of the agreement (domain/service_levels.py: periods) and the KPIs
due in it (quarterly ones every third month). It is submitted once the month has ended, at
most once per month (resubmissions aside), and never changes afterwards. It is late once
RETURN_DUE_WORKING_DAYS working days have passed after its month, and both sides see that on
the agreement. Each change is one transaction with its audit event; two people acting on the
same return or figure at once cannot both win (a unique version per month, the figure's
lock_version).
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import clock
from marketplace.domain import service_levels as rules
from marketplace.domain.service_levels import FigureError, Period, Rating
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementKpi,
    AgreementStatus,
    AgreementVariation,
    FigureReview,
    PerformanceFigure,
    PerformanceReturn,
)
from marketplace.policies import require

from . import notifications
from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import ServiceError
from .transaction import check_version, on_conflict, transactional

REPORTED_ON = (AgreementStatus.SIGNED, AgreementStatus.FINAL, AgreementStatus.ENDED)
MAX_COMMENTARY = 2000
MAX_REASON = 2000
SUBMITTED_MEANWHILE = (
    "A return for this month was submitted by somebody else at the same moment, so yours was "
    "not saved. Check the return as it is now."
)
REVIEWED_MEANWHILE = (
    "Somebody else reviewed this figure after you opened it, so your review was not saved. "
    "Check the figure as it is now."
)


@dataclass(frozen=True)
class FigureInput:
    value: str
    commentary: str = ""


def due_working_days() -> int:
    return int(current_app.config.get("RETURN_DUE_WORKING_DAYS") or 15)


def returns_reckoned() -> dict[str, str | int]:
    """What an answer kept about returns depends on besides the market (part of its question
    to services/market_cache.py): the day, since a return not in by its due day becomes
    late, and the working days a return is due in."""
    return {"today": clock.today_in_uk().isoformat(), "due_working_days": due_working_days()}


def kpis_of(agreement: Agreement) -> list[AgreementKpi]:
    return [kpi for line in agreement.lines for kpi in line.kpis]


@dataclass
class PeriodRow:
    """One month of the agreement in which at least one KPI is reported."""

    period: Period
    due_on: date
    kpis: list[AgreementKpi]
    versions: list[PerformanceReturn] = field(default_factory=list)
    today: date | None = None

    @property
    def current(self) -> PerformanceReturn | None:
        return self.versions[-1] if self.versions else None

    @property
    def ended(self) -> bool:
        return self.today is not None and self.period.end < self.today

    @property
    def overdue(self) -> bool:
        """Not submitted, and its due day has passed."""
        return not self.versions and self.today is not None and self.today > self.due_on

    @property
    def submitted_late(self) -> bool:
        return bool(self.versions) and self.versions[0].submitted_late

    @property
    def late(self) -> bool:
        return self.overdue or self.submitted_late

    @property
    def review_state(self) -> str:
        current = self.current
        if current is None:
            return ""
        reviews = {figure.review for figure in current.figures}
        if FigureReview.PENDING in reviews:
            return "pending"
        if FigureReview.DISPUTED in reviews:
            return "disputed"
        return "accepted"

    @property
    def status(self) -> tuple[str, str]:
        """(words, NHS.UK tag colour) for the month."""
        if self.current is None:
            if not self.ended:
                return "Not due yet", "grey"
            if self.overdue:
                return "Late: not submitted", "red"
            return "Due", "blue"
        words = {"pending": "Awaiting the CCG's review",
                 "disputed": "Disputed: back with the provider",
                 "accepted": "Accepted"}[self.review_state]
        colour = {"pending": "blue", "disputed": "orange", "accepted": "green"}[
            self.review_state]
        return words, colour


def _returns(agreement: Agreement) -> dict[int, list[PerformanceReturn]]:
    found: dict[int, list[PerformanceReturn]] = {}
    for performance_return in db.session.scalars(
        select(PerformanceReturn)
        .where(PerformanceReturn.agreement_id == agreement.id)
        .order_by(PerformanceReturn.period_number, PerformanceReturn.version)
    ):
        found.setdefault(performance_return.period_number, []).append(performance_return)
    return found


def returns_by_agreement(agreement_ids) -> dict[int, dict[int, list[PerformanceReturn]]]:
    """Every return of these agreements, with its figures, in one query: for lists that show
    many agreements' schedules (``schedule(..., returns=found.get(agreement.id, {}))``)."""
    found: dict[int, dict[int, list[PerformanceReturn]]] = {}
    for performance_return in db.session.scalars(
        select(PerformanceReturn)
        .where(PerformanceReturn.agreement_id.in_(list(agreement_ids)))
        .order_by(PerformanceReturn.agreement_id, PerformanceReturn.period_number,
                  PerformanceReturn.version)
        .options(selectinload(PerformanceReturn.figures))
    ):
        found.setdefault(performance_return.agreement_id, {}).setdefault(
            performance_return.period_number, []).append(performance_return)
    return found


def term_ends(agreements) -> dict[int, date]:
    """Each agreement's last day as varied: the end date of its latest agreed variation that
    changed it, else the signed one. One query for any number of agreements."""
    ends = {agreement.id: agreement.end_date for agreement in agreements}
    if ends:
        for agreement_id, end_date in db.session.execute(
            select(AgreementVariation.agreement_id, AgreementVariation.new_end_date)
            .where(AgreementVariation.agreement_id.in_(list(ends)),
                   AgreementVariation.status == "agreed",
                   AgreementVariation.new_end_date.is_not(None))
            .order_by(AgreementVariation.version)
        ):
            ends[agreement_id] = end_date  # later versions overwrite earlier ones
    return ends


def schedule(agreement: Agreement, today: date | None = None,
             returns: dict[int, list[PerformanceReturn]] | None = None,
             end_date: date | None = None) -> list[PeriodRow]:
    """Every month of the agreement's term as varied with a KPI due, its return's versions
    and status. ``returns`` and ``end_date`` when a list has read them for many agreements
    (returns_by_agreement, term_ends)."""
    if agreement.status not in REPORTED_ON:
        return []
    today = today or clock.today_in_uk()
    kpis = kpis_of(agreement)
    end_date = end_date or term_ends([agreement])[agreement.id]
    months = rules.periods(agreement.start_date, end_date)
    returns = _returns(agreement) if returns is None else returns
    rows = []
    for period in months:
        due = [kpi for kpi in kpis
               if rules.reported_in(kpi.frequency, period.number, len(months))]
        if not due:
            continue
        rows.append(PeriodRow(period, rules.return_due(period, due_working_days()), due,
                              returns.get(period.number, []), today))
    return rows


def late_rows(agreement: Agreement, today: date | None = None,
              end_date: date | None = None) -> list[PeriodRow]:
    """``end_date``: the end as varied, when the page has read it (variations.versions)."""
    return [row for row in schedule(agreement, today, end_date=end_date) if row.late]


def period_row(agreement: Agreement, period_number, today: date | None = None) -> PeriodRow:
    for row in schedule(agreement, today):
        if row.period.number == period_number:
            return row
    raise ServiceError("That month is not one of this agreement's reporting months: choose a "
                       "month within the contract in which a service level is reported",
                       field="period")


def _check_reporter(actor, agreement: Agreement) -> None:
    require(actor, "report", agreement,
            f"Only leaders of {agreement.provider.name} can submit its performance returns")
    if agreement.status not in REPORTED_ON:
        raise ServiceError(f"Agreement {agreement.reference} is "
                           f"{agreement.status_label.lower()}: returns are made once both "
                           "parties have signed it")


def _figures(kpis: list[AgreementKpi], figures: dict[int, FigureInput]) -> list[PerformanceFigure]:
    errors: list[tuple[str, str]] = []
    made = []
    for kpi in kpis:
        given = figures.get(kpi.id) or FigureInput("")
        name = f"figure_{kpi.id}"
        try:
            value = rules.parse_figure(given.value, kpi.unit, f"the figure for {kpi.measure}")
        except FigureError as error:
            errors.append((name, error.message))
            continue
        try:
            commentary = clean_text(given.commentary, f"commentary_{kpi.id}", MAX_COMMENTARY)
        except ServiceError as error:
            errors.append((error.field, error.message))
            continue
        made.append(PerformanceFigure(kpi=kpi, value=value, commentary=commentary,
                                      review=FigureReview.PENDING))
    if errors:
        raise FieldErrors(errors)
    return made


def _summary(figures: list[PerformanceFigure]) -> dict:
    return {figure.kpi.measure: {
        "value": figure.value,
        "rating": figure.rating.value if figure.rating else None,
        "carried_forward": figure.carried_forward} for figure in figures}


@transactional
def submit_return(actor, agreement: Agreement, period_number,
                  figures: dict[int, FigureInput]) -> PerformanceReturn:
    """The provider's first return for a month that has ended."""
    _check_reporter(actor, agreement)
    today = clock.today_in_uk()
    row = period_row(agreement, period_number, today)
    if row.versions:
        raise ServiceError(f"The return for {row.period.label} has already been submitted: "
                           "there is one return a month. Answer a dispute by resubmitting "
                           "the disputed figures.", field="period")
    if not row.ended:
        raise ServiceError(f"{row.period.label} has not ended yet: submit its return once "
                           "the month is over", field="period")
    made = _figures(row.kpis, figures)
    on_conflict(PerformanceReturn, SUBMITTED_MEANWHILE)
    performance_return = PerformanceReturn(
        agreement=agreement, period_number=row.period.number, period_start=row.period.start,
        period_end=row.period.end, version=1, submitted_at=clock.now(),
        submitted_by_id=actor.id, due_on=row.due_on, submitted_late=today > row.due_on,
        figures=made)
    db.session.add(performance_return)
    db.session.flush()
    record_event(
        "performance_return.submitted", performance_return,
        f"{actor.full_name} submitted {agreement.provider.name}'s return for "
        f"{row.period.label} on agreement {agreement.reference}"
        + (f", late (due {row.due_on:%d %B %Y})" if performance_return.submitted_late else ""),
        changes={"agreement": agreement.reference, "period": row.period.label,
                 "version": 1, "late": performance_return.submitted_late,
                 "figures": _summary(made)},
        actor=actor)
    return performance_return


def current_version(performance_return: PerformanceReturn) -> bool:
    latest = db.session.scalar(
        select(PerformanceReturn.id)
        .where(PerformanceReturn.agreement_id == performance_return.agreement_id,
               PerformanceReturn.period_number == performance_return.period_number)
        .order_by(PerformanceReturn.version.desc()).limit(1))
    return latest == performance_return.id


@transactional
def review_figure(actor, figure: PerformanceFigure, expected_lock_version, decision: str,
                  reason: str = "") -> PerformanceFigure:
    """The CCG accepts a figure, or disputes it saying why (it goes back to the provider)."""
    agreement = figure.agreement
    require(actor, "review", figure,
            f"Only users of {agreement.ccg.name} can accept or dispute these figures")
    check_version(figure, expected_lock_version, REVIEWED_MEANWHILE)
    try:
        outcome = FigureReview(decision)
    except ValueError:
        outcome = None
    if outcome not in (FigureReview.ACCEPTED, FigureReview.DISPUTED):
        raise ServiceError("Choose whether you accept or dispute the figure", field="decision")
    if figure.review != FigureReview.PENDING:
        raise ServiceError(f"This figure has already been {figure.review}")
    if not current_version(figure.performance_return):
        raise ServiceError("This return has been resubmitted: review the latest version")
    reason = clean_text(reason, "reason", MAX_REASON,
                        required="Say why you dispute the figure"
                        if outcome is FigureReview.DISPUTED else None)
    figure.review = outcome
    figure.dispute_reason = reason if outcome is FigureReview.DISPUTED else ""
    figure.reviewed_at = clock.now()
    figure.reviewed_by_id = actor.id
    performance_return = figure.performance_return
    period = performance_return.period_start
    record_event(
        f"performance_figure.{outcome.value}", performance_return,
        f"{actor.full_name} of {agreement.ccg.name} {outcome.value} the figure for "
        f"{figure.kpi.measure} ({figure.kpi.show(figure.value)}) in the return for "
        f"{period:%B %Y} on agreement {agreement.reference}",
        changes={"figure_id": figure.id, "review": [FigureReview.PENDING.value, outcome.value],
                 "reason": figure.dispute_reason or None}, actor=actor)
    if outcome is FigureReview.DISPUTED:
        notifications.return_disputed(figure)
    return figure


def disputed_figures(performance_return: PerformanceReturn) -> list[PerformanceFigure]:
    return [figure for figure in performance_return.figures
            if figure.review == FigureReview.DISPUTED]


def versions_of(performance_return: PerformanceReturn) -> list[PerformanceReturn]:
    """Every version of the return's month, oldest first, with the agreement's parties, who
    submitted each, their figures, the KPIs they report on and who reviewed them: one
    page's worth in two queries, not one per figure."""
    return list(db.session.scalars(
        select(PerformanceReturn)
        .where(PerformanceReturn.agreement_id == performance_return.agreement_id,
               PerformanceReturn.period_number == performance_return.period_number)
        .order_by(PerformanceReturn.version)
        .options(joinedload(PerformanceReturn.submitted_by),
                 joinedload(PerformanceReturn.agreement).options(
                     joinedload(Agreement.ccg), joinedload(Agreement.provider)),
                 selectinload(PerformanceReturn.figures).options(
                     joinedload(PerformanceFigure.kpi),
                     joinedload(PerformanceFigure.reviewed_by)))))


def can_resubmit(performance_return: PerformanceReturn, is_current: bool | None = None) -> bool:
    """``is_current``: whether it is the latest version, when the caller knows."""
    reviews = {figure.review for figure in performance_return.figures}
    return (FigureReview.DISPUTED in reviews and FigureReview.PENDING not in reviews
            and (current_version(performance_return) if is_current is None else is_current))


@transactional
def resubmit(actor, performance_return: PerformanceReturn,
             figures: dict[int, FigureInput]) -> PerformanceReturn:
    """The provider answers the CCG's disputes: a new version of the month's return, with new
    figures for the disputed KPIs and the accepted ones carried forward as accepted."""
    agreement = performance_return.agreement
    _check_reporter(actor, agreement)
    if not current_version(performance_return):
        raise ServiceError("This return has already been resubmitted: answer the latest "
                           "version")
    if not can_resubmit(performance_return):
        raise ServiceError("Only a return whose every figure the CCG has reviewed, and "
                           "disputed at least one, can be resubmitted")
    disputed = disputed_figures(performance_return)
    made = _figures([figure.kpi for figure in disputed], figures)
    carried = [
        PerformanceFigure(kpi=figure.kpi, value=figure.value, commentary=figure.commentary,
                          carried_forward=True, review=FigureReview.ACCEPTED,
                          reviewed_at=figure.reviewed_at, reviewed_by_id=figure.reviewed_by_id)
        for figure in performance_return.figures if figure.review == FigureReview.ACCEPTED]
    on_conflict(PerformanceReturn, SUBMITTED_MEANWHILE)
    version = performance_return.version + 1
    newer = PerformanceReturn(
        agreement=agreement, period_number=performance_return.period_number,
        period_start=performance_return.period_start,
        period_end=performance_return.period_end, version=version,
        submitted_at=clock.now(), submitted_by_id=actor.id,
        due_on=performance_return.due_on, submitted_late=False,
        figures=sorted(made + carried, key=lambda figure: figure.kpi.id))
    db.session.add(newer)
    db.session.flush()
    record_event(
        "performance_return.resubmitted", newer,
        f"{actor.full_name} resubmitted {len(made)} disputed figure"
        f"{'' if len(made) == 1 else 's'} for {performance_return.period_start:%B %Y} on "
        f"agreement {agreement.reference} (version {version})",
        changes={"agreement": agreement.reference, "version": version,
                 "replaces_return_id": performance_return.id, "figures": _summary(made)},
        actor=actor)
    return newer


# What the pages show: each KPI's rated figures month by month.


@dataclass(frozen=True)
class Point:
    period: Period
    value: Decimal
    rating: Rating | None
    review: str


@dataclass(frozen=True)
class KpiRecord:
    kpi: AgreementKpi
    points: list[Point]

    def count(self, rating: Rating) -> int:
        return sum(1 for point in self.points if point.rating is rating)

    @property
    def counts(self) -> dict[str, int]:
        return {rating.label.lower(): self.count(rating) for rating in Rating}


def kpi_records(agreement: Agreement, rows: list[PeriodRow] | None = None) -> list[KpiRecord]:
    """Each KPI's figures from the latest version of every month's return."""
    rows = schedule(agreement) if rows is None else rows
    by_kpi: dict[int, list[Point]] = {kpi.id: [] for kpi in kpis_of(agreement)}
    for row in rows:
        if row.current is None:
            continue
        for figure in row.current.figures:
            by_kpi.setdefault(figure.kpi_id, []).append(
                Point(row.period, figure.value, figure.rating, figure.review))
    return [KpiRecord(kpi, by_kpi.get(kpi.id, [])) for kpi in kpis_of(agreement)]
