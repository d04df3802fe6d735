"""Money is Decimal, rounded once, at the edge, half-up to the penny."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

PENNY = Decimal("0.01")
ZERO = Decimal("0")


class MoneyError(ValueError):
    """A value that cannot be read as an amount of money."""


def to_decimal(value) -> Decimal:
    """Read an int, Decimal or decimal string exactly; floats are refused."""
    if isinstance(value, bool) or isinstance(value, float):
        raise MoneyError(f"{value!r} is not an exact decimal amount")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", "").lstrip("£")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise MoneyError(f"{value!r} is not a decimal number") from exc
    else:
        raise MoneyError(f"{value!r} is not a decimal number")
    if not result.is_finite():
        raise MoneyError(f"{value!r} is not a finite number")
    return result


def round_money(value: Decimal) -> Decimal:
    """Round to the penny, half-up. Call once, on the final figure."""
    return to_decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    """£1,234.56 (negative amounts as -£1,234.56)."""
    amount = round_money(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}£{abs(amount):,.2f}"


def to_quantity(value) -> Decimal:
    """Read a count or measure (WTE, days, cases) exactly.

    Unlike money, a JSON float is accepted here: its shortest repr is the decimal the
    sender wrote (0.1 stays 0.1), and such quantities are not summed as money.
    """
    if isinstance(value, float):
        value = repr(value)
    return to_decimal(value)
