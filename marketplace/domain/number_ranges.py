"""Every number a person or program may send, with the range it must fall in, in one list.

The rules themselves live with the code that applies them (inputs.py for the reckoner and the
business plan, pricing.py for offers, statements.py for statements of requirements ...); this
list names each of them so that the README's table ("Numbers the service accepts") is checked
against the code by tests/test_number_ranges.py. Anything outside its range, and anything
that is not a plain decimal written in ASCII digits (NaN, Infinity, 1e30, "²"), is refused
with a message at the field; none of these limits is near the 28 significant digits of
Decimal arithmetic, so no sum or product of accepted figures loses a penny.
"""

from dataclasses import dataclass
from decimal import Decimal

from . import inputs, pricing, procurement, statements
from .whole_numbers import MAX_ID


@dataclass(frozen=True)
class NumberRange:
    what: str
    low: Decimal | int
    high: Decimal | int
    unit: str = ""


NUMBER_RANGES: tuple[NumberRange, ...] = (
    NumberRange("Money in a scenario, business plan or financial model", 0, inputs.MAX_AMOUNT,
                "£, 2 decimal places"),
    NumberRange("Running cost allowance per head", Decimal("0.01"),
                inputs.MAX_ALLOWANCE_PER_HEAD, "£, 2 decimal places"),
    NumberRange("Population", inputs.MIN_POPULATION, inputs.MAX_POPULATION, "people"),
    NumberRange("Whole-time equivalents on a scenario line", 0, inputs.MAX_WTE,
                "WTE, 2 decimal places"),
    NumberRange("Workforce in a business plan", 0, inputs.MAX_PLAN_WTE, "WTE, 2 decimal places"),
    NumberRange("Offer price per head", 0, pricing.MAX_PER_HEAD, "£, 4 decimal places"),
    NumberRange("Offer price (other pricing models)", 0, inputs.MAX_AMOUNT,
                "£, 4 decimal places"),
    NumberRange("Annual cost of an offer", 0, pricing.MAX_ANNUAL, "£"),
    NumberRange("Estimated days or cases a year", Decimal("0.01"),
                pricing.MAX_ESTIMATED_QUANTITY, "2 decimal places"),
    NumberRange("Minimum term of an offer", 0, pricing.MAX_MINIMUM_TERM_MONTHS, "months"),
    NumberRange("Budget of a statement line", 0, statements.MAX_LINE_BUDGET,
                "£, 2 decimal places"),
    NumberRange("Activity on a statement line", 0, statements.MAX_ACTIVITY, "units a year"),
    NumberRange("Days on a statement line", 0, statements.MAX_DAYS, "days a year"),
    NumberRange("Quality score", 0, procurement.MAX_QUALITY_SCORE, "points"),
    NumberRange("Criterion weight", 0, 100, "%"),
    NumberRange("Procurement threshold", 0, inputs.MAX_THRESHOLD_AMOUNT, "£"),
    NumberRange("Ids, page numbers and other whole numbers in links", 0, MAX_ID, ""),
)
