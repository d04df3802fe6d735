"""Bar charts as SVG markup, drawn on the server: no JavaScript, the same in a page or a PDF.

Each chart has a <title> and <desc> (named by aria-labelledby) and writes every figure as
text beside its bar, so it reads without colour and without seeing the bars. Pages should
still give the figures in a table as well.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from marketplace.domain.money import format_money

# Fills chosen to differ in lightness as well as hue (NHS.UK palette), so they survive
# greyscale printing; the labels carry the meaning regardless.
SERIES_FILLS = ("#005eb8", "#ffb81c", "#009639", "#768692", "#330072", "#da291c")
TEXT = "#212b32"
GRID = "#d8dde0"

LABEL_WIDTH = 190
VALUE_WIDTH = 150
BAR_AREA = 360
BAR_HEIGHT = 22
BAR_GAP = 6
GROUP_GAP = 16
TOP = 10
SCREEN_FONTS = "Frutiger W01, Arial, sans-serif"
CHARACTER_WIDTH = 7.6  # px at 14 px: Arial's widest mixed text averages about 0.54 em

@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal
    note: str = ""  # words added after the figure, e.g. "(shortfall)"
    fill: str = ""  # a colour of its own (a rating), instead of its series' fill


@dataclass(frozen=True)
class Group:
    label: str
    bars: Sequence[Bar]


def _coordinate(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _text_width(texts) -> int:
    """A generous width for the longest text at the charts' 14 px (wide letters included)."""
    return round(max((len(text) for text in texts), default=0) * CHARACTER_WIDTH)


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def bar_chart_svg(title: str, description: str, groups: Sequence[Group],
                  series: Sequence[str] = (), *,
                  formatter: Callable[[Decimal], str] = format_money,
                  scale_max: Decimal | None = None, font_family: str = SCREEN_FONTS,
                  label_width: int = LABEL_WIDTH) -> str:
    """Horizontal bars, grouped; negative values draw no bar but keep their figure.

    `series` names the bar labels in a fixed order so each keeps one fill across groups.
    `scale_max` fixes the full bar length (100 for percentages) instead of the largest bar;
    `label_width` makes room for long labels such as CCG names.
    """
    # Derived from the content, so the function stays pure and repeatable.
    chart_id = "chart-" + hashlib.sha1((title + description).encode()).hexdigest()[:10]
    largest = max((bar.value for group in groups for bar in group.bars), default=Decimal(0))
    largest = max(scale_max or largest, Decimal(1))
    fills = {name: SERIES_FILLS[i % len(SERIES_FILLS)] for i, name in enumerate(series)}
    # Room for the longest label and figure, so neither is cut off at the chart's edge (the
    # chart scales to the screen as a whole, so what fits here fits on a phone too).
    label_width = max(label_width, _text_width(
        bar.label for group in groups for bar in group.bars) + 8)
    value_width = max(VALUE_WIDTH, _text_width(
        formatter(bar.value) + (f" {bar.note}" if bar.note else "")
        for group in groups for bar in group.bars) + 6)

    parts = []
    y = TOP
    for group in groups:
        if group.label:
            parts.append(f'<text x="0" y="{y + 14}" font-weight="bold" fill="{TEXT}">'
                         f"{escape(group.label)}</text>")
            y += BAR_HEIGHT
        for bar in group.bars:
            fill = bar.fill or fills.setdefault(bar.label,
                                                SERIES_FILLS[len(fills) % len(SERIES_FILLS)])
            width = BAR_AREA * min(max(bar.value, Decimal(0)), largest) / largest
            figure = formatter(bar.value) + (f" {bar.note}" if bar.note else "")
            parts.append(
                f'<g><title>{escape(bar.label)}: {escape(figure)}</title>'
                f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end" fill="{TEXT}">'
                f"{escape(bar.label)}</text>"
                f'<rect x="{label_width}" y="{y}" width="{_coordinate(width)}" '
                f'height="{BAR_HEIGHT}" fill="{fill}"/>'
                f'<text x="{_coordinate(label_width + width + 6)}" y="{y + 15}" fill="{TEXT}">'
                f"{escape(figure)}</text></g>"
            )
            y += BAR_HEIGHT + BAR_GAP
        y += GROUP_GAP
    height = y
    axis = (f'<line x1="{label_width}" y1="{TOP - 4}" x2="{label_width}" y2="{height - GROUP_GAP}"'
            f' stroke="{GRID}" stroke-width="2"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="marketplace-chart" '
        f'viewBox="0 0 {label_width + BAR_AREA + value_width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'font-family="{_attr(font_family)}" font-size="14">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        f"{axis}{''.join(parts)}</svg>"
    )


def spend_against_headroom_svg(financial_year: str, totals_by_mode: dict[str, Decimal],
                               total_spend: Decimal, headroom: Decimal,
                               mode_labels: dict[str, str]) -> str:
    bars = [Bar(mode_labels[mode], amount) for mode, amount in totals_by_mode.items()]
    bars.append(Bar("Total spend", total_spend))
    note = "(not affordable)" if headroom < 0 else ""
    bars.append(Bar("Money for commissioning support", headroom, note))
    gap = headroom - total_spend
    verdict = (f"a surplus of {format_money(gap)}" if gap >= 0
               else f"a shortfall of {format_money(-gap)}")
    description = (
        f"{financial_year}: "
        + ", ".join(f"{bar.label} {format_money(bar.value)}" for bar in bars)
        + f"; {verdict}."
    )
    return bar_chart_svg(f"Spend by mode against the money available, {financial_year}",
                         description, [Group("", bars)], [bar.label for bar in bars])


def three_year_svg(years: Sequence[tuple[str, Decimal, Decimal]]) -> str:
    """years: (financial year, money for commissioning support, total spend)."""
    series = ("Money for commissioning support", "Total spend")
    groups = [
        Group(year, [Bar(series[0], headroom, "(not affordable)" if headroom < 0 else ""),
                     Bar(series[1], spend)])
        for year, headroom, spend in years
    ]
    description = "; ".join(
        f"{year}: money for commissioning support {format_money(headroom)}, "
        f"total spend {format_money(spend)}"
        for year, headroom, spend in years
    )
    return bar_chart_svg("Money available and spend across the years", description + ".",
                         groups, series)


# NHS.UK green, warm yellow and red: the ratings' tag colours; the words beside each bar
# ("met", "missed") carry the meaning without them.
RATING_FILLS = {"met": "#007f3b", "within_tolerance": "#ffb81c", "missed": "#d5281b"}
NOT_RATED_FILL = "#768692"


def kpi_trend_svg(measure: str, target_text: str, points: Sequence[tuple[str, Decimal, str,
                                                                           str, str]],
                  *, scale_max: Decimal | None = None) -> str:
    """One KPI month by month: points are (month, figure, figure as text, rating value,
    rating in words), oldest first; each bar is coloured and labelled with its rating."""
    bars = [Bar(month, value, f"({words.lower()})" if words else "",
                RATING_FILLS.get(rating, NOT_RATED_FILL))
            for month, value, _text, rating, words in points]
    texts = {month: text for month, _value, text, _rating, _words in points}
    description = (f"Target {target_text}. " + "; ".join(
        f"{month}: {text}" + (f", {words.lower()}" if words else "")
        for month, _value, text, _rating, words in points) + ".")
    return bar_chart_svg(f"{measure}, month by month", description, [Group("", bars)],
                         formatter=_lookup(texts, bars), scale_max=scale_max,
                         label_width=150)


def _lookup(texts: dict[str, str], bars: Sequence[Bar]) -> Callable[[Decimal], str]:
    # bar_chart_svg formats values, not bars; the KPI's own wording (95%, 10 working days)
    # is found by value here, the same value always reading the same way.
    by_value = {bar.value: texts[bar.label] for bar in bars}
    return lambda value: by_value.get(value, str(value))
