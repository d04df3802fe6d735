"""A date and time typed the NHS.UK way: day, month and year boxes, and a time, in UK time.

The form posts ``<name>-day``, ``<name>-month``, ``<name>-year`` and ``<name>-time``; the
field's data is an aware UTC datetime. Only ASCII digits are read (domain/whole_numbers.py).
"""

import re
from datetime import date, datetime, time

from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from marketplace.domain.whole_numbers import whole_number

from . import clock

PARTS = ("day", "month", "year", "time")
TIME = re.compile(r"([0-9]{1,2})[:.]([0-9]{2})")


def _digits(text: str, largest: int) -> int | None:
    return whole_number(text, minimum=1, maximum=largest)


class UKDateTimeField(Field):
    def __init__(self, label=None, validators=None, *, missing_message: str,
                 default_time: time = time(17, 0), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.type = "UKDateTimeField"
        self.missing_message = missing_message
        self.default_time = default_time
        self.parts = dict.fromkeys(PARTS, "")

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.data = None
        if formdata is not None and any(f"{self.name}-{p}" in formdata for p in PARTS):
            self.parts = {p: (formdata.get(f"{self.name}-{p}") or "").strip()[:20]
                          for p in PARTS}
            if any(self.parts[p] for p in ("day", "month", "year")):
                try:
                    self.data = self._parse()
                except ValueError as error:
                    self.process_errors.append(str(error))
            return
        value = self.default if data is unset_value else data
        if isinstance(value, datetime):
            local = clock.in_uk(value)
            self.data = value
            self.parts = {"day": str(local.day), "month": str(local.month),
                          "year": str(local.year), "time": f"{local:%H:%M}"}

    def _parse(self) -> datetime:
        label = self.label.text.lower() if self.label else "date"
        day = _digits(self.parts["day"], 31)
        month = _digits(self.parts["month"], 12)
        year = _digits(self.parts["year"], 9999)
        if day is None or month is None or year is None or len(self.parts["year"]) != 4:
            raise ValueError(f"The {label} must be a real date, like 21 1 2013")
        try:
            when = date(year, month, day)
        except ValueError:
            raise ValueError(f"The {label} must be a real date, like 21 1 2013") from None
        at = self.default_time
        if self.parts["time"]:
            match = TIME.fullmatch(self.parts["time"])
            if not match or not self.parts["time"].isascii():
                raise ValueError("Enter the time as hours and minutes, like 17:00")
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour > 23 or minute > 59:
                raise ValueError("Enter the time as hours and minutes, like 17:00")
            at = time(hour, minute)
        return clock.uk_moment(when, at)

    def pre_validate(self, form):
        if self.data is None and not self.process_errors:
            raise ValidationError(self.missing_message)


class UKDateField(UKDateTimeField):
    """The NHS.UK date input alone; its data is a date."""

    def __init__(self, label=None, validators=None, *, missing_message: str | None = None,
                 **kwargs):
        super().__init__(label, validators, missing_message=missing_message or "", **kwargs)
        self.type = "UKDateField"

    def process(self, formdata, data=unset_value, extra_filters=None):
        value = self.default if data is unset_value else data
        if isinstance(value, date) and not isinstance(value, datetime):
            value = clock.uk_moment(value, self.default_time)
        super().process(formdata, value, extra_filters)
        if self.data is not None:
            self.data = clock.in_uk(self.data).date()

    def pre_validate(self, form):
        if self.missing_message:
            super().pre_validate(form)
