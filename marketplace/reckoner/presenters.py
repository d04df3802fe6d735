"""What the scenario pages show, worked out once so that templates only display it."""

from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup

from marketplace.domain.money import format_money
from marketplace.domain.reckoner import ReckonerResult
from marketplace.domain.sourcing import MODES
from marketplace.reports.charts import spend_against_headroom_svg, three_year_svg
from marketplace.services.scenarios import MODE_LABELS, ScenarioOutcome

WARNING_NAMES = {
    "negative_headroom": "Not affordable",
    "below_benchmark": "Below the £9 per head benchmark",
    "overheads_share": "Fixed and in-house costs above the guide",
}


@dataclass(frozen=True)
class ModeRow:
    label: str
    total: Decimal
    spend_percent: Decimal
    service_percent: Decimal
    survey_percent: Decimal


@dataclass(frozen=True)
class YearRow:
    financial_year: str
    allowance_per_head: Decimal
    running_cost_allowance: Decimal
    fixed_costs_total: Decimal
    in_house_total: Decimal
    budget: Decimal
    per_head: Decimal
    total_spend: Decimal
    balance: Decimal
    warnings: tuple[str, ...]

    @property
    def overheads(self) -> Decimal:
        return self.fixed_costs_total + self.in_house_total

    @property
    def balance_words(self) -> str:
        if self.balance >= 0:
            return f"Surplus {format_money(self.balance)}"
        return f"Shortfall {format_money(-self.balance)}"


@dataclass(frozen=True)
class LineRow:
    service: str
    choice: str
    annual_cost: Decimal
    # The marketplace offer the line is priced from, if any.
    offer_id: int | None = None


@dataclass(frozen=True)
class Report:
    outcome: ScenarioOutcome
    reckoner: ReckonerResult
    lines: tuple[LineRow, ...]
    modes: tuple[ModeRow, ...]
    years: tuple[YearRow, ...]
    spend_chart: Markup
    years_chart: Markup

    @property
    def sourcing(self):
        return self.outcome.headline.sourcing

    @property
    def financial_year(self) -> str:
        return self.outcome.headline.financial_year

    @property
    def headline_year(self) -> YearRow:
        return next(row for row in self.years if row.financial_year == self.financial_year)

    @property
    def warning_summary(self) -> str:
        codes = self.reckoner.warning_codes
        return "None" if not codes else ", ".join(WARNING_NAMES.get(c, c) for c in codes)


def present(outcome: ScenarioOutcome) -> Report:
    headline = outcome.headline
    sourcing = headline.sourcing
    modes = tuple(
        ModeRow(
            MODE_LABELS[mode],
            sourcing.totals_by_mode[mode],
            sourcing.spend_split_percent[mode],
            sourcing.service_split_percent[mode],
            sourcing.survey_split_percent[mode],
        )
        for mode in MODES
    )
    years = tuple(
        YearRow(
            year.financial_year,
            year.reckoner.allowance_per_head,
            year.reckoner.running_cost_allowance,
            year.reckoner.fixed_costs_total,
            year.reckoner.in_house_total,
            year.reckoner.commissioning_support_budget,
            year.reckoner.commissioning_support_per_head,
            year.sourcing.total_spend,
            year.sourcing.balance,
            tuple(warning.message for warning in year.reckoner.warnings),
        )
        for year in outcome.years
    )
    # The SVG is built from escaped text by our own code, so it is safe to mark up as is.
    spend_chart = Markup(spend_against_headroom_svg(
        headline.financial_year, sourcing.totals_by_mode, sourcing.total_spend,
        sourcing.commissioning_support_budget, MODE_LABELS,
    ))
    years_chart = Markup(three_year_svg(
        [(row.financial_year, row.budget, row.total_spend) for row in years]
    ))
    offer_for = {line.service: line.offer_id for line in outcome.scenario.lines if line.offer_id}
    lines = tuple(
        LineRow(line.service, MODE_LABELS[line.mode], line.annual_cost, offer_for.get(line.service))
        for line in sourcing.lines
    )
    return Report(outcome, headline.reckoner, lines, modes, years, spend_chart, years_chart)
