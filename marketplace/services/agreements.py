"""Service level agreements between a CCG and a CSS, and what they mean for the CSS.

A CCG drafts an agreement for offers of one provider's current published version, signs it,
makes it final, or ends it. Each change is one transaction with its audit event. Once signed
an agreement's terms never change; only its status moves on. Agreement carries a lock_version
so that a save based on a page read before somebody else's change is refused, not lost.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from marketplace.domain import agreement_terms
from marketplace.domain.market_share import MarketShare, contracted_income, market_share
from marketplace.domain.money import MoneyError, format_money, round_money, to_decimal
from marketplace.domain.pricing import MAX_ANNUAL
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    Organisation,
    OrganisationKind,
)
from marketplace.models.base import utcnow
from marketplace.policies import require

from .audit import record_event
from .errors import ServiceError
from .offers_for_buyers import annual_cost, ccg_population, current_offer
from .transaction import check_version, transactional

ONLY_OWN_USERS = "Only the CCG's own users can make its agreements"

# Agreements that bring the CSS income: signed, or signed and made final.
CONTRACTED = (AgreementStatus.SIGNED.value, AgreementStatus.FINAL.value)

TRANSITIONS = {
    AgreementStatus.DRAFT: {AgreementStatus.SIGNED},
    AgreementStatus.SIGNED: {AgreementStatus.FINAL, AgreementStatus.ENDED},
    AgreementStatus.FINAL: {AgreementStatus.ENDED},
    AgreementStatus.ENDED: set(),
}
TRANSITION_VERBS = {
    AgreementStatus.SIGNED: "signed",
    AgreementStatus.FINAL: "made final",
    AgreementStatus.ENDED: "ended",
}

STALE_MESSAGE = (
    "Somebody else changed this agreement after you opened it. Your change was not saved: "
    "check the agreement as it is now and make your change again."
)


@dataclass(frozen=True)
class AgreementTerms:
    start_date: date | None
    end_date: date | None
    # None: take the value computed from the offers.
    annual_value: Decimal | str | None = None
    value_change_reason: str = ""


def _check_dates(terms: AgreementTerms) -> None:
    errors = agreement_terms.date_errors(terms.start_date, terms.end_date)
    if errors:
        field, message = errors[0]
        raise ServiceError(message, field=field)


def _agreed_value(terms: AgreementTerms, computed: Decimal) -> tuple[Decimal, str]:
    """The agreed annual value and the reason recorded for it differing from the computed one."""
    if terms.annual_value is None or terms.annual_value == "":
        return computed, ""
    try:
        value = round_money(to_decimal(terms.annual_value))
    except MoneyError as error:
        raise ServiceError(
            "Enter the annual value as an amount of money, like 125000.00", field="annual_value"
        ) from error
    if value < 0:
        raise ServiceError("The annual value cannot be negative", field="annual_value")
    if value > MAX_ANNUAL:
        raise ServiceError(
            f"The annual value must be at most {format_money(MAX_ANNUAL)}", field="annual_value"
        )
    if value == computed:
        return computed, ""
    reason = (terms.value_change_reason or "").strip()
    if not reason:
        raise ServiceError(
            f"Give a reason for agreeing {format_money(value)} a year rather than the "
            f"{format_money(computed)} the offers come to",
            field="value_change_reason",
        )
    return value, reason


def _new_reference(ccg: Organisation) -> str:
    # Two people of one CCG drafting at once would both count the same references and the
    # second commit would fail on the unique reference. Locking the CCG's row until this
    # transaction ends numbers one draft at a time (PostgreSQL; SQLite writes one at a time).
    db.session.execute(
        select(Organisation.id).where(Organisation.id == ccg.id).with_for_update()
    )
    prefix = f"SLA-{ccg.ods_code or ccg.id}-"
    taken = set(
        db.session.scalars(
            select(Agreement.reference).where(Agreement.reference.like(prefix + "%"))
        )
    )
    number = len(taken) + 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    return f"{prefix}{number:03d}"


def _offers_for_agreement(offer_ids: Iterable[int]):
    ids = list(dict.fromkeys(offer_ids))
    if not ids:
        raise ServiceError("Choose at least one offer for the agreement", field="offer_ids")
    offers = [current_offer(offer_id, field="offer_ids") for offer_id in ids]
    providers = {offer.organisation_id for offer in offers}
    if len(providers) > 1:
        names = sorted({offer.organisation.name for offer in offers})
        raise ServiceError(
            "An agreement is with one provider, but these offers come from "
            + " and ".join(names)
            + ". Make a separate agreement with each.",
            field="offer_ids",
        )
    return offers


@transactional
def create_agreement(actor, ccg: Organisation, offer_ids: Iterable[int], terms: AgreementTerms):
    """Draft an agreement for offers of one provider's current published version."""
    require(actor, "act_for_ccg", ccg, ONLY_OWN_USERS)
    offers = _offers_for_agreement(offer_ids)
    _check_dates(terms)
    population = ccg_population(ccg)
    lines = [
        AgreementLine(
            offer=offer,
            specification_id=offer.specification_id,
            annual_cost=annual_cost(offer, population),
        )
        for offer in offers
    ]
    computed = round_money(sum((line.annual_cost for line in lines), Decimal(0)))
    value, reason = _agreed_value(terms, computed)
    provider = offers[0].organisation
    agreement = Agreement(
        reference=_new_reference(ccg),
        ccg=ccg,
        provider=provider,
        status=AgreementStatus.DRAFT,
        start_date=terms.start_date,
        end_date=terms.end_date,
        computed_annual_value=computed,
        annual_value=value,
        value_change_reason=reason,
        lines=lines,
    )
    db.session.add(agreement)
    record_event(
        "agreement.drafted",
        agreement,
        f"{ccg.name} drafted agreement {agreement.reference} with {provider.name} for "
        f"{format_money(value)} a year",
        changes={
            "offers": [offer.id for offer in offers],
            "start_date": terms.start_date,
            "end_date": terms.end_date,
            "computed_annual_value": computed,
            "annual_value": value,
            "value_change_reason": reason,
        },
        actor=actor,
    )
    return agreement


@transactional
def update_agreement(actor, agreement: Agreement, expected_lock_version, terms: AgreementTerms):
    """Change a draft's dates or agreed value."""
    require(actor, "act_for_ccg", agreement.ccg, ONLY_OWN_USERS)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    if agreement.status != AgreementStatus.DRAFT:
        raise ServiceError(
            f"Agreement {agreement.reference} is {agreement.status_label.lower()}: its terms "
            "cannot change any more, only its status."
        )
    _check_dates(terms)
    value, reason = _agreed_value(terms, agreement.computed_annual_value)
    new = {
        "start_date": terms.start_date,
        "end_date": terms.end_date,
        "annual_value": value,
        "value_change_reason": reason,
    }
    changes = {
        name: [getattr(agreement, name), value]
        for name, value in new.items()
        if getattr(agreement, name) != value
    }
    if not changes:
        return agreement
    for name, (_old, value) in changes.items():
        setattr(agreement, name, value)
    record_event(
        "agreement.updated",
        agreement,
        f"{agreement.ccg.name} changed draft agreement {agreement.reference}",
        changes=changes,
        actor=actor,
    )
    return agreement


@transactional
def change_status(actor, agreement: Agreement, expected_lock_version, new_status: str):
    """Move an agreement on: sign a draft, make a signed agreement final, or end it."""
    require(actor, "act_for_ccg", agreement.ccg, ONLY_OWN_USERS)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    try:
        target = AgreementStatus(new_status)
    except ValueError as error:
        raise ServiceError("Choose what to do with the agreement", field="status") from error
    current = AgreementStatus(agreement.status)
    if target not in TRANSITIONS[current]:
        raise ServiceError(
            f"Agreement {agreement.reference} is {current.label.lower()}, so it cannot be "
            f"{TRANSITION_VERBS.get(target, target.value)}",
            field="status",
        )
    agreement.status = target
    if target == AgreementStatus.SIGNED:
        agreement.signed_at = utcnow()
    record_event(
        f"agreement.{target.value}",
        agreement,
        f"{agreement.ccg.name} {TRANSITION_VERBS[target]} agreement {agreement.reference} "
        f"with {agreement.provider.name}",
        changes={"status": [current.value, target.value]},
        actor=actor,
    )
    return agreement


def agreements_for_ccg(ccg: Organisation) -> list[Agreement]:
    return db.session.scalars(
        select(Agreement)
        .where(Agreement.ccg_id == ccg.id)
        .order_by(Agreement.start_date.desc(), Agreement.id.desc())
    ).all()


def term_warning(agreement: Agreement) -> str | None:
    return agreement_terms.term_warning(agreement.start_date, agreement.end_date)


# What the CSS sees, and what checkpoints compare business plans with.


@dataclass(frozen=True)
class ContractedValue:
    ccg_id: int
    provider_id: int
    annual_value: Decimal


def contracted_values(
    *, provider_ids: Iterable[int] | None = None, ccg_ids: Iterable[int] | None = None
) -> list[ContractedValue]:
    """Annual value under signed and final agreements, per CCG and provider pair."""
    statement = (
        select(Agreement.ccg_id, Agreement.provider_id, Agreement.annual_value)
        .where(Agreement.status.in_(CONTRACTED))
        .order_by(Agreement.ccg_id, Agreement.provider_id, Agreement.id)
    )
    if provider_ids is not None:
        statement = statement.where(Agreement.provider_id.in_(list(provider_ids)))
    if ccg_ids is not None:
        statement = statement.where(Agreement.ccg_id.in_(list(ccg_ids)))
    totals: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for ccg_id, provider_id, value in db.session.execute(statement):
        totals[(ccg_id, provider_id)].append(value)
    return [
        ContractedValue(ccg_id, provider_id, contracted_income(values))
        for (ccg_id, provider_id), values in totals.items()
    ]


def agreement_values_by_ccg(ccg_ids: Iterable[int]) -> dict[int, dict[int, Decimal]]:
    """CCG id → provider id → annual value the CCG has contracted (signed or final)."""
    ids = list(ccg_ids)
    result: dict[int, dict[int, Decimal]] = {ccg_id: {} for ccg_id in ids}
    for row in contracted_values(ccg_ids=ids):
        result[row.ccg_id][row.provider_id] = row.annual_value
    return result


def contracted_income_by_customer(provider_id: int) -> dict[int, Decimal]:
    """CCG id → annual value a provider has contracted with it (signed or final)."""
    return {row.ccg_id: row.annual_value for row in contracted_values(provider_ids=[provider_id])}


@dataclass(frozen=True)
class CustomerSummary:
    provider: Organisation
    agreements: list[Agreement]
    contracted_income: Decimal
    share: MarketShare
    region_name: str | None


def customer_summary(provider: Organisation) -> CustomerSummary:
    agreements = db.session.scalars(
        select(Agreement)
        .where(Agreement.provider_id == provider.id)
        .order_by(Agreement.status, Agreement.start_date.desc(), Agreement.id)
    ).all()
    contracted = [agreement for agreement in agreements if agreement.status in CONTRACTED]
    region_populations = {}
    if provider.region_id is not None:
        region_populations = dict(
            db.session.execute(
                select(Organisation.id, func.coalesce(Organisation.population, 0)).where(
                    Organisation.kind == OrganisationKind.CCG,
                    Organisation.region_id == provider.region_id,
                )
            ).all()
        )
    return CustomerSummary(
        provider=provider,
        agreements=list(agreements),
        contracted_income=contracted_income(agreement.annual_value for agreement in contracted),
        share=market_share(region_populations, {agreement.ccg_id for agreement in contracted}),
        region_name=provider.region.name if provider.region else None,
    )


def offer_choices(ccg: Organisation, extra_offer_ids: Iterable[int] = ()) -> list:
    """Offers a CCG can put in a new agreement: its shortlisted offers that are still current,
    and any others asked for (for example from a comparison), costed at its population."""
    from .offers_for_buyers import priced, visible_offer
    from .shortlists import shortlists_for

    offers = {}
    for shortlist in shortlists_for(ccg):
        for entry in shortlist.entries:
            offers[entry.offer_id] = entry.offer
    for offer_id in extra_offer_ids:
        try:
            offers[offer_id] = visible_offer(offer_id)
        except ServiceError:
            continue
    population = ccg_population(ccg)
    current = [offer for offer in offers.values() if offer.is_published]
    current.sort(key=lambda offer: (offer.organisation.name, offer.specification.name, offer.id))
    return [priced(offer, population) for offer in current]
