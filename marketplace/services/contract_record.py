"""A provider's record as a contractor: per customer agreement and in total, how its KPIs
rated (met / within tolerance / missed), the figures its customers dispute and its late
returns, read from the performance returns (services/performance_returns.py)."""

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from marketplace.domain.service_levels import Rating
from marketplace.extensions import db
from marketplace.models import Agreement, AgreementLine, FigureReview, Organisation

from .performance_returns import (
    REPORTED_ON,
    kpi_records,
    returns_by_agreement,
    schedule,
    term_ends,
)


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


def agreement_record(agreement: Agreement, returns=None, end_date=None) -> Record:
    record = Record()
    if agreement.status not in REPORTED_ON:
        return record
    rows = schedule(agreement, returns=returns, end_date=end_date)
    for kpi_record in kpi_records(agreement, rows):
        record.kpis += 1
        record.met += kpi_record.count(Rating.MET)
        record.within_tolerance += kpi_record.count(Rating.WITHIN_TOLERANCE)
        record.missed += kpi_record.count(Rating.MISSED)
    for row in rows:
        if row.late:
            record.late_returns += 1
        if row.current is not None:
            record.open_disputes += sum(
                1 for figure in row.current.figures if figure.review == FigureReview.DISPUTED
            )
    return record


@dataclass
class ProviderRecord:
    provider: Organisation
    total: Record = field(default_factory=Record)
    by_agreement: dict[int, Record] = field(default_factory=dict)
    agreements: int = 0


def provider_record(provider: Organisation) -> ProviderRecord:
    return provider_records([provider])[provider.id]


def provider_records(providers: list[Organisation]) -> dict[int, ProviderRecord]:
    """Each provider's record, by id. The agreements with their lines and KPIs, and all
    their returns: a few queries for the whole list, however many providers and customers."""
    results = {provider.id: ProviderRecord(provider) for provider in providers}
    if not results:
        return results
    agreements = db.session.scalars(
        select(Agreement)
        .where(Agreement.provider_id.in_(list(results)), Agreement.status.in_(REPORTED_ON))
        .order_by(Agreement.id)
        .options(selectinload(Agreement.lines).selectinload(AgreementLine.kpis))
    ).all()
    returns = returns_by_agreement(agreement.id for agreement in agreements)
    ends = term_ends(agreements)
    for agreement in agreements:
        record = agreement_record(agreement, returns.get(agreement.id, {}), ends[agreement.id])
        result = results[agreement.provider_id]
        result.by_agreement[agreement.id] = record
        result.total.add(record)
        result.agreements += 1
    return results
