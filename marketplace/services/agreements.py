"""Service level agreements between a CCG and a CSS, and what they mean for the CSS.

Agreements are drafted from an award (services/agreements_from_awards.py): a competition's,
or a direct award's with its rationale; there is no other way to make one. The CCG may change
a draft's dates or agreed value and signs it; the provider then countersigns in its own
account, or declines with a reason (the draft goes back to the CCG). Once signed by both, the
CCG can make it final or end it. Each change is one transaction with its audit event. Once signed
an agreement's terms never change; only its status moves on. Agreement carries a lock_version
so that a save based on a page read before somebody else's change is refused, not lost.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from marketplace import clock
from marketplace.domain import agreement_terms
from marketplace.domain.market_share import MarketShare, contracted_income, market_share
from marketplace.domain.money import MoneyError, format_money, round_money, to_decimal
from marketplace.domain.pricing import MAX_ANNUAL
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementLine,
    AgreementStatus,
    Offer,
    Organisation,
    OrganisationKind,
    Region,
)
from marketplace.policies import require

from . import notifications
from .audit import record_event
from .buying_common import clean_text
from .ending import end_column
from .errors import ServiceError
from .transaction import check_version, transactional

ONLY_OWN_USERS = "Only the CCG's own users can make its agreements"

# Agreements that bring the CSS income: signed, or signed and made final.
CONTRACTED = (AgreementStatus.SIGNED.value, AgreementStatus.FINAL.value)

# What the CCG moves on by itself once both parties have signed. Signing is two steps in two
# accounts (sign_for_ccg, then countersign or decline_to_countersign), never a status change.
TRANSITIONS = {
    AgreementStatus.DRAFT: set(),
    AgreementStatus.AWAITING_COUNTERSIGNATURE: set(),
    AgreementStatus.SIGNED: {AgreementStatus.FINAL, AgreementStatus.ENDED},
    AgreementStatus.FINAL: {AgreementStatus.ENDED},
    AgreementStatus.ENDED: set(),
}
TRANSITION_VERBS = {
    AgreementStatus.SIGNED: "signed",
    AgreementStatus.FINAL: "made final",
    AgreementStatus.ENDED: "ended",
}
MAX_DECLINE_REASON = 2000

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



def with_lines(agreement: Agreement) -> Agreement:
    """The agreement with what its page shows, in two queries: both parties, the procurement
    it came from and who signed it; then its lines with each line's specification, offer and
    KPIs (not a query per line, nor one per party). Two, not one: PostgreSQL takes longer to
    plan all those joins together than to run both."""
    db.session.scalars(
        select(Agreement).where(Agreement.id == agreement.id).options(
            joinedload(Agreement.ccg), joinedload(Agreement.provider),
            joinedload(Agreement.procurement), joinedload(Agreement.ccg_signed_by),
            joinedload(Agreement.provider_signed_by),
            selectinload(Agreement.lines).options(
                joinedload(AgreementLine.specification),
                joinedload(AgreementLine.offer).joinedload(Offer.prospectus_version),
                joinedload(AgreementLine.kpis)))
    ).unique().all()
    return agreement


def _check_ccg_actor(actor, ccg: Organisation) -> None:
    require(actor, "act_for_ccg", ccg, ONLY_OWN_USERS)


def _check_provider_actor(actor, agreement: Agreement) -> None:
    # In its own account: only the provider's leaders countersign, never the CCG for it.
    require(actor, "act_for_provider", agreement.provider,
            f"Only leaders of {agreement.provider.name} can countersign this agreement")


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


def new_reference(ccg: Organisation) -> str:
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


@transactional
def update_agreement(actor, agreement: Agreement, expected_lock_version, terms: AgreementTerms):
    """Change a draft's dates or agreed value."""
    _check_ccg_actor(actor, agreement.ccg)
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
    _check_ccg_actor(actor, agreement.ccg)
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
    record_event(
        f"agreement.{target.value}",
        agreement,
        f"{agreement.ccg.name} {TRANSITION_VERBS[target]} agreement {agreement.reference} "
        f"with {agreement.provider.name}",
        changes={"status": [current.value, target.value]},
        actor=actor,
    )
    return agreement


def _check_status(agreement: Agreement, wanted: AgreementStatus, doing: str) -> None:
    if agreement.status != wanted:
        raise ServiceError(
            f"Agreement {agreement.reference} is {agreement.status_label.lower()}, so it "
            f"cannot be {doing}.", field="status")


@transactional
def sign_for_ccg(actor, agreement: Agreement, expected_lock_version) -> Agreement:
    """The CCG signs its draft; it then waits for the provider to countersign."""
    _check_ccg_actor(actor, agreement.ccg)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    _check_status(agreement, AgreementStatus.DRAFT, "signed by the CCG")
    if not agreement.lines:
        raise ServiceError("An agreement needs at least one line to be signed", field="status")
    from .service_levels import kpis_without_target

    unset = kpis_without_target(agreement)
    if unset:
        raise ServiceError(
            f"Set a target for service level “{unset[0].measure}” before signing: the offer "
            "named none", field="status")
    from .affordability import for_signing

    # The figures the CCG saw at the gate, kept with its signature (the gate warns, it does
    # not refuse: whether to commit beyond the headroom is the CCG's decision).
    affordable = for_signing(agreement).affordability
    agreement.status = AgreementStatus.AWAITING_COUNTERSIGNATURE
    agreement.ccg_signed_at = clock.now()
    agreement.ccg_signed_by_id = actor.id
    record_event(
        "agreement.signed_by_ccg", agreement,
        f"{actor.full_name} signed agreement {agreement.reference} for {agreement.ccg.name}; "
        f"it waits for {agreement.provider.name} to countersign",
        changes={"status": [AgreementStatus.DRAFT.value, agreement.status],
                 "annual_value": agreement.annual_value,
                 "kpis": {str(kpi.id): f"{kpi.measure}: {kpi.target_text} "
                          f"({kpi.direction_label.lower()}, tolerance {kpi.tolerance_text}, "
                          f"{kpi.frequency_label.lower()})"
                          for line in agreement.lines for kpi in line.kpis},
                 "value_over_term": agreement.value_over_term,
                 "term_warning": term_warning(agreement),
                 "affordability": affordable.as_record(),
                 "affordability_warning": affordable.warning},
        actor=actor)
    notifications.agreement_to_countersign(agreement)
    return agreement


@transactional
def countersign(actor, agreement: Agreement, expected_lock_version) -> Agreement:
    """The provider countersigns, in its own account: the agreement binds both parties, and
    (for one that came from a procurement) its contract release is published."""
    from .ocds_releases import record_contract_release

    _check_provider_actor(actor, agreement)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    _check_status(agreement, AgreementStatus.AWAITING_COUNTERSIGNATURE, "countersigned")
    now = clock.now()
    agreement.status = AgreementStatus.SIGNED
    agreement.provider_signed_at = now
    agreement.provider_signed_by_id = actor.id
    agreement.signed_at = now
    db.session.flush()
    if agreement.procurement_id is not None:
        record_contract_release(agreement)
    record_event(
        "agreement.countersigned", agreement,
        f"{actor.full_name} countersigned agreement {agreement.reference} for "
        f"{agreement.provider.name}: it is signed by both parties",
        changes={"status": [AgreementStatus.AWAITING_COUNTERSIGNATURE.value, agreement.status]},
        actor=actor)
    return agreement


@transactional
def decline_to_countersign(actor, agreement: Agreement, expected_lock_version,
                           reason) -> Agreement:
    """The provider refuses to countersign, saying why: the agreement goes back to the CCG
    as a draft (its signature cleared) to change and sign again."""
    _check_provider_actor(actor, agreement)
    check_version(agreement, expected_lock_version, STALE_MESSAGE)
    _check_status(agreement, AgreementStatus.AWAITING_COUNTERSIGNATURE, "declined")
    reason = clean_text(reason, "reason", MAX_DECLINE_REASON,
                        required="Say why you are not countersigning")
    agreement.status = AgreementStatus.DRAFT
    agreement.ccg_signed_at = None
    agreement.ccg_signed_by_id = None
    agreement.provider_declined_at = clock.now()
    agreement.provider_declined_by_id = actor.id
    agreement.provider_decline_reason = reason
    record_event(
        "agreement.countersignature_declined", agreement,
        f"{actor.full_name} of {agreement.provider.name} declined to countersign agreement "
        f"{agreement.reference}; it is a draft again for {agreement.ccg.name}",
        changes={"status": [AgreementStatus.AWAITING_COUNTERSIGNATURE.value, agreement.status],
                 "reason": reason},
        actor=actor)
    return agreement


def _for_a_list(counterparty):
    """Loaded with a list of agreements: the other party, in the same query."""
    return (joinedload(counterparty),)


def agreements_for_ccg(ccg: Organisation) -> tuple[list[Agreement], dict[int, date]]:
    """The CCG's agreements, and the day each ends (ending.end_column), in one query."""
    rows = db.session.execute(
        select(Agreement, end_column())
        .where(Agreement.ccg_id == ccg.id)
        .options(*_for_a_list(Agreement.provider))
        .order_by(Agreement.start_date.desc(), Agreement.id.desc())
    ).all()
    return [agreement for agreement, _end in rows], {agreement.id: end for agreement, end in rows}


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
class CustomerAgreement:
    """An agreement as the customers page lists it."""

    id: int
    reference: str
    status: str
    start_date: date
    end_date: date
    annual_value: Decimal
    signed_at: datetime | None
    ccg_id: int
    ccg_name: str
    ccg_ods_code: str | None
    ends_on: date  # the day it ends (ending.end_column)

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label


@dataclass(frozen=True)
class CustomerSummary:
    provider: Organisation
    agreements: list[CustomerAgreement]
    contracted_income: Decimal
    share: MarketShare
    region_name: str | None

    @property
    def ends(self) -> dict[int, date]:
        return {agreement.id: agreement.ends_on for agreement in self.agreements}


def customer_summary(provider: Organisation, as_of: datetime | None = None) -> CustomerSummary:
    """The provider's agreements, income and market share; ``as_of``: only agreements signed
    by then count as contracted (an issued review shows the market as it was at sign-off).
    The agreements as plain rows with their CCG's name, in one query."""
    agreements = [CustomerAgreement(*row) for row in db.session.execute(
        select(Agreement.id, Agreement.reference, Agreement.status, Agreement.start_date,
               Agreement.end_date, Agreement.annual_value, Agreement.signed_at,
               Agreement.ccg_id, Organisation.name, Organisation.ods_code, end_column())
        .join(Organisation, Organisation.id == Agreement.ccg_id)
        .where(Agreement.provider_id == provider.id)
        .order_by(Agreement.status, Agreement.start_date.desc(), Agreement.id)
    )]
    contracted = [agreement for agreement in agreements if agreement.status in CONTRACTED
                  and (as_of is None or (agreement.signed_at or as_of) <= as_of)]
    region_name, region_populations = _region_of(provider)
    return CustomerSummary(
        provider=provider,
        agreements=list(agreements),
        contracted_income=contracted_income(agreement.annual_value for agreement in contracted),
        share=market_share(region_populations, {agreement.ccg_id for agreement in contracted}),
        region_name=region_name,
    )


def market_share_as_of(provider: Organisation,
                       as_of: datetime | None = None) -> tuple[MarketShare, str | None]:
    """customer_summary's share and region name alone: the CCG ids under agreement and the
    region's populations, with no agreement, line or KPI loaded (a review's chart needs
    only these)."""
    contracted = Agreement.status.in_(CONTRACTED)
    if as_of is not None:
        contracted &= or_(Agreement.signed_at.is_(None), Agreement.signed_at <= as_of)
    customers = set(db.session.scalars(
        select(Agreement.ccg_id).where(Agreement.provider_id == provider.id, contracted)))
    region_name, region_populations = _region_of(provider)
    return market_share(region_populations, customers), region_name


def _region_of(provider: Organisation) -> tuple[str | None, dict[int, int]]:
    """The provider's region's name and its CCGs' populations by id, in one query (a region
    may have no CCG yet); (None, {}) for a provider with no region."""
    region_name, region_populations = None, {}
    if provider.region_id is not None:
        for name, ccg_id, population in db.session.execute(
            select(Region.name, Organisation.id, func.coalesce(Organisation.population, 0))
            .select_from(Region)
            .outerjoin(Organisation, and_(Organisation.region_id == Region.id,
                                          Organisation.kind == OrganisationKind.CCG))
            .where(Region.id == provider.region_id)
        ):
            region_name = name
            if ccg_id is not None:
                region_populations[ccg_id] = population
    return region_name, region_populations
