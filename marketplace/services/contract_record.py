"""A provider's record as a contractor: per customer agreement and in total, how its KPIs
rated (met / within tolerance / missed), the figures its customers dispute and its late
returns, read from the performance returns (services/performance_returns.py)."""

from dataclasses import asdict, dataclass, field
from datetime import date

from sqlalchemy import Row, join, select

from marketplace import clock
from marketplace.domain import service_levels as rules
from marketplace.domain.service_levels import Period, Rating
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementKpi,
    AgreementLine,
    FigureReview,
    Organisation,
    PerformanceFigure,
    PerformanceReturn,
)

from . import market_cache
from .performance_returns import REPORTED_ON, due_working_days, returns_reckoned
from .variations import current_end_date


@dataclass
class Record:
    met: int = 0
    within_tolerance: int = 0
    missed: int = 0
    open_disputes: int = 0
    late_returns: int = 0
    kpis: int = 0

    @property
    def rated(self) -> int:
        return self.met + self.within_tolerance + self.missed

    def add(self, other: "Record") -> None:
        for name in ("met", "within_tolerance", "missed", "open_disputes", "late_returns", "kpis"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def words(self) -> str:
        if not self.kpis:
            return "No service levels agreed"
        if not self.rated:
            return "No figures reported yet"
        return f"{self.met} met, {self.within_tolerance} within tolerance, {self.missed} missed"


@dataclass
class ProviderRecord:
    provider: Organisation
    total: Record = field(default_factory=Record)
    by_agreement: dict[int, Record] = field(default_factory=dict)
    agreements: int = 0


def provider_record(provider: Organisation) -> ProviderRecord:
    return kept_records([provider])[provider.id]


def kept_records(providers: list[Organisation]) -> dict[int, ProviderRecord]:
    """provider_records, kept in the shared cache until the market changes (a return, a
    review of a figure, a signed or varied agreement: each writes an audit event) or the day
    does (a return not in by its due day becomes late). Counting them walks every month of
    every agreement of every provider asked about, the same between two changes."""
    by_id = {provider.id: provider for provider in providers}

    def work_out() -> dict:
        return {str(provider_id): {
            "total": asdict(record.total), "agreements": record.agreements,
            "by_agreement": {str(agreement_id): asdict(counted)
                             for agreement_id, counted in record.by_agreement.items()},
        } for provider_id, record in provider_records(providers).items()}

    kept = market_cache.remembered(
        {"question": "contract records", "providers": sorted(by_id), **returns_reckoned()},
        work_out)
    return {int(provider_id): ProviderRecord(
        by_id[int(provider_id)], Record(**record["total"]),
        {int(agreement_id): Record(**counted)
         for agreement_id, counted in record["by_agreement"].items()},
        record["agreements"],
    ) for provider_id, record in kept.items()}


def provider_records(providers: list[Organisation]) -> dict[int, ProviderRecord]:
    """Each provider's record, by id, read as plain rows in two queries for the whole list
    however many providers and customers: the agreements reported on with their KPIs and
    the end dates of their varied terms, and their returns with figures. The months of a term and
    their due days are worked out once per distinct term. The same figures as the
    agreement's performance page (performance_returns.schedule and kpi_records): a KPI's
    figures are those of the latest version of each month's return in which a KPI is due,
    and a month is late when its first version was submitted late or, unsubmitted, its due
    day has passed."""
    results = {provider.id: ProviderRecord(provider) for provider in providers}
    if not results:
        return results
    agreements: dict[int, Row] = {}
    kpis: dict[int, dict[int, Row]] = {}
    for row in db.session.execute(
        select(Agreement.id, Agreement.provider_id, Agreement.start_date,
               current_end_date().label("end_date"),  # the last day as varied
               AgreementKpi.id.label("kpi_id"), AgreementKpi.frequency, AgreementKpi.target,
               AgreementKpi.direction, AgreementKpi.tolerance)
        .select_from(Agreement)
        .outerjoin(join(AgreementLine, AgreementKpi),
                   AgreementLine.agreement_id == Agreement.id)
        .where(Agreement.provider_id.in_(list(results)), Agreement.status.in_(REPORTED_ON))
        .order_by(Agreement.id)
    ):
        if row.id not in agreements:
            agreements[row.id] = row
            result = results[row.provider_id]
            result.by_agreement[row.id] = Record()
            result.agreements += 1
        if row.kpi_id is not None:
            kpis.setdefault(row.id, {})[row.kpi_id] = row
    # Without a KPI an agreement has no reporting months, so nothing to count.
    reported = [agreement for agreement in agreements.values() if agreement.id in kpis]
    if not reported:
        return results
    returns = _returns([agreement.id for agreement in reported])
    terms = _Terms(clock.today_in_uk(), due_working_days())
    for agreement in reported:
        record = results[agreement.provider_id].by_agreement[agreement.id]
        _count(record, kpis[agreement.id],
               terms.months(agreement.start_date, agreement.end_date),
               returns.get(agreement.id, {}))
        results[agreement.provider_id].total.add(record)
    return results


@dataclass
class _Version:
    submitted_late: bool
    figures: list[Row] = field(default_factory=list)


def _returns(agreement_ids: list[int]) -> dict[int, dict[int, list[_Version]]]:
    """Each agreement's returns by month, oldest version first, with their figures."""
    found: dict[int, dict[int, list[_Version]]] = {}
    versions: dict[int, _Version] = {}
    for row in db.session.execute(
        select(PerformanceReturn.id, PerformanceReturn.agreement_id,
               PerformanceReturn.period_number, PerformanceReturn.submitted_late,
               PerformanceFigure.kpi_id, PerformanceFigure.value, PerformanceFigure.review)
        .outerjoin(PerformanceFigure, PerformanceFigure.return_id == PerformanceReturn.id)
        .where(PerformanceReturn.agreement_id.in_(agreement_ids))
        .order_by(PerformanceReturn.agreement_id, PerformanceReturn.period_number,
                  PerformanceReturn.version, PerformanceFigure.id)
    ):
        version = versions.get(row.id)
        if version is None:
            version = versions[row.id] = _Version(row.submitted_late)
            found.setdefault(row.agreement_id, {}).setdefault(
                row.period_number, []).append(version)
        if row.kpi_id is not None:
            version.figures.append(row)
    return found


class _Terms:
    """The months of a term and each month's due day, worked out once per request for each
    distinct term (many agreements share their dates)."""

    def __init__(self, today: date, working_days: int):
        self.today = today
        self.working_days = working_days
        self._months: dict[tuple[date, date], list[tuple[Period, bool]]] = {}

    def months(self, start: date, end: date) -> list[tuple[Period, bool]]:
        """Each month of the term, and whether its due day has passed."""
        key = (start, end)
        if key not in self._months:
            self._months[key] = [
                (period, self.today > rules.return_due(period, self.working_days))
                for period in rules.periods(start, end)]
        return self._months[key]


def _count(record: Record, kpis: dict[int, Row], months: list[tuple[Period, bool]],
           returns: dict[int, list[_Version]]) -> None:
    record.kpis = len(kpis)
    frequencies = {kpi.frequency for kpi in kpis.values()}
    for period, overdue in months:
        if not any(rules.reported_in(frequency, period.number, len(months))
                   for frequency in frequencies):
            continue
        versions = returns.get(period.number)
        if not versions:
            if overdue:
                record.late_returns += 1
            continue
        if versions[0].submitted_late:
            record.late_returns += 1
        for figure in versions[-1].figures:
            if figure.review == FigureReview.DISPUTED:
                record.open_disputes += 1
            kpi = kpis.get(figure.kpi_id)
            if kpi is None or kpi.target is None:
                continue
            rating = rules.rate(figure.value, kpi.target, kpi.direction, kpi.tolerance)
            if rating is Rating.MET:
                record.met += 1
            elif rating is Rating.WITHIN_TOLERANCE:
                record.within_tolerance += 1
            else:
                record.missed += 1
