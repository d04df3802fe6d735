"""The three charts of a review document, as SVG: pure functions of figures already read.

They name DejaVu Sans first because the PDF embeds that font (see reports/pdf.py); a browser
without it falls back to the NHS.UK font. Every figure is written beside its bar.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from marketplace.domain.business_plan import FinancialModel
from marketplace.domain.market_share import MarketShare
from marketplace.domain.money import ZERO, format_money

from .charts import SCREEN_FONTS, Bar, Group, bar_chart_svg

DOCUMENT_FONTS = "DejaVu Sans, Noto Emoji, " + SCREEN_FONTS
INCOME, EXPENDITURE = "Income", "Expenditure"
MOST_CUSTOMERS_SHOWN = 8
CUSTOMER_LABEL_WIDTH = 300  # room for "Hartlepool and Stockton-on-Tees CCG"


def income_and_expenditure_svg(model: FinancialModel) -> str:
    groups = []
    for year in model.years:
        income, spending = model.income(year), model.expenditure[year].total
        note = "(deficit)" if spending > income else ""
        groups.append(Group(year, [Bar(INCOME, income), Bar(EXPENDITURE, spending, note)]))
    description = "; ".join(
        f"{group.label}: income {format_money(group.bars[0].value)}, "
        f"expenditure {format_money(group.bars[1].value)}" for group in groups)
    return bar_chart_svg("Income and expenditure over the four years of the plan",
                         description + ".", groups, (INCOME, EXPENDITURE),
                         font_family=DOCUMENT_FONTS)


def income_by_customer_svg(totals: Sequence[tuple[str, Decimal]]) -> str:
    """totals: (customer name, income over the whole plan), largest first."""
    shown = list(totals[:MOST_CUSTOMERS_SHOWN])
    rest = totals[MOST_CUSTOMERS_SHOWN:]
    if rest:
        shown.append((f"{len(rest)} other customers", sum((v for _, v in rest), ZERO)))
    bars = [Bar(name.removeprefix("NHS "), amount) for name, amount in shown]
    description = ", ".join(f"{bar.label} {format_money(bar.value)}" for bar in bars)
    return bar_chart_svg("Income by customer over the four years of the plan",
                         description + ".", [Group("", bars)], font_family=DOCUMENT_FONTS,
                         label_width=CUSTOMER_LABEL_WIDTH)


def _percent(value: Decimal) -> str:
    return f"{value}%"


def market_share_svg(share: MarketShare, region_name: str | None) -> str:
    region = region_name or "its region"
    bars = [
        Bar("Registered population", share.population_percent,
            f"({share.population_under_agreement:,} of {share.region_population:,} people)"),
        Bar("CCGs", share.ccg_percent,
            f"({share.ccgs_under_agreement} of {share.region_ccgs} CCGs)"),
    ]
    description = (
        f"Share of {region} under signed or final agreements: "
        + ", ".join(f"{bar.label.lower()} {bar.value}% {bar.note}" for bar in bars) + ".")
    return bar_chart_svg(f"Market share in {region}", description, [Group("", bars)],
                         [bar.label for bar in bars], formatter=_percent, scale_max=Decimal(100),
                         font_family=DOCUMENT_FONTS)
