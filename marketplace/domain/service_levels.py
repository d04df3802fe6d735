"""Key performance indicators of an agreement, and how a reported figure is rated.

Each agreement line carries its KPIs: what is measured, in which unit, the target, whether
higher or lower is better, a tolerance and how often it is reported. A figure is rated:

- higher is better: met when figure >= target; within tolerance when
  target - tolerance <= figure < target; missed below that;
- lower is better: met when figure <= target; within tolerance when
  target < figure <= target + tolerance; missed above that.

The tolerance is in the KPI's own unit (2 with a target of 95% means 93% is still within
tolerance; it is percentage points, not 2% of 95). Returns are made per month of the
agreement; a quarterly KPI is reported in the return for the last month of each quarter of the
agreement (and in the last month of the agreement). A return is late once the given number of
working days after its period have passed: weekends and England's bank holidays (2012-2016,
the years the marketplace covers) are not working days.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from .agreement_terms import add_months


class Direction(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"

    @property
    def label(self) -> str:
        return "Higher is better" if self is Direction.HIGHER else "Lower is better"


class Frequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Unit(StrEnum):
    PERCENT = "percent"
    WORKING_DAYS = "working_days"
    DAYS = "days"
    HOURS = "hours"
    COUNT = "count"

    @property
    def label(self) -> str:
        return UNIT_LABELS[self]

    @property
    def maximum(self) -> Decimal:
        return Decimal(100) if self is Unit.PERCENT else MAX_FIGURE

    def show(self, value: Decimal | None) -> str:
        if value is None:
            return "Not set"
        number = plain_number(value)
        if self is Unit.PERCENT:
            return f"{number}%"
        if self is Unit.COUNT:
            return number
        return f"{number} {UNIT_WORDS[self]}"


UNIT_LABELS = {
    Unit.PERCENT: "Percentage (%)",
    Unit.WORKING_DAYS: "Working days",
    Unit.DAYS: "Calendar days",
    Unit.HOURS: "Hours",
    Unit.COUNT: "Number",
}
UNIT_WORDS = {Unit.WORKING_DAYS: "working days", Unit.DAYS: "days", Unit.HOURS: "hours"}
MAX_FIGURE = Decimal("999999.99")
TWO_PLACES = Decimal("0.01")


class Rating(StrEnum):
    MET = "met"
    WITHIN_TOLERANCE = "within_tolerance"
    MISSED = "missed"

    @property
    def label(self) -> str:
        return {"met": "Met", "within_tolerance": "Within tolerance",
                "missed": "Missed"}[self.value]

    @property
    def tag_colour(self) -> str:
        """The NHS.UK tag modifier; the words carry the meaning without it."""
        return {"met": "green", "within_tolerance": "yellow", "missed": "red"}[self.value]


def rate(figure: Decimal, target: Decimal, direction: Direction | str,
         tolerance: Decimal = Decimal(0)) -> Rating:
    direction = Direction(direction)
    if tolerance < 0:
        raise ValueError("tolerance cannot be negative")
    # How far the figure falls short of the target, whichever way is better.
    shortfall = target - figure if direction is Direction.HIGHER else figure - target
    if shortfall <= 0:
        return Rating.MET
    if shortfall <= tolerance:
        return Rating.WITHIN_TOLERANCE
    return Rating.MISSED


class FigureError(ValueError):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
_OTHER_UNITS = re.compile(r"%|£|\b(?:days?|hours?|hrs?|percent|weeks?|months?)\b", re.I)


def parse_figure(text, unit: Unit | str, what: str = "the figure") -> Decimal:
    """A figure as typed, in the KPI's unit: refused if it names another unit, is not a
    number, has more than two decimal places or is outside the unit's range."""
    unit = Unit(unit)
    raw = str(text if text is not None else "").strip().replace(",", "")
    if not raw:
        raise FigureError(f"Enter {what}")
    number = raw
    if unit is Unit.PERCENT and raw.endswith("%"):
        number = raw[:-1].strip()
    elif unit is not Unit.PERCENT and raw.endswith("%"):
        raise FigureError(f"{_sentence(what)} is in {unit.label.lower()}, not a percentage: "
                          "enter the number only")
    elif _OTHER_UNITS.search(raw):
        raise FigureError(f"{_sentence(what)} is in {unit.label.lower()}: enter the number "
                          "only, like 12")
    if not _NUMBER.fullmatch(number):
        raise FigureError(f"Enter {what} as a number, like 12 or 95.5")
    try:
        value = Decimal(number)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise FigureError(f"Enter {what} as a number") from error
    if value != value.quantize(TWO_PLACES, rounding=ROUND_HALF_UP):
        raise FigureError(f"Give {what} to at most two decimal places")
    if value < 0 or value > unit.maximum:
        raise FigureError(f"{_sentence(what)} must be between 0 and "
                          f"{unit.show(unit.maximum)}")
    return value.quantize(TWO_PLACES)


def _sentence(text: str) -> str:
    # str.capitalize would lower-case the KPI's own words ("the figure for CHC reviews").
    return text[:1].upper() + text[1:]


def plain_number(value: Decimal) -> str:
    text = f"{value.quantize(TWO_PLACES):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class DraftKpi:
    """What an offer's service level ("Monthly dashboard: by working day 10") suggests."""

    measure: str
    unit: Unit
    target: Decimal | None
    direction: Direction
    frequency: Frequency


_TARGET_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*(%|per ?cent)?", re.I)
_LOWER_WORDS = re.compile(r"\b(within|by|under|less than|no more than|at most|fewer than|"
                          r"below|maximum)\b", re.I)


def kpi_from_service_level(measure: str, target_text: str) -> DraftKpi:
    """A best reading of an offer's free-text service level; the CCG checks it before signing.

    A number in the target becomes the target, in the unit its words name; "within" and "by"
    (a deadline) make lower better, a percentage makes higher better. Without a number the
    target is left unset, and the agreement cannot be signed until the CCG sets one."""
    text = f"{measure} {target_text}"
    frequency = Frequency.QUARTERLY if re.search(r"quarter", text, re.I) else Frequency.MONTHLY
    match = _TARGET_NUMBER.search(target_text or "")
    if match is None:
        return DraftKpi(measure[:200], Unit.COUNT, None, Direction.HIGHER, frequency)
    number = Decimal(match.group(1))
    lowered = (target_text or "").lower()
    if match.group(2):
        unit = Unit.PERCENT
    elif "working day" in lowered:
        unit = Unit.WORKING_DAYS
    elif "day" in lowered:
        unit = Unit.DAYS
    elif "hour" in lowered:
        unit = Unit.HOURS
    else:
        unit = Unit.COUNT
    if unit is Unit.PERCENT:
        direction = Direction.LOWER if re.search(r"\b(under|below|less than|at most|no more)\b",
                                                 lowered) else Direction.HIGHER
    else:
        direction = Direction.LOWER if _LOWER_WORDS.search(lowered) else Direction.HIGHER
    target = min(number, unit.maximum).quantize(TWO_PLACES)
    return DraftKpi(measure[:200], unit, target, direction, frequency)


# Periods and due dates.


@dataclass(frozen=True)
class Period:
    number: int  # 1 for the agreement's first month
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.start.day == 1 and self.end == add_months(self.start, 1) - timedelta(days=1):
            return f"{self.start:%B %Y}"
        return f"{self.start.day} {self.start:%B %Y} to {self.end.day} {self.end:%B %Y}"


def periods(start: date, end: date) -> list[Period]:
    """The agreement's monthly reporting periods, from its start day to its last day."""
    result = []
    number = 0
    while True:
        period_start = add_months(start, number)
        if period_start > end:
            return result
        period_end = min(add_months(start, number + 1) - timedelta(days=1), end)
        result.append(Period(number + 1, period_start, period_end))
        number += 1


def reported_in(frequency: Frequency | str, period_number: int, period_count: int) -> bool:
    """Whether a KPI of this frequency is reported in the return for this period."""
    if Frequency(frequency) is Frequency.MONTHLY:
        return True
    return period_number % 3 == 0 or period_number == period_count


# England and Wales bank holidays in the years the marketplace covers.
BANK_HOLIDAYS = frozenset(date.fromisoformat(day) for day in (
    "2012-01-02", "2012-04-06", "2012-04-09", "2012-05-07", "2012-06-04", "2012-06-05",
    "2012-08-27", "2012-12-25", "2012-12-26",
    "2013-01-01", "2013-03-29", "2013-04-01", "2013-05-06", "2013-05-27", "2013-08-26",
    "2013-12-25", "2013-12-26",
    "2014-01-01", "2014-04-18", "2014-04-21", "2014-05-05", "2014-05-26", "2014-08-25",
    "2014-12-25", "2014-12-26",
    "2015-01-01", "2015-04-03", "2015-04-06", "2015-05-04", "2015-05-25", "2015-08-31",
    "2015-12-25", "2015-12-28",
    "2016-01-01", "2016-03-25", "2016-03-28", "2016-05-02", "2016-05-30", "2016-08-29",
    "2016-12-26", "2016-12-27",
))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def add_working_days(day: date, count: int) -> date:
    """The ``count``th working day after ``day``."""
    current = day
    remaining = count
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def return_due(period: Period, working_days: int) -> date:
    """The last day a period's return is on time."""
    return add_working_days(period.end, working_days)


def is_late(period: Period, working_days: int, submitted_on: date | None, today: date) -> bool:
    """Late: submitted after its due day, or not submitted and the due day has passed."""
    due = return_due(period, working_days)
    return (submitted_on or today) > due
