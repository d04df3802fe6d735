"""Who pays what of an awarded price when several CCGs bought together.

A joint statement of requirements says how its cost is split between the CCGs: by population,
or by shares the CCGs agreed (percentages totalling 100). The winning bid prices each
specification for all the CCGs that need it together (at their combined population), so each
line's annual cost is split between the CCGs that asked for that specification, never charged
to a CCG that did not:

- by population: in proportion to the population each CCG needs it for;
- by agreed shares: in proportion to the agreed shares of the CCGs that need it (a CCG with
  no line for a specification pays none of it, and the others' shares are scaled up).

The budget split before buying is statements.split_between; this is the same rule (the same
share check, the same split) applied line by line to what was bought.

Every split is the penny-exact largest-remainder split of ``sourcing.split_shared_cost``: the
CCGs' amounts add up to the line's cost to the penny, and a tie goes the same way whichever CCG
computes it. Agreed shares carry two decimal places, so they are split as whole hundredths of a
per cent (integer weights), exactly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import statements
from .money import round_money
from .sourcing import SourcingError, split_shared_cost

POPULATION = "population"
AGREED_SHARES = "agreed_shares"
SPLIT_METHODS = (POPULATION, AGREED_SHARES)


class SplitError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class LineBuyer:
    ccg_key: str  # the same key in every line (an ODS code, or an id as text)
    population: int  # the population this CCG needs the specification for


@dataclass(frozen=True)
class AwardedLine:
    key: object  # the caller's id for the line (a bid line)
    annual_cost: Decimal  # for all the CCGs that need it together
    buyers: tuple[LineBuyer, ...]


def _hundredths(share: Decimal) -> int:
    """An agreed share of up to two decimal places as a whole number of hundredths."""
    scaled = Decimal(share) * 100
    if scaled != scaled.to_integral_value():
        raise SplitError("Agreed shares are percentages with at most two decimal places")
    return int(scaled)


def check_agreed_shares(shares: Mapping[str, Decimal | None]) -> None:
    """The statement's own rule (domain/statements.py): every CCG has a share from 0 to 100,
    to the hundredth, and the shares total exactly 100."""
    try:
        statements.check_agreed_shares(dict(shares))
    except statements.StatementInputError as error:
        raise SplitError(error.message) from error


def split_line(line: AwardedLine, method: str,
               agreed_shares: Mapping[str, Decimal | None] | None = None) -> dict[str, Decimal]:
    """One line's annual cost, CCG key → amount, adding up exactly to the line's cost."""
    if not line.buyers:
        raise SplitError("A line needs at least one CCG to pay for it")
    if method == POPULATION:
        weights = [(buyer.ccg_key, buyer.population) for buyer in line.buyers]
    elif method == AGREED_SHARES:
        shares = agreed_shares or {}
        weights = []
        for buyer in line.buyers:
            if shares.get(buyer.ccg_key) is None:
                raise SplitError(f"No agreed share for {buyer.ccg_key}")
            weights.append((buyer.ccg_key, _hundredths(shares[buyer.ccg_key])))
    else:
        raise SplitError("Split by population or by agreed shares")
    if len(weights) == 1:
        return {weights[0][0]: round_money(line.annual_cost)}
    if sum(weight for _, weight in weights) == 0:
        raise SplitError("The CCGs that need this line have no population or share to split "
                         "its cost by")
    try:
        # Integer weights: "population" in split_shared_cost is any whole-number weighting.
        return split_shared_cost(line.annual_cost, weights, POPULATION)
    except SourcingError as error:
        raise SplitError(error.message) from error


def split_award(lines: Sequence[AwardedLine], method: str,
                agreed_shares: Mapping[str, Decimal | None] | None = None
                ) -> dict[str, dict[object, Decimal]]:
    """CCG key → {line key → that CCG's annual cost of the line}, for every CCG that pays
    for at least one line. The amounts over all CCGs add up to the award's annual cost."""
    if method == AGREED_SHARES:
        check_agreed_shares(agreed_shares or {})
    result: dict[str, dict[object, Decimal]] = {}
    for line in lines:
        for ccg_key, amount in split_line(line, method, agreed_shares).items():
            result.setdefault(ccg_key, {})[line.key] = amount
    return result
