"""Small helpers the buying services share: the form-side optimistic lock and plain-text
input. Transactions and the lock itself are services/transaction.py's."""

import re

from marketplace.domain.inputs import NUL, NUL_MESSAGE
from marketplace.domain.whole_numbers import whole_number

from .errors import Conflict, ServiceError
from .transaction import check_version

STALE = (
    "Somebody else changed this after you opened it. Your change was not saved: check it as "
    "it is now and make your change again."
)


def check_fresh(obj, expected_lock_version, message: str = STALE) -> None:
    """Refuse a change made on a page read before somebody else's change. A form always
    sends the version it was drawn from, so here a missing one is refused too."""
    if expected_lock_version is None:
        raise Conflict(message)
    check_version(obj, expected_lock_version, message)


def lock_version_from(value) -> int | None:
    """A hidden lock_version field as sent: ASCII digits only, anything else is None."""
    return whole_number(value) if isinstance(value, str) else None


def clean_text(value, field: str, max_length: int, *, required: str | None = None) -> str:
    """Plain text as typed, stripped; refused when too long or holding a NUL character
    (PostgreSQL cannot store one)."""
    text = (value or "").strip() if isinstance(value, str) else ""
    if NUL in text:
        raise ServiceError(NUL_MESSAGE, field=field)
    if required and not text:
        raise ServiceError(required, field=field)
    if len(text) > max_length:
        raise ServiceError(f"Keep this to {max_length:,} characters or fewer", field=field)
    return text


class FieldErrors(ServiceError):
    """Several fields refused at once, so a form can show every message beside its field."""

    def __init__(self, errors: list[tuple[str, str]]):
        field, message = errors[0]
        super().__init__(message, field=field)
        self.errors = list(errors)


_AMOUNT = re.compile(r"£?[0-9][0-9,]*(\.[0-9]+)?")


def typed_number(value) -> str | None:
    """A number as typed, kept only if written in ASCII digits (with an optional £, commas
    and decimal point): Decimal() would otherwise read "²" or "٣" as digits."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if not _AMOUNT.fullmatch(text) or len(text) > 20:
        raise ValueError(text)
    return text.replace(",", "").lstrip("£")
