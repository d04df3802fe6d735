"""Variations of a signed agreement: one party proposes a change of annual value, end date
or KPI targets with a reason; the other agrees (making the next version) or declines with a reason.

The agreement row keeps the signed original (its terms never change once signed,
models/buying.py); the versions are the original overlaid with each agreed variation in turn
(domain/variations.py). One open proposal at a time per agreement; answering is under the
variation's lock_version, and a version number is unique per agreement, so two answers at
once cannot both win. Each change is one transaction with its audit event.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.domain import variations as rules
from marketplace.domain.variations import Change, Terms
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementKpi,
    AgreementLine,
    AgreementStatus,
    AgreementVariation,
    VariationStatus,
)
from marketplace.policies import require

from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import ServiceError
from .transaction import check_version, on_conflict, transactional

VARIED = (AgreementStatus.SIGNED, AgreementStatus.FINAL)
MAX_REASON = 2000
OPEN_ALREADY = ("A variation of this agreement is already waiting for an answer: it must be "
                "agreed or declined before another is proposed.")
ANSWERED_MEANWHILE = (
    "Somebody else answered this variation after you opened it, so your answer was not "
    "saved. Check the variation as it is now."
)


@dataclass(frozen=True)
class Version:
    number: int
    terms: Terms
    variation: AgreementVariation | None  # None: the signed original


def with_kpis(agreement: Agreement) -> Agreement:
    """The agreement with both parties and its lines' KPIs (their targets are part of its
    terms), in one query: not a query per line."""
    db.session.scalars(
        select(Agreement).where(Agreement.id == agreement.id).options(
            joinedload(Agreement.ccg), joinedload(Agreement.provider),
            joinedload(Agreement.lines).joinedload(AgreementLine.kpis))
    ).unique().all()
    return agreement


def kpis_of(agreement: Agreement) -> list[AgreementKpi]:
    return [kpi for line in agreement.lines for kpi in line.kpis]


def kpi_names(agreement: Agreement) -> dict[int, str]:
    return {kpi.id: kpi.measure for kpi in kpis_of(agreement)}


def original_terms(agreement: Agreement) -> Terms:
    return Terms(agreement.start_date, agreement.end_date, agreement.annual_value,
                 tuple(sorted((kpi.id, kpi.target) for kpi in kpis_of(agreement)
                              if kpi.target is not None)))


def variations_of(agreement: Agreement) -> list[AgreementVariation]:
    return list(db.session.scalars(
        select(AgreementVariation).where(AgreementVariation.agreement_id == agreement.id)
        .order_by(AgreementVariation.id)))


def variations_by_agreement(agreements) -> dict[int, list[AgreementVariation]]:
    """Every variation of these agreements, by agreement id: one query for a list page."""
    ids = [agreement.id for agreement in agreements]
    found: dict[int, list[AgreementVariation]] = {agreement_id: [] for agreement_id in ids}
    if ids:
        for variation in db.session.scalars(
                select(AgreementVariation).where(AgreementVariation.agreement_id.in_(ids))
                .order_by(AgreementVariation.id)):
            found[variation.agreement_id].append(variation)
    return found


def versions(agreement: Agreement,
             variations: list[AgreementVariation] | None = None) -> list[Version]:
    """The agreement's versions; ``variations``, its variations when already read
    (variations_by_agreement)."""
    if variations is None:
        variations = variations_of(agreement)
    history = [Version(1, original_terms(agreement), None)]
    agreed = sorted((v for v in variations if v.status == VariationStatus.AGREED),
                    key=lambda v: v.version)
    for variation in agreed:
        history.append(Version(variation.version, rules.apply(
            history[-1].terms, variation.new_annual_value, variation.new_end_date,
            variation.kpi_targets), variation))
    return history


def _as_varied(changed, signed):
    """The value of a term as varied, as a column for a query about agreements: the latest
    agreed variation that changed it, else the signed one (as versions works it out), so
    that a list needs neither the variations nor the KPIs of its agreements."""
    latest = (
        select(changed)
        .where(AgreementVariation.agreement_id == Agreement.id,
               AgreementVariation.status == VariationStatus.AGREED.value,
               changed.is_not(None))
        .order_by(AgreementVariation.version.desc()).limit(1)
        .correlate(Agreement).scalar_subquery()
    )
    return func.coalesce(latest, signed)


def current_end_date():
    return _as_varied(AgreementVariation.new_end_date, Agreement.end_date)


def current_annual_value():
    return _as_varied(AgreementVariation.new_annual_value, Agreement.annual_value)


def current_terms(agreement: Agreement) -> Terms:
    return versions(agreement)[-1].terms


def open_proposal(agreement: Agreement,
                  variations: list[AgreementVariation] | None = None,
                  ) -> AgreementVariation | None:
    """``variations``: the agreement's variations when already read (variations_of)."""
    if variations is None:
        variations = variations_of(agreement)
    return next((v for v in variations if v.status == VariationStatus.PROPOSED), None)


def changes_of(variation: AgreementVariation) -> list[Change]:
    """What this variation changes (or would change) against the version before it."""
    history = versions(variation.agreement)
    if variation.status == VariationStatus.AGREED:
        before = next(v.terms for v in history if v.number == variation.version - 1)
    else:
        before = history[-1].terms
    return rules.diff(before, rules.apply(before, variation.new_annual_value,
                                          variation.new_end_date, variation.kpi_targets),
                      kpi_names(variation.agreement))


def _other_party(agreement: Agreement, organisation_id: int):
    return agreement.provider if organisation_id == agreement.ccg_id else agreement.ccg


@transactional
def propose(actor, agreement: Agreement, annual_value: Decimal | None, end_date: date | None,
            reason: str, kpi_targets: dict[int, Decimal] | None = None) -> AgreementVariation:
    require(actor, "party", agreement,
            f"Only {agreement.ccg.name} and {agreement.provider.name} vary this agreement")
    if agreement.status not in VARIED:
        raise ServiceError(f"Agreement {agreement.reference} is {agreement.status_label.lower()}"
                           ": only an agreement signed by both parties, and not ended, can be "
                           "varied.")
    if open_proposal(agreement) is not None:
        raise ServiceError(OPEN_ALREADY)
    # Two proposals at once both pass the check above; the partial unique index
    # (uq_agreement_variation_one_open) keeps only one.
    on_conflict(AgreementVariation, OPEN_ALREADY)
    terms = current_terms(agreement)
    errors = []
    if annual_value is not None and annual_value <= 0:
        errors.append(("annual_value", "The new annual value must be more than £0"))
    if end_date is not None:
        message = rules.varied_term_error(agreement.start_date, end_date)
        if message:
            errors.append(("end_date", message))
        elif end_date < clock.in_uk(clock.now()).date():
            errors.append(("end_date", "The new end date cannot be in the past"))
    kpis = {kpi.id: kpi for kpi in kpis_of(agreement)}
    for kpi_id, target in (kpi_targets or {}).items():
        kpi = kpis.get(kpi_id)
        if kpi is None:
            errors.append((f"kpi_{kpi_id}", "That KPI is not part of this agreement"))
        elif target < 0 or (kpi.unit == "percent" and target > 100):
            bounds = "between 0 and 100" if kpi.unit == "percent" else "0 or more"
            errors.append((f"kpi_{kpi_id}", f"The target for {kpi.measure} must be {bounds}"))
    try:
        reason = clean_text(reason, "reason", MAX_REASON,
                            required="Say why the agreement should be varied")
    except ServiceError as error:
        errors.append((error.field, error.message))
    if not errors and not rules.is_change(terms, annual_value, end_date, kpi_targets):
        errors.append(("annual_value", "Enter a new annual value, end date or KPI target "
                                       "different from the agreement's current terms"))
    if errors:
        raise FieldErrors(errors)
    variation = AgreementVariation(
        agreement=agreement, new_annual_value=annual_value, new_end_date=end_date,
        new_kpi_targets={str(k): str(v) for k, v in kpi_targets.items()} if kpi_targets
        else None, reason=reason, proposed_at=clock.now(), proposed_by_id=actor.id,
        proposed_for_id=actor.organisation_id)
    db.session.add(variation)
    db.session.flush()
    record_event(
        "agreement_variation.proposed", agreement,
        f"{actor.full_name} of {actor.organisation.name} proposed a variation of agreement "
        f"{agreement.reference} to "
        f"{_other_party(agreement, actor.organisation_id).name}: "
        + "; ".join(f"{c.label.lower()} {c.before} to {c.after}"
                    for c in rules.diff(terms, rules.apply(terms, annual_value, end_date,
                                                           kpi_targets), kpi_names(agreement))),
        changes={"variation_id": variation.id,
                 "annual_value": str(annual_value) if annual_value is not None else None,
                 "end_date": end_date.isoformat() if end_date else None}, actor=actor)
    return variation


@transactional
def answer(actor, variation: AgreementVariation, expected_lock_version: int | None,
           agree: bool, decline_reason: str = "") -> AgreementVariation:
    agreement = variation.agreement
    other = _other_party(agreement, variation.proposed_for_id)
    require(actor, "answer", variation,
            f"Only {other.name} answers this variation: it was proposed by "
            f"{variation.proposed_for.name}")
    check_version(variation, expected_lock_version, ANSWERED_MEANWHILE)
    if variation.status != VariationStatus.PROPOSED:
        raise ServiceError(f"This variation has already been {variation.status}")
    if agreement.status not in VARIED:
        raise ServiceError(f"Agreement {agreement.reference} has ended: it cannot be varied")
    before = current_terms(agreement)
    if agree:
        # The limit is checked again: another variation may have been agreed since.
        if variation.new_end_date is not None:
            message = rules.varied_term_error(agreement.start_date, variation.new_end_date)
            if message:
                raise ServiceError(message)
        on_conflict(AgreementVariation, ANSWERED_MEANWHILE)
        next_version = versions(agreement)[-1].number + 1
        variation.status = VariationStatus.AGREED
        variation.version = next_version
    else:
        decline_reason = clean_text(decline_reason, "decline_reason", MAX_REASON,
                                    required="Say why you decline the variation")
        variation.status = VariationStatus.DECLINED
        variation.decline_reason = decline_reason
    variation.answered_at = clock.now()
    variation.answered_by_id = actor.id
    after = rules.apply(before, variation.new_annual_value, variation.new_end_date,
                        variation.kpi_targets)
    record_event(
        f"agreement_variation.{variation.status}", agreement,
        f"{actor.full_name} of {actor.organisation.name} {variation.status} the variation of "
        f"agreement {agreement.reference} proposed by {variation.proposed_for.name}"
        + (f": it is now version {variation.version}" if agree else ""),
        changes={"variation_id": variation.id, "status": ["proposed", variation.status],
                 "version": variation.version,
                 "changes": [[c.label, c.before, c.after]
                             for c in rules.diff(before, after, kpi_names(agreement))],
                 "reason": variation.decline_reason or None}, actor=actor)
    return variation
