"""What the reckoner accepts, however it is reached: its forms, the scenario service and the
JSON API apply these same rules, with the same words.

Each ``*_problem`` function takes a value already read (an int or Decimal) and returns what
is wrong with it, in words for the person who typed it, or None. Each caller raises its own
kind of error with that message: a form field's ValueError, a service's ServiceError, the
API's ReckonerInputError. Reading text into a number stays with each caller, since a form
reads "£1,500" where the API takes only a decimal string.
"""

from decimal import Decimal

from .money import PENNY, format_money

MIN_POPULATION = 1
MAX_POPULATION = 10_000_000
MAX_WTE = Decimal("1000")
# A CSS's whole workforce in its business plan (the largest CSSs of 2012 had about 1,500;
# the plan-check API took this limit first).
MAX_PLAN_WTE = Decimal("1000000")
MAX_ALLOWANCE_PER_HEAD = Decimal("1000")
# Far above any CCG's costs or offer's price; keeps every product well inside Decimal's
# 28 digits, so the penny rounding stays exact.
MAX_AMOUNT = Decimal("1000000000")
# A procurement threshold (the value above which a route is required), under £1 trillion.
MAX_THRESHOLD_AMOUNT = Decimal(10**12)

# A NUL character: never typed, and PostgreSQL cannot store it in text. Refused with the
# same words in every form field, query parameter, JSON string and service.
NUL = "\x00"
NUL_MESSAGE = "Remove the unusual characters from the text"
WHOLE_POPULATION = "Enter the population as a whole number, like 175000"
UNKNOWN_YEAR = "Choose a financial year we hold an allowance for"


def population_problem(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return WHOLE_POPULATION
    if not MIN_POPULATION <= value <= MAX_POPULATION:
        return f"Enter a population between {MIN_POPULATION} and {MAX_POPULATION:,}"
    return None


def money_problem(value: Decimal | None, maximum: Decimal = MAX_AMOUNT) -> str | None:
    if value is None:
        return "Enter an amount"
    if value < 0:
        return "The amount cannot be negative"
    if value > maximum:
        return f"The amount must be at most {format_money(maximum)}"
    if value != value.quantize(PENNY):
        return "Enter pounds and pence, with at most 2 decimal places"
    return None


def allowance_problem(value: Decimal | None) -> str | None:
    """A running cost allowance per head: money up to £1,000, and never nothing."""
    if value == 0:
        return "The allowance must be more than £0"
    return money_problem(value, MAX_ALLOWANCE_PER_HEAD)


def quantity_problem(value: Decimal | None, maximum: Decimal = MAX_WTE,
                     what: str = "whole-time equivalents") -> str | None:
    if value is None:
        return f"Enter the {what}"
    if not 0 <= value <= maximum:
        return f"Enter {what} between 0 and {maximum:,}"
    if value != value.quantize(PENNY):
        return f"Enter the {what} to at most 2 decimal places"
    return None


def text_problem(value: str | None, what: str, limit: int) -> str | None:
    """``what`` names the entry as the request to enter it reads: "a name for the scenario"."""
    if not value or not value.strip():
        return f"Enter {what}"
    if len(value.strip()) > limit:
        return f"{what[0].upper()}{what[1:]} must be {limit} characters or fewer"
    return None
