"""Form fields that read numbers the way a finance lead types them: 1500, 1,500.00, £1,500.

Each field turns the text into an exact Decimal (or int) and says what is wrong in words;
nothing here ever goes through float.
"""

import re
from decimal import Decimal

from wtforms import StringField

from marketplace.domain.inputs import (
    MAX_AMOUNT,
    MAX_WTE,
    WHOLE_POPULATION,
    money_problem,
    population_problem,
    quantity_problem,
)
from marketplace.domain.money import MoneyError, to_decimal

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
        if problem := money_problem(value, self.maximum):
            raise ValueError(problem)
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
        if problem := quantity_problem(value, self.maximum, self.what):
            raise ValueError(problem)
        return value


class PopulationField(_NumberField):
    def _parse(self, text: str) -> int:
        digits = text.replace(",", "").replace(" ", "")
        if not WHOLE_NUMBER.match(digits):
            raise ValueError(WHOLE_POPULATION)
        value = int(digits)
        if problem := population_problem(value):
            raise ValueError(problem)
        return value
