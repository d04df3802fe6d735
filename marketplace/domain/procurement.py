"""The rules of buying: routes and thresholds, weights, dates, scoring and ranking.

Pure Python on plain values, so the services, the evaluation pages and the decision letters
all use one set of rules. Every money figure is Decimal, rounded once, half-up.

The procurement's life (draft → open → evaluation → standstill → awarded, with "none
suitable" and cancellation) is the TRANSITIONS table below: services ask ``check_move``
before changing a status, and nothing else decides what may follow what.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .money import format_money, round_money
from .whole_numbers import whole_number

# --- The procurement's states -----------------------------------------------------------

DRAFT = "draft"
OPEN = "open"
EVALUATION = "evaluation"
STANDSTILL = "standstill"
AWARDED = "awarded"
NONE_SUITABLE = "none_suitable"
CANCELLED = "cancelled"

DIRECT_AWARD = "direct_award"
FURTHER_COMPETITION = "further_competition"

TRANSITIONS: dict[str, frozenset[str]] = {
    # A competition is published (open); a direct award goes from its draft, where the CCG
    # scores the shortlisted offers, to standstill, or straight to awarded with no standstill.
    DRAFT: frozenset({OPEN, STANDSTILL, AWARDED, CANCELLED}),
    OPEN: frozenset({EVALUATION, CANCELLED}),
    EVALUATION: frozenset({STANDSTILL, AWARDED, NONE_SUITABLE, CANCELLED}),
    STANDSTILL: frozenset({AWARDED}),
    AWARDED: frozenset(),
    NONE_SUITABLE: frozenset(),
    CANCELLED: frozenset(),
}
# Which moves belong to which route (the rest are shared).
COMPETITION_ONLY = frozenset({(DRAFT, OPEN)})
DIRECT_AWARD_ONLY = frozenset({(DRAFT, STANDSTILL), (DRAFT, AWARDED)})

STATUS_WORDS = {
    DRAFT: "a draft",
    OPEN: "open for responses",
    EVALUATION: "closed and under evaluation",
    STANDSTILL: "awarded and in standstill",
    AWARDED: "awarded",
    NONE_SUITABLE: "closed with none suitable",
    CANCELLED: "cancelled",
}


class ProcurementRuleError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def can_move(route: str, current: str, target: str) -> bool:
    if target not in TRANSITIONS.get(current, ()):
        return False
    if (current, target) in COMPETITION_ONLY:
        return route == FURTHER_COMPETITION
    if (current, target) in DIRECT_AWARD_ONLY:
        return route == DIRECT_AWARD
    return True


def check_move(route: str, current: str, target: str, action: str) -> None:
    """Refuse a move the table does not allow, saying what the procurement is."""
    if not can_move(route, current, target):
        raise ProcurementRuleError(
            f"This procurement is {STATUS_WORDS.get(current, current)}, so it cannot be "
            f"{action}."
        )


# --- Value over the term, thresholds and routes ------------------------------------------


def value_over_term(annual: Decimal, term_months: int) -> Decimal:
    """Annual value × months / 12, rounded once to the penny (half-up)."""
    if isinstance(term_months, bool) or not isinstance(term_months, int) or term_months < 1:
        raise ProcurementRuleError("The term must be a whole number of months, at least 1")
    return round_money(Decimal(annual) * term_months / 12)


@dataclass(frozen=True)
class Threshold:
    id: int | None
    name: str
    amount: Decimal
    required_route: str
    standstill_days: int
    applies_from: date
    applies_until: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.applies_from <= day and (self.applies_until is None
                                             or day <= self.applies_until)


def threshold_for(thresholds: Iterable[Threshold], value: Decimal | None,
                  on: date) -> Threshold | None:
    """The threshold in force on ``on`` with the largest amount at or below ``value``.

    A value below every threshold (or unknown) has none: either route may be used.
    """
    if value is None:
        return None
    applicable = [t for t in thresholds if t.in_force_on(on) and t.amount <= value]
    return max(applicable, key=lambda t: (t.amount, t.applies_from), default=None)


ROUTE_WORDS = {DIRECT_AWARD: "a direct award", FURTHER_COMPETITION: "a further competition"}


def route_warning(threshold: Threshold | None, route: str, value: Decimal | None) -> str | None:
    """Words for a route that does not fit the threshold the value crosses; None if it fits."""
    if threshold is None or threshold.required_route == route:
        return None
    return (
        f"The value over the full term, {format_money(value)}, is at or above the "
        f"{threshold.name} of {format_money(threshold.amount)}, which calls for "
        f"{ROUTE_WORDS.get(threshold.required_route, threshold.required_route)}, not "
        f"{ROUTE_WORDS.get(route, route)}. Record why in the reason for the route, or choose "
        "the other route."
    )


# --- Evaluation criteria and weights -----------------------------------------------------

QUALITY = "quality"
PRICE = "price"
MIN_PRICE_WEIGHT = 10
MAX_CRITERIA = 10


@dataclass(frozen=True)
class CriterionWeight:
    kind: str  # QUALITY or PRICE
    name: str
    weight: object  # as entered: checked to be a whole number 0-100


def whole_weight(value) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return whole_number(value.strip() if isinstance(value, str) else value, maximum=999)


def weight_errors(criteria: Sequence[CriterionWeight]) -> list[tuple[str, str]]:
    """(field, message) pairs; fields are ``weight-<index>``, ``name-<index>`` or
    ``weights`` for the set as a whole. An empty list means the weights are usable."""
    errors: list[tuple[str, str]] = []
    weights: list[int] = []
    for index, criterion in enumerate(criteria):
        if not (criterion.name or "").strip():
            errors.append((f"name-{index}", "Enter a name for the criterion"))
        weight = whole_weight(criterion.weight)
        if weight is None or not 0 <= weight <= 100:
            errors.append((f"weight-{index}", "Enter the weight as a whole number from 0 to 100"))
        else:
            weights.append(weight)
    if len(criteria) > MAX_CRITERIA:
        errors.append(("weights", f"Use at most {MAX_CRITERIA} criteria"))
    prices = [c for c in criteria if c.kind == PRICE]
    if len(prices) != 1:
        errors.append(("weights", "Have exactly one price criterion"))
    else:
        price_weight = whole_weight(prices[0].weight)
        if price_weight is not None and price_weight < MIN_PRICE_WEIGHT:
            errors.append((
                f"weight-{criteria.index(prices[0])}",
                f"Price must carry a weight of at least {MIN_PRICE_WEIGHT}: public bodies "
                "must evaluate price",
            ))
    if not any(c.kind == QUALITY for c in criteria):
        errors.append(("weights", "Add at least one quality criterion"))
    if len(weights) == len(criteria) and sum(weights) != 100:
        errors.append(("weights", f"The weights must total 100; they total {sum(weights)}"))
    return errors


# --- Dates -------------------------------------------------------------------------------

# No law set a minimum for these call-off competitions below the EU threshold. Ten calendar
# days matches the standstill the same regulations set for a bidder to react to a decision,
# and gives a provider two working weeks' notice to write a response.
MIN_DAYS_OPEN = 10


def date_errors(now: datetime, clarifications_close_at: datetime | None,
                closes_at: datetime | None, *,
                min_days_open: int = MIN_DAYS_OPEN) -> list[tuple[str, str]]:
    """(field, message) for a publication at ``now`` with these times; [] when they work."""
    errors = []
    if closes_at is None:
        errors.append(("closes_at", "Enter the closing date and time"))
    elif closes_at <= now:
        errors.append(("closes_at", "The closing date must be in the future"))
    elif closes_at < now + timedelta(days=min_days_open):
        errors.append(("closes_at", f"Leave at least {min_days_open} days between publishing "
                                    "and the closing date"))
    if clarifications_close_at is None:
        errors.append(("clarifications_close_at", "Enter the last date for questions"))
    elif clarifications_close_at <= now:
        errors.append(("clarifications_close_at", "The last date for questions must be in the "
                                                  "future"))
    elif closes_at is not None and clarifications_close_at >= closes_at:
        errors.append(("clarifications_close_at", "The last date for questions must be before "
                                                  "the closing date"))
    return errors


def is_open_for_questions(now: datetime, clarifications_close_at: datetime | None) -> bool:
    return clarifications_close_at is not None and now < clarifications_close_at


def is_open_for_responses(now: datetime, closes_at: datetime | None) -> bool:
    return closes_at is not None and now < closes_at


def clarification_window_open(now: datetime, clarifications_close_at: datetime | None,
                              unanswered_questions: int) -> bool:
    """Questions may still come, or some asked are not yet answered: no award yet."""
    return is_open_for_questions(now, clarifications_close_at) or unanswered_questions > 0


# --- Scoring and ranking -----------------------------------------------------------------

MAX_QUALITY_SCORE = 5
POINTS = Decimal("0.01")


def quality_points(moderated_score: int, weight: int) -> Decimal:
    """Moderated score / 5 × weight, exact (rounded only in the total)."""
    if isinstance(moderated_score, bool) or not 0 <= moderated_score <= MAX_QUALITY_SCORE:
        raise ProcurementRuleError(f"A score must be from 0 to {MAX_QUALITY_SCORE}")
    return Decimal(moderated_score) * weight / MAX_QUALITY_SCORE


def price_points(lowest_cost: Decimal, this_cost: Decimal, price_weight: int) -> Decimal:
    """Lowest total annual cost / this bid's × price weight, exact.

    A bid that costs nothing is the cheapest possible and gets the full weight; when the
    lowest is zero every other bid gets none.
    """
    if this_cost < 0 or lowest_cost < 0:
        raise ProcurementRuleError("A cost cannot be negative")
    if this_cost == 0:
        return Decimal(price_weight)
    return Decimal(lowest_cost) / Decimal(this_cost) * price_weight


def round_points(value: Decimal) -> Decimal:
    return value.quantize(POINTS, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BidToRank:
    key: object  # the caller's id for the bid
    total_annual_cost: Decimal
    # criterion key -> moderated score (0-5), one per quality criterion
    quality_scores: dict
    submitted_at: datetime


@dataclass(frozen=True)
class RankedBid:
    key: object
    rank: int
    quality: Decimal  # rounded for display; the total is rounded from the exact sum
    price: Decimal
    total: Decimal
    criteria: dict  # criterion key -> points, rounded for display
    total_annual_cost: Decimal
    submitted_at: datetime


PRICE_FORMULA = (
    "Quality points for a criterion = agreed score ÷ 5 × the criterion's weight. "
    "Price points = the lowest total annual cost of the responses ÷ this response's total "
    "annual cost × the price weight. Total = quality points + price points, rounded to two "
    "decimal places. The highest total ranks first; equal totals rank the lower price first, "
    "then the earlier submission."
)


def rank_bids(bids: Sequence[BidToRank], quality_weights: dict, price_weight: int
              ) -> list[RankedBid]:
    """Score and rank compliant bids; ``quality_weights`` maps criterion key → weight."""
    if not bids:
        return []
    lowest = min(bid.total_annual_cost for bid in bids)
    scored = []
    for bid in bids:
        missing = set(quality_weights) - set(bid.quality_scores)
        if missing:
            raise ProcurementRuleError("Every quality criterion needs an agreed score first")
        criteria = {key: quality_points(bid.quality_scores[key], weight)
                    for key, weight in quality_weights.items()}
        quality = sum(criteria.values(), Decimal(0))
        price = price_points(lowest, bid.total_annual_cost, price_weight)
        total = round_points(quality + price)
        scored.append((bid, criteria, quality, price, total))
    scored.sort(key=lambda item: (-item[4], item[0].total_annual_cost, item[0].submitted_at,
                                  str(item[0].key)))
    return [
        RankedBid(
            key=bid.key,
            rank=position,
            quality=round_points(quality),
            price=round_points(price),
            total=total,
            criteria={key: round_points(points) for key, points in criteria.items()},
            total_annual_cost=bid.total_annual_cost,
            submitted_at=bid.submitted_at,
        )
        for position, (bid, criteria, quality, price, total) in enumerate(scored, start=1)
    ]


# --- Scores as typed ---------------------------------------------------------------------

SCORE_MESSAGE = f"Choose a score from 0 to {MAX_QUALITY_SCORE}"


def whole_score(value) -> int | None:
    """A score from 0 to 5 as sent by a form, or None."""
    return whole_number(value.strip() if isinstance(value, str) else value,
                        maximum=MAX_QUALITY_SCORE)


# --- Award -------------------------------------------------------------------------------

DEPARTURE_MESSAGE = ("Say why the contract goes to this response rather than the "
                     "highest-ranked one")


def departure_needed(ranked: Sequence[RankedBid], chosen_key) -> bool:
    """An award to anything but the first-ranked response needs its own reason."""
    return bool(ranked) and ranked[0].key != chosen_key


def award_errors(ranked: Sequence[RankedBid], chosen_key, departure_reason: str
                 ) -> list[tuple[str, str]]:
    if not any(bid.key == chosen_key for bid in ranked):
        return [("bid_id", "Choose one of the ranked responses")]
    if departure_needed(ranked, chosen_key) and not (departure_reason or "").strip():
        return [("departure_reason", DEPARTURE_MESSAGE)]
    return []


# --- Standstill --------------------------------------------------------------------------

SATURDAY, SUNDAY = 5, 6
STANDSTILL_RULE = (
    "The standstill period runs for the stated number of calendar days after the day the "
    "decision is sent and ends at midnight (UK time) at the end of its last day. When that "
    "last day is a Saturday or Sunday it ends at the end of the following Monday "
    "(Public Contracts Regulations 2006, regulation 32A). Bank holidays are not known to the "
    "product: the CCG should extend the period by hand if one falls on the last day."
)


def standstill_ends_on(decided_on: date, days: int) -> date:
    """The last day of the standstill period started by a decision sent on ``decided_on``."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 0:
        raise ProcurementRuleError("Standstill days must be a whole number, at least 0")
    last = decided_on + timedelta(days=days)
    if days and last.weekday() == SATURDAY:
        last += timedelta(days=2)
    elif days and last.weekday() == SUNDAY:
        last += timedelta(days=1)
    return last


def standstill_is_over(today: date, ends_on: date | None) -> bool:
    """True from the day after the last day (the period ends at midnight at its end)."""
    return ends_on is not None and today > ends_on


def in_standstill_window(today: date, ends_on: date | None) -> bool:
    return ends_on is not None and today <= ends_on
