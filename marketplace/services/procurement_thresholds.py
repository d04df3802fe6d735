"""Procurement thresholds: reference data administrators keep, each change audited.

A procurement records the threshold in force when its route was chosen and when it was
published, so changing a threshold here never rewrites a procurement's record.
"""

from dataclasses import dataclass
from datetime import date

from marketplace.domain.inputs import MAX_THRESHOLD_AMOUNT
from marketplace.domain.money import MoneyError, round_money, to_decimal
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import ProcurementThreshold, Role, Route, User

from .audit import record_event
from .buying_common import FieldErrors, clean_text, typed_number
from .errors import PermissionDenied, ServiceError
from .transaction import transactional


@dataclass(frozen=True)
class ThresholdInput:
    name: str
    description: str
    amount: str
    required_route: str
    standstill_days: str
    applies_from: date | None
    applies_until: date | None
    source: str


def _checked(values: ThresholdInput) -> dict:
    errors, checked = [], {}
    for field, limit, required in (("name", 200, "Enter a name"), ("description", 4000, None),
                                   ("source", 4000, "Say where the figure comes from")):
        try:
            checked[field] = clean_text(getattr(values, field), field, limit, required=required)
        except ServiceError as error:
            errors.append((error.field, error.message))
    try:
        typed = typed_number(values.amount)
        amount = round_money(to_decimal(typed)) if typed is not None else None
    except (ValueError, MoneyError):
        amount = None
    if amount is None or not 0 <= amount < MAX_THRESHOLD_AMOUNT:
        errors.append(("amount", "Enter the amount in pounds, like 173934.00"))
    checked["amount"] = amount
    try:
        checked["required_route"] = Route(values.required_route).value
    except ValueError:
        errors.append(("required_route", "Choose the route the threshold calls for"))
    days = whole_number((values.standstill_days or "").strip(), maximum=60)
    if days is None:
        errors.append(("standstill_days", "Enter the standstill as a whole number of days "
                                          "from 0 to 60"))
    else:
        checked["standstill_days"] = days
    if values.applies_from is None:
        errors.append(("applies_from", "Enter the date the threshold applies from"))
    elif values.applies_until is not None and values.applies_until < values.applies_from:
        errors.append(("applies_until", "The last day must be on or after the first"))
    checked["applies_from"], checked["applies_until"] = values.applies_from, values.applies_until
    if errors:
        raise FieldErrors(errors)
    return checked


@transactional
def save_threshold(actor: User, threshold: ProcurementThreshold | None,
                   values: ThresholdInput) -> ProcurementThreshold:
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only administrators keep the procurement thresholds")
    checked = _checked(values)
    if threshold is None:
        threshold = ProcurementThreshold(**checked)
        db.session.add(threshold)
        changes = {key: [None, value] for key, value in checked.items()}
        verb = "added"
    else:
        changes = {key: [getattr(threshold, key), value] for key, value in checked.items()
                   if getattr(threshold, key) != value}
        if not changes:
            return threshold
        for key, (_old, value) in changes.items():
            setattr(threshold, key, value)
        verb = "changed"
    record_event(f"procurement_threshold.{verb}", threshold,
                 f"{actor.full_name} {verb} the procurement threshold “{checked['name']}”",
                 changes=changes, actor=actor)
    return threshold
