"""The key performance indicators an agreement carries, per line.

Drafted from the offer's service levels when the agreement is drafted from an award; the CCG
that drafts the agreement checks and changes them while it is a draft (add, change, remove),
and cannot sign it while a KPI has no target. Once the CCG signs they are frozen with the rest
of the terms (and models/frozen.py refuses any flush that would change them). Each change is
one transaction with its audit event, and moves the agreement's lock_version on, so a change
made on a page read before somebody else's (another KPI edit, or the signature) is refused.
"""

from dataclasses import dataclass
from decimal import Decimal

from marketplace.domain.service_levels import (
    Direction,
    FigureError,
    Frequency,
    Unit,
    kpi_from_service_level,
    parse_figure,
)
from marketplace.extensions import db
from marketplace.models import Agreement, AgreementKpi, AgreementLine, AgreementStatus, Offer
from marketplace.models.base import utcnow
from marketplace.policies import require

from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import ServiceError
from .transaction import check_version, transactional

MAX_KPIS_PER_LINE = 10
MAX_MEASURE = 200
ONLY_THE_CCG = "Only the CCG's own users can change the service levels of its agreements"
STALE_MESSAGE = (
    "Somebody else changed this agreement after you opened it. Your change was not saved: "
    "check the service levels as they are now and make your change again."
)


@dataclass(frozen=True)
class KpiInput:
    measure: str
    unit: str
    target: str
    direction: str
    tolerance: str = ""
    frequency: str = Frequency.MONTHLY


def kpis_from_offer(offer: Offer | None) -> list[AgreementKpi]:
    """Draft KPIs from an offer's service levels, a best reading for the CCG to check."""
    kpis = []
    for level in (offer.service_levels if offer is not None else None) or []:
        measure = (level.get("measure") or "").strip()
        target = (level.get("target") or "").strip()
        if not measure:
            continue
        draft = kpi_from_service_level(measure, target)
        kpis.append(AgreementKpi(
            measure=draft.measure, unit=draft.unit, target=draft.target,
            direction=draft.direction, tolerance=Decimal(0), frequency=draft.frequency,
            offer_wording=f"{measure}: {target}" if target else measure))
    return kpis[:MAX_KPIS_PER_LINE]


def _choice(enum, value, field: str, message: str):
    try:
        return enum(value)
    except ValueError:
        raise ServiceError(message, field=field) from None


def _checked(data: KpiInput) -> dict:
    """The KPI's columns from the form's text, or every field's refusal at once."""
    errors: list[tuple[str, str]] = []
    values: dict = {}

    def attempt(field, read):
        try:
            values[field] = read()
        except ServiceError as error:
            errors.append((error.field or field, error.message))
        except FigureError as error:
            errors.append((field, error.message))

    attempt("measure", lambda: clean_text(data.measure, "measure", MAX_MEASURE,
                                          required="Enter what is measured"))
    attempt("unit", lambda: _choice(Unit, data.unit, "unit", "Choose the unit"))
    attempt("direction", lambda: _choice(Direction, data.direction, "direction",
                                         "Choose whether higher or lower is better"))
    attempt("frequency", lambda: _choice(Frequency, data.frequency, "frequency",
                                         "Choose how often it is reported"))
    unit = values.get("unit")
    if unit is not None:
        attempt("target", lambda: parse_figure(data.target, unit, "the target"))
        attempt("tolerance", lambda: parse_figure(data.tolerance or "0", unit,
                                                  "the tolerance"))
    if errors:
        raise FieldErrors(errors)
    return values


def _check_can_change(actor, agreement: Agreement, expected_lock_version) -> None:
    require(actor, "edit", agreement, ONLY_THE_CCG)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    if agreement.status != AgreementStatus.DRAFT:
        raise ServiceError(
            f"Agreement {agreement.reference} is {agreement.status_label.lower()}: its "
            "service levels cannot change any more.")


def _touch(agreement: Agreement) -> None:
    # A KPI is a term of the agreement: changing one moves the agreement's lock_version on,
    # so a signature (or another edit) based on the page before this change is refused.
    agreement.updated_at = utcnow()


def _describe(kpi: AgreementKpi) -> dict:
    return {"measure": kpi.measure, "unit": kpi.unit, "target": kpi.target,
            "direction": kpi.direction, "tolerance": kpi.tolerance, "frequency": kpi.frequency}


@transactional
def add_kpi(actor, agreement: Agreement, expected_lock_version, line: AgreementLine,
            data: KpiInput) -> AgreementKpi:
    _check_can_change(actor, agreement, expected_lock_version)
    if line.agreement_id != agreement.id:
        raise ServiceError("That line is not part of this agreement")
    if len(line.kpis) >= MAX_KPIS_PER_LINE:
        raise ServiceError(f"A line can have at most {MAX_KPIS_PER_LINE} service levels")
    kpi = AgreementKpi(**_checked(data))
    line.kpis.append(kpi)
    _touch(agreement)
    db.session.flush()
    record_event("agreement.kpi_added", agreement,
                 f"{actor.full_name} added service level “{kpi.measure}” to "
                 f"{line.specification.name} in draft agreement {agreement.reference}",
                 changes={"kpi_id": kpi.id, "line_id": line.id, **_describe(kpi)}, actor=actor)
    return kpi


@transactional
def update_kpi(actor, kpi: AgreementKpi, expected_lock_version, data: KpiInput) -> AgreementKpi:
    agreement = kpi.agreement
    _check_can_change(actor, agreement, expected_lock_version)
    values = _checked(data)
    changes = {name: [getattr(kpi, name), value] for name, value in values.items()
               if getattr(kpi, name) != value}
    if not changes:
        return kpi
    for name, (_old, value) in changes.items():
        setattr(kpi, name, value)
    _touch(agreement)
    record_event("agreement.kpi_changed", agreement,
                 f"{actor.full_name} changed service level “{kpi.measure}” in draft "
                 f"agreement {agreement.reference}",
                 changes={"kpi_id": kpi.id, **changes}, actor=actor)
    return kpi


@transactional
def remove_kpi(actor, kpi: AgreementKpi, expected_lock_version) -> None:
    agreement = kpi.agreement
    _check_can_change(actor, agreement, expected_lock_version)
    described = _describe(kpi)
    kpi.line.kpis.remove(kpi)
    _touch(agreement)
    record_event("agreement.kpi_removed", agreement,
                 f"{actor.full_name} removed service level “{described['measure']}” from "
                 f"draft agreement {agreement.reference}",
                 changes={"kpi_id": kpi.id, **described}, actor=actor)


def kpis_without_target(agreement: Agreement) -> list[AgreementKpi]:
    return [kpi for line in agreement.lines for kpi in line.kpis if kpi.target is None]
