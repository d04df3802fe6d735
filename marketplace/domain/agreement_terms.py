"""The length of a service level agreement, and the 2012 guidance on it.

In November 2012 the NHS Commissioning Board asked for CCG–CSS service level agreements of
at most 18 months, so that CCGs could test the market before the CSSs became free-standing.
Longer agreements are allowed but warned about. The end date is the last day covered.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .money import round_money

MAX_RECOMMENDED_TERM_MONTHS = 18


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day if it has no such day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Term:
    months: int
    days: int  # beyond the whole months

    def describe(self) -> str:
        parts = []
        if self.months:
            parts.append(f"{self.months} month{'' if self.months == 1 else 's'}")
        if self.days or not parts:
            parts.append(f"{self.days} day{'' if self.days == 1 else 's'}")
        return " and ".join(parts)


def term(start: date, end: date) -> Term:
    """Whole months and extra days from ``start`` to ``end`` inclusive."""
    after_end = end + timedelta(days=1)
    months = 0
    while add_months(start, months + 1) <= after_end:
        months += 1
    return Term(months, (after_end - add_months(start, months)).days)


def date_errors(start: date | None, end: date | None) -> list[tuple[str, str]]:
    """(field, message) for dates an agreement cannot have."""
    errors = []
    if start is None:
        errors.append(("start_date", "Enter the start date"))
    if end is None:
        errors.append(("end_date", "Enter the end date"))
    if start is not None and end is not None and end <= start:
        errors.append(("end_date", "The end date must be after the start date"))
    return errors


def term_warning(start: date, end: date) -> str | None:
    """Words for an agreement longer than the guidance, or None when it is within it."""
    if end < add_months(start, MAX_RECOMMENDED_TERM_MONTHS):
        return None
    length = term(start, end)
    return (
        f"This agreement runs for {length.describe()}, longer than "
        f"{MAX_RECOMMENDED_TERM_MONTHS} months. The NHS Commissioning Board's 2012 guidance is "
        f"that service level agreements between CCGs and CSSs last at most "
        f"{MAX_RECOMMENDED_TERM_MONTHS} months."
    )


def period_for(start: date, months: int) -> tuple[date, date]:
    """The first and last day of a term of whole months from ``start``."""
    if isinstance(months, bool) or not isinstance(months, int) or months < 1:
        raise ValueError("the term must be a whole number of months, at least 1")
    return start, add_months(start, months) - timedelta(days=1)


def value_over_term(annual_value: Decimal, start: date, end: date) -> Decimal:
    """What an agreement is worth from ``start`` to ``end`` inclusive: the annual value for
    each whole month (a twelfth each) and for the days beyond them (a 365th each), rounded
    once to the penny, half-up. 1 April 2013 to 30 September 2014 is 18 months: 1.5 years."""
    length = term(start, end)
    exact = Decimal(annual_value) * length.months / 12 + Decimal(annual_value) * length.days / 365
    return round_money(exact)
