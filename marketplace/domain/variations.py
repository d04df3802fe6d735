"""Variations of a signed agreement: what a version's terms are, what changed between two
versions, and the 18-month limit on a varied term.

A variation changes the annual value, the end date (the term), KPI targets, or several.
The signed original is version 1; each agreed variation makes the next version.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from .agreement_terms import MAX_RECOMMENDED_TERM_MONTHS, add_months, term
from .money import round_money


@dataclass(frozen=True)
class Terms:
    start_date: date
    end_date: date
    annual_value: Decimal
    # (KPI id, target) for each KPI with a target, by id: a variation may change targets.
    targets: tuple[tuple[int, Decimal], ...] = ()


@dataclass(frozen=True)
class Change:
    field: str
    label: str
    before: str
    after: str


def last_day_within_limit(start: date) -> date:
    """The last end date a term from ``start`` may have: 1 April 2013 → 30 September 2014."""
    return add_months(start, MAX_RECOMMENDED_TERM_MONTHS) - timedelta(days=1)


def varied_term_error(start: date, new_end: date) -> str | None:
    """Why a varied end date is refused, or None. Exactly 18 months is allowed; a day more
    is not (unlike a new agreement, which is only warned: a variation cannot be used to
    stretch an agreement past the limit the CCG should test the market by)."""
    if new_end <= start:
        return "The new end date must be after the start date"
    limit = last_day_within_limit(start)
    if new_end > limit:
        return (f"The varied term would run for {term(start, new_end).describe()}. A varied "
                f"agreement can run for at most {MAX_RECOMMENDED_TERM_MONTHS} months: the "
                f"latest end date is {limit.day} {limit:%B %Y}")
    return None


def apply(terms: Terms, annual_value: Decimal | None, end_date: date | None,
          targets: dict[int, Decimal] | None = None) -> Terms:
    varied = terms
    if targets:
        merged = dict(terms.targets) | {int(k): Decimal(v) for k, v in targets.items()}
        varied = replace(varied, targets=tuple(sorted(merged.items())))
    if annual_value is not None:
        varied = replace(varied, annual_value=round_money(Decimal(annual_value)))
    if end_date is not None:
        varied = replace(varied, end_date=end_date)
    return varied


def _money(value: Decimal) -> str:
    return f"£{round_money(value):,.2f}"


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def _number(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text


def diff(before: Terms, after: Terms, kpi_names: dict[int, str] | None = None) -> list[Change]:
    """What changed from ``before`` to ``after``, in words; nothing for equal terms.
    ``kpi_names`` names the KPIs whose targets changed (else "KPI <id>")."""
    changes = []
    if before.annual_value != after.annual_value:
        changes.append(Change("annual_value", "Annual value", _money(before.annual_value),
                              _money(after.annual_value)))
    if before.end_date != after.end_date:
        changes.append(Change("end_date", "End date", _day(before.end_date),
                              _day(after.end_date)))
        changes.append(Change("term", "Term", term(before.start_date, before.end_date)
                              .describe(), term(after.start_date, after.end_date).describe()))
    old_targets = dict(before.targets)
    for kpi_id, target in after.targets:
        if old_targets.get(kpi_id) != target:
            name = (kpi_names or {}).get(kpi_id, f"KPI {kpi_id}")
            was = old_targets.get(kpi_id)
            changes.append(Change(f"kpi_{kpi_id}", f"Target: {name}",
                                  _number(was) if was is not None else "None",
                                  _number(target)))
    return changes


def is_change(terms: Terms, annual_value: Decimal | None, end_date: date | None,
              targets: dict[int, Decimal] | None = None) -> bool:
    return apply(terms, annual_value, end_date, targets) != terms
