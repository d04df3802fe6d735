"""A plan's income as one record per customer, specification and year.

The financial model states income twice, by customer and by service line, and both add up
to the same total each year; it does not say which customer buys which line. Until a plan
states that itself, each customer's income is spread over the lines in proportion to the
lines' shares of the year's income (``apportion``), to the penny, so that every customer's
row and every line's column still add up exactly to what the plan says.

Service lines are catalogue specification codes. Plans written before that used five
generic lines; ``LEGACY_SERVICE_LINES`` names the specifications each stood for (business
support covered finance, HR and IT, so it is shared equally between the three).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from marketplace.domain.money import PENNY

# A service line that is no catalogue specification.
OTHER_LINE = "other"

# The five service lines of the old template, and the catalogue specifications they meant.
LEGACY_SERVICE_LINES: Mapping[str, tuple[str, ...]] = {
    "business_intelligence": ("BI-DSS",),
    "contract_management": ("MON-CTM",),
    "procurement": ("AGR-PRC",),
    "business_support": ("BUS-FIN", "BUS-HR", "BUS-IMT"),
    "communications": ("BUS-COM",),
}
_YEAR = re.compile(r"([0-9]{4})/[0-9]{2}")


def plan_year(year: str) -> int:
    """2013 for "2013/14"."""
    match = _YEAR.fullmatch(str(year))
    if not match:
        raise ValueError(f"{year!r} is not a financial year such as 2013/14")
    return int(match[1])


def year_label(start: int) -> str:
    """ "2013/14" for 2013."""
    return f"{start}/{(start + 1) % 100:02d}"


def _pennies(amount: Decimal) -> int:
    pennies = amount / PENNY
    if pennies != pennies.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of pence")
    return int(pennies)


def split_equally(amount: Decimal, parts: int) -> list[Decimal]:
    """amount in ``parts`` shares to the penny, the odd pence to the first shares."""
    whole, odd = divmod(_pennies(amount), parts)
    return [Decimal(whole + (1 if index < odd else 0)) * PENNY for index in range(parts)]


def apportion(
    by_customer: Mapping[str, Decimal], by_line: Mapping[str, Decimal]
) -> dict[tuple[str, str], Decimal]:
    """Each customer's income spread over the lines pro rata, in pence.

    Every customer's cells add up to its income and every line's cells to the line's
    income, exactly; each cell is within a few pence of the exact pro-rata share. Both
    sides must add up to the same total (ValueError otherwise). Zero cells are left out.
    """
    rows = {c: _pennies(a) for c, a in by_customer.items()}
    cols = {s: _pennies(a) for s, a in by_line.items()}
    if any(v < 0 for v in (*rows.values(), *cols.values())):
        raise ValueError("income must not be negative")
    total = sum(rows.values())
    if total != sum(cols.values()):
        raise ValueError("income by customer and by service line add up differently")
    if total == 0:
        return {}
    cells: dict[tuple[str, str], int] = {}
    remainders = []
    for c, r in rows.items():
        for s, k in cols.items():
            whole, remainder = divmod(r * k, total)
            cells[(c, s)] = whole
            remainders.append((remainder, c, s))
    row_left = {c: r - sum(cells[(c, s)] for s in cols) for c, r in rows.items()}
    col_left = {s: k - sum(cells[(c, s)] for c in rows) for s, k in cols.items()}
    # The largest fractions first, a penny each; then any pence still owed (the two sides
    # owe the same number in total), first row and column first.
    order = {c: i for i, c in enumerate(rows)} | {s: i for i, s in enumerate(cols)}
    for remainder, c, s in sorted(remainders, key=lambda r: (-r[0], order[r[1]], order[r[2]])):
        if remainder and row_left[c] > 0 and col_left[s] > 0:
            cells[(c, s)] += 1
            row_left[c] -= 1
            col_left[s] -= 1
    for c in rows:
        for s in cols:
            give = min(row_left[c], col_left[s])
            if give > 0:
                cells[(c, s)] += give
                row_left[c] -= give
                col_left[s] -= give
    return {key: Decimal(p) * PENNY for key, p in cells.items() if p}
