"""The numbers of a CCG's authorisation evidence: its agreements' cost in each financial year
against what the ready reckoner leaves it for commissioning support, and whether it looks too
small to be viable.

CCG authorisation (domain 5 of "Towards authorisation", 2011) asked for credible commissioning
support arrangements, and the configuration risk assessment weighed viability. The reckoner's
own test of a configuration is what the running cost allowance leaves once fixed corporate and
in-house costs are paid; a small CCG pays much the same governing body from a small allowance.
No official population threshold was found, so the viability warning here is the reckoner's:
fixed and in-house costs taking more than its overheads guide (half the allowance by
default), or
leaving nothing for commissioning support, in any year.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .money import ZERO, format_money, round_money
from .reckoner import FINANCIAL_YEARS, ReckonerResult


def year_bounds(financial_year: str) -> tuple[date, date]:
    """ "2013/14" → 1 April 2013 to 31 March 2014."""
    first = int(financial_year[:4])
    return date(first, 4, 1), date(first + 1, 3, 31)


@dataclass(frozen=True)
class CostedAgreement:
    reference: str
    annual_value: Decimal
    start: date
    end: date  # the last day it runs: the varied end, or the end notice sets


def cost_in_year(agreement: CostedAgreement, financial_year: str) -> Decimal:
    """The annual value for the days of the year the agreement covers, rounded once:
    £120,000 a year from 1 October 2013 costs £120,000 × 182/365 = £59,835.62 in 2013/14."""
    first, last = year_bounds(financial_year)
    start, end = max(first, agreement.start), min(last, agreement.end)
    if end < start:
        return ZERO
    covered = (end - start).days + 1
    days_in_year = (last - first).days + 1
    return round_money(agreement.annual_value * covered / days_in_year)


@dataclass(frozen=True)
class YearAffordability:
    financial_year: str
    headroom: Decimal  # what the reckoner leaves for commissioning support
    agreement_costs: Decimal
    by_agreement: tuple[tuple[str, Decimal], ...]

    @property
    def left(self) -> Decimal:
        return self.headroom - self.agreement_costs

    @property
    def fits(self) -> bool:
        return self.left >= 0

    @property
    def words(self) -> str:
        if self.fits:
            return f"Fits: {format_money(self.left)} of the headroom is left after the agreements"
        return (
            f"Does not fit: the agreements cost {format_money(-self.left)} more than the headroom"
        )


def affordability(
    headroom: Mapping[str, Decimal],
    agreements: Iterable[CostedAgreement],
    years: Iterable[str] = FINANCIAL_YEARS,
) -> tuple[YearAffordability, ...]:
    agreements = tuple(agreements)
    result = []
    for year in years:
        costs = tuple((a.reference, cost_in_year(a, year)) for a in agreements)
        costs = tuple((reference, cost) for reference, cost in costs if cost)
        result.append(
            YearAffordability(year, headroom[year], sum((cost for _, cost in costs), ZERO), costs)
        )
    return tuple(result)


VIABILITY_CODES = ("overheads_share", "negative_headroom")


def viability_warning(
    population: int,
    years: Iterable[tuple[str, ReckonerResult]],
    overheads_share: Decimal = Decimal("0.5"),
) -> str | None:
    """Words for the small-CCG warning, or None when no year raises it."""
    flagged = [
        (year, result) for year, result in years if set(result.warning_codes) & set(VIABILITY_CODES)
    ]
    if not flagged:
        return None
    year, result = flagged[0]
    overheads = result.fixed_costs_total + result.in_house_total
    share = (
        f"{overheads / result.running_cost_allowance:.0%}"
        if result.running_cost_allowance
        else "all"
    )
    named = ", ".join(y for y, _ in flagged)
    return (
        f"Viability: with {population:,} people, fixed and in-house costs of "
        f"{format_money(overheads)} take {share} of the {year} running cost allowance of "
        f"{format_money(result.running_cost_allowance)} (the reckoner's guide is at most "
        f"{overheads_share:.0%}) in {named}. A CCG this small should show how it stays "
        "viable, for example by sharing its governing body costs or commissioning support with "
        "neighbours."
    )
