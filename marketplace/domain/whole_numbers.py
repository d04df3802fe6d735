"""Whole numbers as people and programs send them: ASCII digits only, of bounded length.

Every query parameter, form field and JSON value that stands for a whole number (a page, an
id, a count of months or days, a lock version) is read here. Python's own readers are too
generous for input: ``str.isdigit()`` is true for "²", and ``int()`` reads "٣" or full-width
"４" as digits, so checking one and converting with the other fails with a 500; ``int()`` of
5,000 digits raises; and an id past 2**31 - 1 is an error in a PostgreSQL integer column.
"""

import re

# The largest value a PostgreSQL integer column holds: ids, numbers and counts are stored
# as integers, so nothing larger can name or fill a row.
MAX_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]{1,10}")


def whole_number(value, *, minimum: int = 0, maximum: int = MAX_ID) -> int | None:
    """``value`` (text or an int) as a whole number from ``minimum`` to ``maximum``, or None
    for anything else: blank, spaces, signs, decimals, other scripts' digits, more than ten
    digits, booleans. Callers that allow spaces around the number strip them first."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        if not _DIGITS.fullmatch(value):
            return None
        number = int(value)
    else:
        return None
    return number if minimum <= number <= maximum else None

