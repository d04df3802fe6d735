"""A CSS's share of its region's market, and the income its agreements bring in.

Two measures, as the BDU read them in 2012: the share of the region's GP-registered population
whose CCG has an agreement with the CSS, and the share of the region's CCGs that do. Customers
outside the CSS's own region bring income but do not count towards the regional share.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marketplace.domain.money import ZERO, round_money, to_decimal

PERCENT_PLACE = Decimal("0.1")


def percent(fraction: Decimal) -> Decimal:
    """A fraction as a percentage to one decimal place, half-up: 2/3 → 66.7."""
    return (fraction * 100).quantize(PERCENT_PLACE, rounding=ROUND_HALF_UP)


def _fraction(part: int, whole: int) -> Decimal:
    if whole == 0:
        return ZERO
    return Decimal(part) / Decimal(whole)


@dataclass(frozen=True)
class MarketShare:
    region_ccgs: int
    region_population: int
    ccgs_under_agreement: int
    population_under_agreement: int
    customers_outside_region: int
    # Exact fractions between 0 and 1; percent() rounds them for display.
    population_share: Decimal
    ccg_share: Decimal

    @property
    def population_percent(self) -> Decimal:
        return percent(self.population_share)

    @property
    def ccg_percent(self) -> Decimal:
        return percent(self.ccg_share)


def market_share(
    region_populations: Mapping[Hashable, int], customers: Iterable[Hashable]
) -> MarketShare:
    """The share of a region held by a CSS whose agreements cover ``customers``.

    ``region_populations`` maps each CCG of the CSS's region to its registered population;
    ``customers`` are the CCGs under agreement (a CCG with two agreements counts once).
    """
    for ccg, population in region_populations.items():
        if isinstance(population, bool) or not isinstance(population, int) or population < 0:
            raise ValueError(f"population of {ccg!r} must be a whole number, not {population!r}")
    customer_set = set(customers)
    in_region = customer_set & set(region_populations)
    region_population = sum(region_populations.values())
    covered = sum(region_populations[ccg] for ccg in in_region)
    return MarketShare(
        region_ccgs=len(region_populations),
        region_population=region_population,
        ccgs_under_agreement=len(in_region),
        population_under_agreement=covered,
        customers_outside_region=len(customer_set - in_region),
        population_share=_fraction(covered, region_population),
        ccg_share=_fraction(len(in_region), len(region_populations)),
    )


def contracted_income(annual_values: Iterable) -> Decimal:
    """The sum of agreements' annual values, to the penny (values are Decimal or strings)."""
    return round_money(sum((to_decimal(value) for value in annual_values), ZERO))
