"""Column types and mixins shared by every model."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import JSON, DateTime, Numeric, TypeDecorator
from sqlalchemy.orm import Mapped, mapped_column

from marketplace import clock
from marketplace.domain.money import round_money


def utcnow() -> datetime:
    """Now, from the one clock (MARKETPLACE_TODAY): every default stamp on a row uses it."""
    return clock.now()


class UTCDateTime(TypeDecorator):
    """Always hands back an aware UTC datetime: SQLite forgets the zone, PostgreSQL keeps it."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; use marketplace.models.base.utcnow()")
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Money(TypeDecorator):
    """Pounds and pence as an exact NUMERIC(14, 2); SQLite would otherwise hand back floats.

    Bound with the domain's own rounding (half-up), so an amount stored is the amount the
    domain would show: a bare quantize rounds half-to-even (1.005 to 1.00, not 1.01).
    """

    impl = Numeric(14, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be Decimal, not float")
        return str(round_money(Decimal(value)))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


class Quantity(TypeDecorator):
    """A count or measure to two decimal places (whole-time equivalents, days, cases)."""

    impl = Numeric(12, 2, asdecimal=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("quantities must be Decimal, not float")
        return str(Decimal(value).quantize(Decimal("0.01")))

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(str(value)).quantize(Decimal("0.01"))


class IdMixin:
    id: Mapped[int] = mapped_column(primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def _json_numbers(value):
    if isinstance(value, Decimal):
        number = float(value)
        # Money is NUMERIC(14, 2): at most 14 significant digits, which a double holds
        # exactly enough that its shortest repr gives the same decimal back. Anything that
        # would not survive the trip is refused rather than stored wrong.
        if Decimal(repr(number)) != value.normalize():
            raise ValueError(f"{value} cannot be stored exactly as a JSON number")
        return number
    if isinstance(value, dict):
        return {key: _json_numbers(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json_numbers(item) for item in value]
    return value


def _decimals(value):
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_decimals(item) for item in value]
    return value


class ExactJSON(TypeDecorator):
    """JSON whose amounts are Decimal in Python and JSON numbers in the database (standards
    such as OCDS want numbers, not strings); floats never reach the application."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else _json_numbers(value)

    def process_result_value(self, value, dialect):
        return None if value is None else _decimals(value)
