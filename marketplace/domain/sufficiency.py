"""Whole-market sufficiency, for the BDU: does what every CSS plans to earn from each CCG fit
what that CCG can afford and says it intends to buy, year by year?

Inputs are plain rows (the service gathers them): the CCGs with their region, 2012 PCT cluster
and registered population; each CCG's reckoner headroom per financial year (what its running
cost allowance leaves for commissioning support); planned income, one row per CSS, customer,
specification and year, from the latest submitted business plans; and stated intentions to
buy, one row per CCG and specification with the annual budget of its statement lines.

Everything is a sum of amounts already in pennies, so no rounding happens here except in the
shares and the HHI shown to people. Income from customers that are not CCGs (the Board, others)
counts towards no CCG, region or cluster; it is reported as its own total so nothing is lost.

Concentration is the Herfindahl-Hirschman index: the sum of the squares of each supplier's
percentage share, 0 (many tiny suppliers) to 10,000 (one supplier). The bands are the US
merger guidelines' (2010), the usual reading: below 1,500 unconcentrated, 1,500 to 2,500
moderately concentrated, above 2,500 highly concentrated.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import NamedTuple

from .money import ZERO

MODERATE_HHI = Decimal("1500")
HIGH_HHI = Decimal("2500")
NO_CLUSTER = "No PCT cluster recorded"
NO_REGION = "No region recorded"


@dataclass(frozen=True)
class Ccg:
    key: Hashable
    name: str
    region: str | None
    cluster: str | None
    population: int = 0
    code: str = ""  # the ODS code, for people and spreadsheets


@dataclass(frozen=True)
class Specification:
    key: Hashable
    name: str


class PlannedIncome(NamedTuple):
    """One CSS's planned income from one customer for one specification in one year.
    ``ccg`` None: a customer that is no CCG; ``specification`` None: a line that is none.
    A named tuple, not a frozen dataclass: a market has thousands of these rows and a
    tuple is made at a third of the cost."""

    provider: str
    ccg: Hashable | None
    specification: Hashable | None
    financial_year: str
    amount: Decimal


@dataclass(frozen=True)
class Intention:
    """A CCG's stated intention to buy a specification: the annual budget it gave."""

    ccg: Hashable
    specification: Hashable
    annual_budget: Decimal


@dataclass(frozen=True)
class IntentionTotals:
    """Stated intentions already added up: per CCG, per specification, and how many CCGs
    intend to buy each specification (what ``assess`` reads of them; the database can add
    them up rather than send every statement line)."""

    by_ccg: Mapping[Hashable, Decimal]
    by_specification: Mapping[Hashable, Decimal]
    ccgs_by_specification: Mapping[Hashable, int]


def intention_totals(
    intentions: Iterable[Intention], ccgs: Iterable[Hashable] | None = None
) -> IntentionTotals:
    """Add up intention rows; with ``ccgs``, only those of the CCGs named there."""
    known = None if ccgs is None else set(ccgs)
    by_ccg: dict[Hashable, Decimal] = defaultdict(lambda: ZERO)
    by_spec: dict[Hashable, Decimal] = defaultdict(lambda: ZERO)
    intending: dict[Hashable, set] = defaultdict(set)
    for row in intentions:
        if known is not None and row.ccg not in known:
            continue
        by_ccg[row.ccg] += row.annual_budget
        by_spec[row.specification] += row.annual_budget
        intending[row.specification].add(row.ccg)
    return IntentionTotals(
        dict(by_ccg), dict(by_spec), {spec: len(keys) for spec, keys in intending.items()}
    )


# --- concentration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Share:
    provider: str
    amount: Decimal
    share: Decimal  # exact fraction, 0 to 1

    @property
    def percent(self) -> Decimal:
        return (self.share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Concentration:
    total: Decimal
    shares: tuple[Share, ...]  # largest first, then by name

    @cached_property  # read by the band and the figure shown, for every table row
    def hhi(self) -> Decimal:
        """Exact: the sum of squared percentage shares, between 0 and 10,000."""
        return sum(((share.share * 100) ** 2 for share in self.shares), ZERO)

    @property
    def hhi_shown(self) -> int:
        return int(self.hhi.quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    @property
    def band(self) -> str:
        if not self.shares:
            return "No supplier plans income"
        if self.hhi > HIGH_HHI:
            return "Highly concentrated"
        if self.hhi >= MODERATE_HHI:
            return "Moderately concentrated"
        return "Unconcentrated"

    @property
    def suppliers(self) -> int:
        return len(self.shares)


def concentration(amounts: Mapping[str, Decimal]) -> Concentration:
    """Shares of ``amounts`` (provider → planned income); providers planning nothing drop out."""
    positive = {provider: amount for provider, amount in amounts.items() if amount > 0}
    total = sum(positive.values(), ZERO)
    shares = tuple(
        Share(provider, amount, amount / total)
        for provider, amount in sorted(positive.items(), key=lambda item: (-item[1], item[0]))
    )
    return Concentration(total, shares)


# --- per CCG and roll-ups ---------------------------------------------------------------------


@dataclass(frozen=True)
class CcgPosition:
    ccg: Ccg
    financial_year: str
    planned: Decimal  # all CSSs together
    headroom: Decimal | None  # None: no reckoner figure (no population, no allowance)
    intention: Decimal
    suppliers: tuple[str, ...]

    @cached_property  # read for every roll-up the CCG is in, and by the tables
    def over_headroom(self) -> Decimal:
        """How much more the suppliers plan than the CCG can afford; 0 when it fits."""
        if self.headroom is None:
            return ZERO
        # A CCG whose fixed costs alone exceed its allowance can afford nothing, not less
        # than nothing: with no income planned from it, no supplier has planned too much.
        return max(self.planned - max(self.headroom, ZERO), ZERO)

    @property
    def beyond_intention(self) -> Decimal:
        return max(self.planned - self.intention, ZERO)

    @property
    def affordable(self) -> bool:
        return self.over_headroom == 0

    @property
    def in_words(self) -> str:
        if self.headroom is None:
            return "No headroom worked out (no population or allowance)"
        if not self.affordable:
            return "Suppliers plan more than it can afford"
        if self.headroom < 0:
            return "Its fixed costs alone exceed its running cost allowance"
        if self.planned == 0:
            return "No supplier plans income from it"
        return "Fits within what it can afford"


@dataclass(frozen=True)
class Rollup:
    """Totals over a group of CCGs (a region or a cluster) or a specification."""

    label: str
    financial_year: str
    ccgs: int
    planned: Decimal
    headroom: Decimal  # the group's CCGs' headroom added up (0 for a specification)
    intention: Decimal
    ccgs_over: int  # CCGs in the group whose suppliers plan more than they can afford
    concentration: Concentration
    region: str = ""

    @property
    def gap(self) -> Decimal:
        """Headroom less planned income: negative when the group as a whole is over."""
        return self.headroom - self.planned


@dataclass(frozen=True)
class Unsupplied:
    specification: Specification
    financial_year: str
    ccgs_intending: int
    intention: Decimal


@dataclass(frozen=True)
class YearView:
    financial_year: str
    ccgs: tuple[CcgPosition, ...]
    by_region: tuple[Rollup, ...]
    by_cluster: tuple[Rollup, ...]
    by_specification: tuple[Rollup, ...]
    unsupplied: tuple[Unsupplied, ...]
    other_customers_income: Decimal  # the Board and other customers that are no CCG
    unassigned_specification_income: Decimal  # CCG income on lines that are no specification

    @property
    def planned_from_ccgs(self) -> Decimal:
        return sum((row.planned for row in self.ccgs), ZERO)

    @property
    def headroom(self) -> Decimal:
        return sum((row.headroom or ZERO for row in self.ccgs), ZERO)

    @property
    def intention(self) -> Decimal:
        return sum((row.intention for row in self.ccgs), ZERO)

    @cached_property  # a page reads it several times
    def over(self) -> tuple[CcgPosition, ...]:
        return tuple(
            sorted(
                (row for row in self.ccgs if not row.affordable),
                key=lambda row: (-row.over_headroom, row.ccg.name),
            )
        )


@dataclass(frozen=True)
class Sufficiency:
    years: tuple[YearView, ...] = field(default_factory=tuple)

    def year(self, financial_year: str) -> YearView:
        return next(view for view in self.years if view.financial_year == financial_year)


def _rollup(
    label: str,
    year: str,
    positions: list[CcgPosition],
    by_provider: Mapping[str, Decimal],
    region: str = "",
) -> Rollup:
    return Rollup(
        label=label,
        financial_year=year,
        ccgs=len(positions),
        planned=sum((p.planned for p in positions), ZERO),
        headroom=sum((p.headroom or ZERO for p in positions), ZERO),
        intention=sum((p.intention for p in positions), ZERO),
        ccgs_over=sum(1 for p in positions if not p.affordable),
        concentration=concentration(by_provider),
        region=region,
    )


def assess(
    ccgs: Iterable[Ccg],
    specifications: Iterable[Specification],
    headroom: Mapping[Hashable, Mapping[str, Decimal]],
    income: Iterable[PlannedIncome],
    intentions: Iterable[Intention] | IntentionTotals,
    financial_years: Iterable[str],
) -> Sufficiency:
    """The market for each year: per CCG, rolled up, unsupplied and concentrated.
    intentions: the rows, or their totals (``intention_totals``) for the same CCGs."""
    ccg_list = sorted(ccgs, key=lambda ccg: ccg.name)
    known = {ccg.key: ccg for ccg in ccg_list}
    specs = sorted(specifications, key=lambda spec: spec.name)
    spec_names = {spec.key: spec.name for spec in specs}
    income = list(income)
    totals = (
        intentions
        if isinstance(intentions, IntentionTotals)
        else intention_totals(intentions, known)
    )
    intention_by_ccg = defaultdict(lambda: ZERO, totals.by_ccg)
    intention_by_spec = defaultdict(lambda: ZERO, totals.by_specification)
    ccgs_intending = totals.ccgs_by_specification

    views = []
    for year in financial_years:
        planned: dict[Hashable, Decimal] = defaultdict(lambda: ZERO)
        suppliers: dict[Hashable, set[str]] = defaultdict(set)
        region_providers: dict[str, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        cluster_providers: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        spec_providers: dict[Hashable, dict[str, Decimal]] = defaultdict(
            lambda: defaultdict(Decimal)
        )
        spec_ccgs: dict[Hashable, set] = defaultdict(set)
        other = unassigned = ZERO
        for row in income:
            if row.financial_year != year:
                continue
            ccg = known.get(row.ccg) if row.ccg is not None else None
            if ccg is None:
                other += row.amount
                continue
            planned[ccg.key] += row.amount
            if row.amount > 0:
                suppliers[ccg.key].add(row.provider)
            region = ccg.region or NO_REGION
            region_providers[region][row.provider] += row.amount
            cluster_providers[(region, ccg.cluster or NO_CLUSTER)][row.provider] += row.amount
            if row.specification in spec_names:
                spec_providers[row.specification][row.provider] += row.amount
                spec_ccgs[row.specification].add(ccg.key)
            else:
                unassigned += row.amount

        positions = [
            CcgPosition(
                ccg=ccg,
                financial_year=year,
                planned=planned[ccg.key],
                headroom=headroom.get(ccg.key, {}).get(year),
                intention=intention_by_ccg[ccg.key],
                suppliers=tuple(sorted(suppliers[ccg.key])),
            )
            for ccg in ccg_list
        ]
        by_region_groups: dict[str, list[CcgPosition]] = defaultdict(list)
        by_cluster_groups: dict[tuple[str, str], list[CcgPosition]] = defaultdict(list)
        for position in positions:
            region = position.ccg.region or NO_REGION
            by_region_groups[region].append(position)
            by_cluster_groups[(region, position.ccg.cluster or NO_CLUSTER)].append(position)
        over_keys = {p.ccg.key for p in positions if not p.affordable}

        by_specification = []
        unsupplied = []
        for spec in specs:
            providers = spec_providers.get(spec.key, {})
            covered = spec_ccgs.get(spec.key, set())
            total = sum(providers.values(), ZERO)
            by_specification.append(
                Rollup(
                    label=spec.name,
                    financial_year=year,
                    ccgs=len(covered),
                    planned=total,
                    headroom=ZERO,
                    intention=intention_by_spec[spec.key],
                    ccgs_over=len(covered & over_keys),
                    concentration=concentration(providers),
                )
            )
            if total <= 0:
                unsupplied.append(
                    Unsupplied(
                        spec,
                        year,
                        ccgs_intending.get(spec.key, 0),
                        intention_by_spec[spec.key],
                    )
                )
        views.append(
            YearView(
                financial_year=year,
                ccgs=tuple(positions),
                by_region=tuple(
                    _rollup(name, year, group, region_providers.get(name, {}))
                    for name, group in sorted(by_region_groups.items())
                ),
                by_cluster=tuple(
                    _rollup(
                        cluster, year, group, cluster_providers.get((region, cluster), {}), region
                    )
                    for (region, cluster), group in sorted(by_cluster_groups.items())
                ),
                by_specification=tuple(by_specification),
                unsupplied=tuple(
                    sorted(unsupplied, key=lambda u: (-u.intention, u.specification.name))
                ),
                other_customers_income=other,
                unassigned_specification_income=unassigned,
            )
        )
    return Sufficiency(tuple(views))
