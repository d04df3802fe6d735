"""Rules and numbers for statements of requirements: what a line may say, and how a joint
statement's budget (and later its cost) is divided between the CCGs taking part.

The division uses the same penny-exact largest-remainder split as shared services in the
ready reckoner (sourcing.split_shared_cost), so a CCG sees the same pennies for the same team
whichever page it looks at. Agreed shares are percentages to two places; they become whole
hundredths of a percent, which keeps the split in integers.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from marketplace.domain.inputs import MAX_POPULATION
from marketplace.domain.money import PENNY, ZERO, round_money
from marketplace.domain.sourcing import SourcingError, split_shared_cost

POPULATION, AGREED_SHARES = "population", "agreed_shares"

# A line is one CCG's annual budget for one specification. The largest CCG of 2013 had a
# running cost allowance of about £22.6m (903,243 registered × £25), so a single line above
# £25m a year is a typing slip, not a plan.
MAX_LINE_BUDGET = Decimal("25000000.00")
MAX_ACTIVITY = Decimal("1000000")
MAX_DAYS = Decimal("100000")
MAX_SERVICE_LEVELS = 12
HUNDRED = Decimal("100")
SHARE_STEP = Decimal("0.01")

# ASCII digits only: Decimal() and int() would also read "²", "٣" or full-width digits.
_AMOUNT = re.compile(r"£?\s*[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,2})?|£?\s*[0-9]+(\.[0-9]{1,2})?")
_QUANTITY = re.compile(r"[0-9]{1,3}(,[0-9]{3})*(\.[0-9]{1,2})?|[0-9]+(\.[0-9]{1,2})?")
_WHOLE = re.compile(r"[0-9]{1,3}(,[0-9]{3})*|[0-9]+")
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,2})?%?")


class StatementInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _plain(text, field: str, message: str) -> str:
    """The text as typed, stripped; a NUL character (which PostgreSQL cannot store) is
    refused with the field's own message."""
    value = text.strip() if isinstance(text, str) else ""
    if "\x00" in value:
        raise StatementInputError(field, message)
    return value


def parse_budget(text, field: str = "budget_annual") -> Decimal | None:
    """An annual budget as typed (£ and thousands commas allowed); blank is no budget."""
    value = _plain(text, field, "Enter the budget in pounds, like 150000 or £150,000")
    if not value:
        return None
    if len(value) > 20 or not _AMOUNT.fullmatch(value):
        raise StatementInputError(field, "Enter the budget in pounds, like 150000 or £150,000")
    amount = Decimal(value.replace(",", "").replace("£", "").strip())
    return check_budget(amount, field)


def check_budget(amount: Decimal, field: str = "budget_annual") -> Decimal:
    if amount < ZERO:
        raise StatementInputError(field, "The budget cannot be negative")
    if amount > MAX_LINE_BUDGET:
        raise StatementInputError(field, "Enter a budget of £25,000,000 a year or less")
    return round_money(amount)


def parse_population(text, ccg_population: int | None, field: str = "population_covered"):
    """The population a line covers; blank means the CCG's whole registered population."""
    value = _plain(text, field, "Enter the population as a whole number")
    if not value:
        return None
    if len(value) > 12 or not _WHOLE.fullmatch(value):
        raise StatementInputError(field, "Enter the population as a whole number, like 150000")
    population = int(value.replace(",", ""))
    if population < 1:
        raise StatementInputError(field, "The population covered must be at least 1")
    limit = ccg_population or MAX_POPULATION
    if population > limit:
        raise StatementInputError(
            field, f"The population covered cannot be more than the CCG's {limit:,} "
                   "registered patients")
    return population


def parse_quantity(text, field: str, maximum: Decimal, what: str) -> Decimal | None:
    value = _plain(text, field, f"Enter the {what} as a number")
    if not value:
        return None
    if len(value) > 16 or not _QUANTITY.fullmatch(value):
        raise StatementInputError(field, f"Enter the {what} as a number, like 250")
    quantity = Decimal(value.replace(",", ""))
    if quantity <= ZERO:
        raise StatementInputError(field, f"The {what} must be more than 0, or left blank")
    if quantity > maximum:
        raise StatementInputError(field, f"Enter {maximum:,} {what} or fewer")
    return quantity


def parse_service_levels(text, field: str = "local_service_levels") -> list[dict]:
    """One local service level a line, written "measure: target"."""
    value = _plain(text, field, "Remove the unusual characters from the service levels")
    levels = []
    for number, raw in enumerate(value.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        measure, colon, target = line.partition(":")
        if not colon or not measure.strip() or not target.strip():
            raise StatementInputError(
                field, f"Write service level {number} as a measure and a target separated by "
                       "a colon, like “Monthly dashboard: by the 10th working day”")
        if len(measure.strip()) > 200 or len(target.strip()) > 200:
            raise StatementInputError(field, f"Keep service level {number} to 200 characters "
                                             "each side of the colon")
        levels.append({"measure": measure.strip(), "target": target.strip()})
    if len(levels) > MAX_SERVICE_LEVELS:
        raise StatementInputError(field, f"List {MAX_SERVICE_LEVELS} service levels or fewer")
    return levels


def parse_share(text, field: str) -> Decimal:
    value = _plain(text, field, "Enter the share as a percentage, like 33.34")
    if not value:
        raise StatementInputError(field, "Enter this CCG's share as a percentage")
    if not _PERCENT.fullmatch(value):
        raise StatementInputError(field, "Enter the share as a percentage, like 33.34")
    share = Decimal(value.rstrip("%"))
    if share > HUNDRED:
        raise StatementInputError(field, "A share cannot be more than 100%")
    return share


def check_agreed_shares(shares: Mapping[str, Decimal], field: str = "shares") -> None:
    """Every party has a share from 0 to 100 to the hundredth, and they total exactly 100."""
    if not shares:
        raise StatementInputError(field, "Give each CCG a share")
    for share in shares.values():
        if share is None:
            raise StatementInputError(field, "Give each CCG a share")
        if share < ZERO or share > HUNDRED or share != share.quantize(SHARE_STEP):
            raise StatementInputError(field, "Each share is a percentage from 0 to 100, to two "
                                             "decimal places at most")
    total = sum(shares.values(), ZERO)
    if total != HUNDRED:
        raise StatementInputError(
            field, f"The shares add up to {total.normalize():f}%: make them add up to 100%")


@dataclass(frozen=True)
class Party:
    key: str
    population: int | None
    agreed_share: Decimal | None = None


def split_between(total: Decimal, parties: Sequence[Party], method: str) -> dict[str, Decimal]:
    """Each party's part of ``total``, in pennies that add up exactly to the rounded total.

    By population: in proportion to each CCG's registered population. By agreed shares: in
    proportion to the percentages, which must total 100.
    """
    if method == POPULATION:
        if any(not party.population or party.population < 1 for party in parties):
            raise StatementInputError("split_method", "Every CCG needs a registered population "
                                                      "to split by population")
        weights = [(party.key, party.population) for party in parties]
    elif method == AGREED_SHARES:
        check_agreed_shares({party.key: party.agreed_share for party in parties})
        weights = [(party.key, int(party.agreed_share / SHARE_STEP)) for party in parties]
    else:
        raise StatementInputError("split_method", "Split by population or by agreed shares")
    if total < ZERO:
        raise StatementInputError("budget_annual", "The amount to split cannot be negative")
    if method == AGREED_SHARES and all(weight == 0 for _, weight in weights):
        raise StatementInputError("shares", "The shares add up to nothing")
    try:
        return split_shared_cost(total, weights, "population")
    except SourcingError as error:
        raise StatementInputError(error.field, error.message) from error


def population_percentages(parties: Sequence[Party]) -> dict[str, Decimal]:
    """Each party's population as a percentage to two places, for showing beside the split
    (shown, never used to compute money)."""
    whole = sum(party.population or 0 for party in parties)
    if whole == 0:
        return {party.key: ZERO for party in parties}
    return {party.key: round_money(Decimal(party.population or 0) * HUNDRED / whole)
            for party in parties}


__all__ = [
    "AGREED_SHARES",
    "MAX_LINE_BUDGET",
    "PENNY",
    "POPULATION",
    "Party",
    "StatementInputError",
    "check_agreed_shares",
    "check_budget",
    "parse_budget",
    "parse_population",
    "parse_quantity",
    "parse_service_levels",
    "parse_share",
    "population_percentages",
    "split_between",
]
