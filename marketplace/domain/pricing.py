"""Offer prices in four pricing models, brought to one footing: £ a year and £ per head."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from marketplace.domain.inputs import MAX_AMOUNT, population_problem
from marketplace.domain.money import (
    PENNY,
    MoneyError,
    format_money,
    round_money,
    to_decimal,
    to_quantity,
)

PER_HEAD = "per_head"
FIXED_ANNUAL = "fixed_annual"
DAY_RATE = "day_rate"
PER_CASE = "per_case"

PRICING_MODELS: dict[str, str] = {
    PER_HEAD: "£ per head of population a year",
    FIXED_ANNUAL: "£ a year",
    DAY_RATE: "£ a day, times the estimated days a year",
    PER_CASE: "£ a case, times the estimated cases a year",
}
# What the estimated quantity counts, for the models that need one.
QUANTITY_UNITS: dict[str, str] = {DAY_RATE: "days", PER_CASE: "cases"}

MAX_PER_HEAD = Decimal("1000")
MAX_ANNUAL = Decimal("50000000")
MAX_MINIMUM_TERM_MONTHS = 120
MINIMUM_TERM_PROBLEM = (
    f"The minimum term must be a whole number of months, at most {MAX_MINIMUM_TERM_MONTHS}"
)
MAX_ESTIMATED_QUANTITY = Decimal("10000000")


class PricingError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class PriceBand:
    key: str
    label: str
    lower: Decimal
    upper: Decimal | None  # None: no upper bound


# £ per head per year; lower bound inclusive, upper exclusive. £9 is the 2013/14 average
# CCG spend on its CSU per head, so the bands meet there.
PRICE_BANDS: tuple[PriceBand, ...] = (
    PriceBand("under-1", "under £1", Decimal("0"), Decimal("1")),
    PriceBand("1-to-5", "£1–£5", Decimal("1"), Decimal("5")),
    PriceBand("5-to-9", "£5–£9", Decimal("5"), Decimal("9")),
    PriceBand("9-to-12", "£9–£12", Decimal("9"), Decimal("12")),
    PriceBand("12-and-over", "£12 and over", Decimal("12"), None),
)


def _model(model: str) -> str:
    if model not in PRICING_MODELS:
        raise PricingError("pricing_model", f"Choose a pricing model: {', '.join(PRICING_MODELS)}")
    return model


def _amount(amount) -> Decimal:
    if isinstance(amount, float):
        raise PricingError("amount", 'Enter the price as a decimal string, for example "9.50"')
    try:
        value = to_decimal(amount)
    except MoneyError as exc:
        raise PricingError("amount", "Enter the price as an amount of money") from exc
    if value < 0:
        raise PricingError("amount", "The price cannot be negative")
    if value > MAX_AMOUNT:
        raise PricingError("amount", f"The price must be at most {format_money(MAX_AMOUNT)}")
    # Fractions of a penny per head are real prices (£0.725); fractions of PRICE_UNIT are not,
    # and 1e-30 would be stored as £0.00.
    if value != value.quantize(PRICE_UNIT):
        raise PricingError("amount", "Enter the price in pounds and pence, like 9.50")
    return value


def _quantity(model: str, estimated_quantity) -> Decimal | None:
    if model not in QUANTITY_UNITS:
        return None
    unit = QUANTITY_UNITS[model]
    if estimated_quantity is None or isinstance(estimated_quantity, bool):
        raise PricingError("estimated_quantity", f"Enter the estimated {unit} a year")
    try:
        value = to_quantity(estimated_quantity)
    except MoneyError as exc:
        raise PricingError("estimated_quantity", f"Enter the estimated {unit} as a number") from exc
    if not 0 < value <= MAX_ESTIMATED_QUANTITY:
        raise PricingError(
            "estimated_quantity",
            f"The estimated {unit} a year must be more than 0 and at most "
            f"{MAX_ESTIMATED_QUANTITY:,}",
        )
    if value != value.quantize(PENNY):
        raise PricingError("estimated_quantity",
                           f"Enter the estimated {unit} to at most 2 decimal places")
    return value


def _population(population) -> int:
    if problem := population_problem(population):
        raise PricingError("population", problem)
    return population


def _exact_annual(model: str, amount: Decimal, population: int | None, quantity) -> Decimal:
    if model == PER_HEAD:
        return amount * _population(population)
    if model == FIXED_ANNUAL:
        return amount
    return amount * quantity


def annual_cost(model: str, amount, population: int, estimated_quantity=None) -> Decimal:
    """£ a year for a CCG of this population, to the penny."""
    model = _model(model)
    price = _amount(amount)
    quantity = _quantity(model, estimated_quantity)
    return round_money(_exact_annual(model, price, population, quantity))


def cost_per_head(model: str, amount, population: int, estimated_quantity=None) -> Decimal:
    """£ per head of population a year, to the penny."""
    model = _model(model)
    price = _amount(amount)
    quantity = _quantity(model, estimated_quantity)
    heads = _population(population)
    # Divide the exact annual figure so the per-head price is rounded only once.
    return round_money(_exact_annual(model, price, heads, quantity) / heads)


def offer_term_errors(
    model: str,
    amount,
    estimated_quantity=None,
    minimum_term_months: int | None = None,
    *,
    population: int | None = None,
) -> list[PricingError]:
    """Every problem with an offer's terms, at most one per field, for a form to show together.

    A per-head offer's annual cost depends on who buys it, so the £50m ceiling is only checked
    for it when a population is given.
    """
    errors: list[PricingError] = []
    price = quantity = None
    try:
        model = _model(model)
    except PricingError as error:
        errors.append(error)
        model = None
    try:
        price = _amount(amount)
    except PricingError as error:
        errors.append(error)
    if model is not None:
        try:
            quantity = _quantity(model, estimated_quantity)
        except PricingError as error:
            errors.append(error)
    if minimum_term_months is not None and (
        isinstance(minimum_term_months, bool)
        or not isinstance(minimum_term_months, int)
        or not 0 <= minimum_term_months <= MAX_MINIMUM_TERM_MONTHS
    ):
        errors.append(PricingError("minimum_term_months", MINIMUM_TERM_PROBLEM))
    if population is not None:
        try:
            _population(population)
        except PricingError as error:
            errors.append(error)
            population = None
    if model is None or price is None or (model in QUANTITY_UNITS and quantity is None):
        return errors

    if model == PER_HEAD and price > MAX_PER_HEAD:
        errors.append(_per_head_error())
    if model != PER_HEAD or population is not None:
        annual = _exact_annual(model, price, population, quantity)
        if annual > MAX_ANNUAL:
            errors.append(
                PricingError(
                    "amount",
                    f"The price comes to {format_money(annual)} a year, above the "
                    f"{format_money(MAX_ANNUAL)} limit",
                )
            )
        elif model != PER_HEAD and population is not None and annual / population > MAX_PER_HEAD:
            errors.append(_per_head_error())
    return errors


def _per_head_error() -> PricingError:
    return PricingError(
        "amount", f"The price must be at most {format_money(MAX_PER_HEAD)} per head a year"
    )


def validate_offer_terms(
    model: str,
    amount,
    estimated_quantity=None,
    minimum_term_months: int | None = None,
    *,
    population: int | None = None,
) -> None:
    """Raise the first PricingError in the offer's terms, if any."""
    errors = offer_term_errors(
        model, amount, estimated_quantity, minimum_term_months, population=population
    )
    if errors:
        raise errors[0]


def price_band(per_head) -> str:
    """The key of the PRICE_BANDS band holding this £-per-head-a-year price."""
    value = _amount(per_head)
    for band in PRICE_BANDS:
        if band.upper is None or value < band.upper:
            return band.key
    raise AssertionError("the last band has no upper bound")


HALF_PENNY = Decimal("0.005")


def annual_band_floors(population: int) -> dict[str, Decimal]:
    """For offers not priced per head: the least annual cost that, for a CCG of this
    population, puts the offer in each price band.

    cost_per_head rounds half-up to the penny, so a per-head cost of exactly £B starts at
    an annual cost of (B - £0.005) × population. Search compares annual costs with these
    floors in SQL, so the database bands offers exactly as price_band(cost_per_head(...)).
    """
    heads = _population(population)
    return {band.key: band.lower * heads - HALF_PENNY * heads for band in PRICE_BANDS}


# Search bands prices as whole numbers of ten-thousandths of a pound: exact for every price
# (pennies) and every price × quantity (pennies × hundredths), on either engine.
PRICE_UNIT = Decimal("0.0001")
UNITS_PER_POUND = 10_000


def price_units(amount) -> int:
    """An amount of money as a whole number of PRICE_UNITs (half-up below that)."""
    return int(to_decimal(amount).quantize(PRICE_UNIT, rounding=ROUND_HALF_UP) / PRICE_UNIT)


def band_starts(population: int) -> dict[bool, list[int]]:
    """The least price, in PRICE_UNITs, of each price band after the first, for a CCG of
    this population: under True for offers priced per head (the band's lower bound in £ per
    head), under False for the others (the floor in £ a year, see annual_band_floors).

    An offer is in band i where i is how many of its list's starts are at or below its
    price (what search's SQL works out, marketplace/search/offers.py)."""
    floors = annual_band_floors(population)
    return {
        True: [price_units(band.lower) for band in PRICE_BANDS[1:]],
        False: [price_units(floors[band.key]) for band in PRICE_BANDS[1:]],
    }
