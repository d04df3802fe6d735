"""Form fields that read numbers the way a finance lead types them: 1500, 1,500.00, £1,500.

Each field turns the text into an exact Decimal (or int) and says what is wrong in words;
nothing here ever goes through float.
"""

import re
from decimal import Decimal

from wtforms import StringField

from marketplace.domain.money import PENNY, MoneyError, to_decimal
from marketplace.domain.reckoner import MAX_AMOUNT, MAX_POPULATION, MAX_WTE, MIN_POPULATION

WHOLE_NUMBER = re.compile(r"^-?[0-9]+$")


class _NumberField(StringField):
    """Blank means None; anything else must parse, or the field carries the message."""

    def _parse(self, text: str):  # pragma: no cover - overridden
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "") or ""
        text = text.strip()
        if text:
            self.data = self._parse(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class MoneyField(_NumberField):
    def __init__(self, label=None, validators=None, maximum: Decimal = MAX_AMOUNT, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum

    def _parse(self, text: str) -> Decimal:
        try:
            value = to_decimal(text)
        except MoneyError:
            raise ValueError("Enter an amount in pounds, like 1500 or 1500.00") from None
        if value < 0:
            raise ValueError("The amount cannot be negative")
        if value > self.maximum:
            raise ValueError(f"The amount must be at most £{self.maximum:,}")
        if value != value.quantize(PENNY):
            raise ValueError("Enter pounds and pence, with at most 2 decimal places")
        return value

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:.2f}"


class QuantityField(_NumberField):
    """Whole-time equivalents, days or cases, to two decimal places."""

    def __init__(self, label=None, validators=None, maximum: Decimal = MAX_WTE,
                 what: str = "whole-time equivalents", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.maximum = maximum
        self.what = what

    def _parse(self, text: str) -> Decimal:
        try:
            value = to_decimal(text)
        except MoneyError:
            raise ValueError(f"Enter the {self.what} as a number, like 1.5") from None
        if not 0 <= value <= self.maximum:
            raise ValueError(f"Enter {self.what} between 0 and {self.maximum:,}")
        if value != value.quantize(PENNY):
            raise ValueError(f"Enter the {self.what} to at most 2 decimal places")
        return value


class PopulationField(_NumberField):
    def _parse(self, text: str) -> int:
        digits = text.replace(",", "").replace(" ", "")
        if not WHOLE_NUMBER.match(digits):
            raise ValueError("Enter the population as a whole number, like 175000")
        value = int(digits)
        if not MIN_POPULATION <= value <= MAX_POPULATION:
            raise ValueError(
                f"Enter a population between {MIN_POPULATION} and {MAX_POPULATION:,}"
            )
        return value
