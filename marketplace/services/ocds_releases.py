"""OCDS 1.1 releases for procurements, stored as they were said at the time.

One procurement is one contracting process: ocid = ``ocds-cssmkt-`` + its reference, shared
by its tender release (when published), a tender cancellation, the award release (at award)
and one contract release per agreement (when both parties have signed it). Each release is an
immutable OcdsRelease row; the record's history is the list of them, and its compiled release
is what ``ocdsmerge`` makes of them (``compiled_release``).

Values are over the full term, never annual: the tender's estimated value, the award's value
(the winning bid's annual cost over the contract period) and each contract's (its agreed
annual value over its own dates).

Codes come from the OCDS 1.1 codelists: tender status "active", "cancelled", or
"unsuccessful" (closed with none of the responses suitable, in a "tenderUpdate"); method
"selective" when every provider with a published offer for the specifications may respond
(any supplier can qualify by publishing one), "limited" for a list the CCG chose;
award criteria "ratedCriteria" (weighted quality and price).
"""

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import cache
from importlib import resources

from sqlalchemy import func, select

from marketplace import clock
from marketplace.domain import agreement_terms
from marketplace.domain.money import round_money
from marketplace.domain.procurement import PRICE_FORMULA
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    OcdsRelease,
    Organisation,
    Procurement,
    ProcurementStatus,
    Route,
)

from . import statement_data

OCID_PREFIX = "ocds-cssmkt-"
ODS_SCHEME = "GB-NHS"
SPECIFICATION_SCHEME = "X-CSSMKT-SPECIFICATION"
TENDER_STATUS = {ProcurementStatus.CANCELLED.value: "cancelled",
                 ProcurementStatus.NONE_SUITABLE.value: "unsuccessful"}
# The release tag for a published tender's later news (OCDS 1.1 releaseTag codelist): a
# cancellation, or an update saying it ended without an award ("unsuccessful").
TENDER_TAGS = {ProcurementStatus.CANCELLED.value: "tenderCancellation",
               ProcurementStatus.NONE_SUITABLE.value: "tenderUpdate"}


def ocid_for(procurement: Procurement) -> str:
    return OCID_PREFIX + procurement.reference


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def day_end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def party_id(organisation: Organisation) -> str:
    if organisation.ods_code:
        return f"{ODS_SCHEME}-{organisation.ods_code}"
    return f"cssmkt-organisation-{organisation.id}"


def party(organisation: Organisation, roles: list[str]) -> dict:
    found = {"id": party_id(organisation), "name": organisation.name}
    if organisation.ods_code:
        found["identifier"] = {"scheme": ODS_SCHEME, "id": organisation.ods_code,
                               "legalName": organisation.name}
    found["roles"] = roles
    return found


def money(amount) -> dict:
    return {"amount": amount, "currency": "GBP"}


def _award_criteria_details(procurement: Procurement) -> str:
    weights = "; ".join(f"{c.name} ({c.kind}) {c.weight}%" for c in procurement.criteria)
    return f"{weights}. {PRICE_FORMULA}"


def _method(procurement: Procurement) -> str:
    if procurement.route == Route.DIRECT_AWARD:
        return "direct"
    return "selective" if procurement.open_to_all_providers else "limited"


def _method_details(procurement: Procurement) -> str:
    if procurement.route == Route.DIRECT_AWARD:
        return "Direct award from offers on the buyer's shortlist, evaluated by the buyer"
    if procurement.open_to_all_providers:
        return ("Further competition open to every provider with a published offer for the "
                "specifications")
    return "Further competition among providers invited by the buyer"


def tender(procurement: Procurement) -> dict:
    lead = procurement.lead_ccg
    section = {
        "id": procurement.reference,
        "title": procurement.title,
        "description": procurement.description or procurement.title,
        "status": TENDER_STATUS.get(procurement.status, "active"),
        "procuringEntity": {"id": party_id(lead), "name": lead.name},
        "items": [
            {
                "id": spec.code,
                "description": spec.name,
                "classification": {"scheme": SPECIFICATION_SCHEME, "id": spec.code,
                                   "description": spec.name},
            }
            for spec in statement_data.specifications(procurement.statement)
        ],
        "procurementMethod": _method(procurement),
        "procurementMethodDetails": _method_details(procurement),
        "procurementMethodRationale": procurement.route_reason or procurement.route_label,
        "mainProcurementCategory": "services",
        "awardCriteria": "ratedCriteria",
        "awardCriteriaDetails": _award_criteria_details(procurement),
        "submissionMethod": ["electronicSubmission"],
        "hasEnquiries": any(c.stage == "tender" for c in procurement.clarifications),
    }
    if procurement.budget_shown and procurement.estimated_value_full_term is not None:
        section["value"] = money(procurement.estimated_value_full_term)
    if procurement.published_at and procurement.closes_at:
        section["tenderPeriod"] = {"startDate": timestamp(procurement.published_at),
                                   "endDate": timestamp(procurement.closes_at)}
    if procurement.published_at and procurement.clarifications_close_at:
        section["enquiryPeriod"] = {"startDate": timestamp(procurement.published_at),
                                    "endDate": timestamp(procurement.clarifications_close_at)}
    if procurement.contract_start and procurement.contract_end:
        section["contractPeriod"] = {"startDate": day_start(procurement.contract_start),
                                     "endDate": day_end(procurement.contract_end)}
    return section


def _parties(procurement: Procurement) -> list[dict]:
    lead = procurement.lead_ccg
    found = [party(lead, ["buyer", "procuringEntity"])]
    partners = sorted(
        (p.ccg for p in procurement.statement.parties
         if p.ccg_id != lead.id and p.ccg_id in statement_data.party_ccg_ids(
             procurement.statement)),
        key=lambda org: org.name)
    found += [party(org, ["buyer"]) for org in partners]
    return found


def _next_release_id(procurement: Procurement, tag: str) -> str:
    count = db.session.scalar(select(func.count(OcdsRelease.id))
                              .where(OcdsRelease.procurement_id == procurement.id)) or 0
    return f"{ocid_for(procurement)}-{count + 1:02d}-{tag}"


def record_tender_release(procurement: Procurement) -> OcdsRelease:
    """Store the tender release as published now (a cancellation when it is cancelled, an
    update when it closed with none suitable); the caller commits it with the change."""
    tag = TENDER_TAGS.get(procurement.status, "tender")
    moment = (procurement.published_at if tag == "tender" and procurement.published_at
              else clock.now())
    lead = procurement.lead_ccg
    release = {
        "ocid": ocid_for(procurement),
        "id": _next_release_id(procurement, tag),
        "date": timestamp(moment),
        "tag": [tag],
        "initiationType": "tender",
        "language": "en",
        "parties": _parties(procurement),
        "buyer": {"id": party_id(lead), "name": lead.name},
        "tender": tender(procurement),
    }
    row = OcdsRelease(ocid=release["ocid"], release_id=release["id"], tag=tag,
                      published_at=moment, procurement_id=procurement.id, release=release)
    db.session.add(row)
    return row


def releases_for(procurement: Procurement) -> list[OcdsRelease]:
    return list(db.session.scalars(
        select(OcdsRelease).where(OcdsRelease.procurement_id == procurement.id)
        .order_by(OcdsRelease.published_at, OcdsRelease.id)))


# --- Award and contract -------------------------------------------------------------------


def award_id(procurement: Procurement) -> str:
    return f"{procurement.reference}-award"


def _store(procurement: Procurement, release: dict, tag: str, moment: datetime,
           agreement: Agreement | None = None) -> OcdsRelease:
    row = OcdsRelease(ocid=release["ocid"], release_id=release["id"], tag=tag,
                      published_at=moment, procurement_id=procurement.id,
                      agreement_id=agreement.id if agreement is not None else None,
                      release=release)
    db.session.add(row)
    return row


def _supplier_parties(procurement: Procurement, suppliers: list[Organisation]) -> list[dict]:
    return _parties(procurement) + [party(org, ["supplier"]) for org in suppliers]


def _item(specification, annual_cost: Decimal) -> dict:
    return {
        "id": specification.code,
        "description": specification.name,
        "classification": {"scheme": SPECIFICATION_SCHEME, "id": specification.code,
                           "description": specification.name},
        "quantity": 1,
        "unit": {"name": "year", "value": money(annual_cost)},
    }


def _period(start: date, end: date) -> dict:
    return {"startDate": day_start(start), "endDate": day_end(end)}


def award_value_over_term(procurement: Procurement) -> Decimal:
    """The winning bid's annual cost over the contract period."""
    from .agreements_from_awards import contract_period, winning_bid

    bid = winning_bid(procurement)
    annual = round_money(sum((line.annual_cost for line in bid.lines), Decimal(0)))
    start, end = contract_period(procurement)
    return agreement_terms.value_over_term(annual, start, end)


def record_award_release(procurement: Procurement) -> OcdsRelease:
    """Store the award release as announced now; the caller commits it with the award.

    During the standstill the award is "pending" (OCDS: proposed, not yet in force); the
    contract releases make it "active"."""
    from .agreements_from_awards import contract_period, winning_bid

    decision = procurement.decision
    bid = winning_bid(procurement)
    start, end = contract_period(procurement)
    moment = decision.decided_at or clock.now()
    lead = procurement.lead_ccg
    tender_section = tender(procurement)
    tender_section["status"] = "complete"
    release = {
        "ocid": ocid_for(procurement),
        "id": award_id(procurement),
        "date": timestamp(moment),
        "tag": ["award"],
        "initiationType": "tender",
        "language": "en",
        "parties": _supplier_parties(procurement, [bid.provider]),
        "buyer": {"id": party_id(lead), "name": lead.name},
        "tender": tender_section,
        "awards": [{
            "id": award_id(procurement),
            "title": f"Award of {procurement.title}",
            "description": decision.rationale,
            "status": ("pending" if procurement.status == ProcurementStatus.STANDSTILL
                       else "active"),
            "date": timestamp(moment),
            "value": money(award_value_over_term(procurement)),
            "suppliers": [{"id": party_id(bid.provider), "name": bid.provider.name}],
            "items": [_item(line.specification, line.annual_cost) for line in bid.lines],
            "contractPeriod": _period(start, end),
        }],
    }
    return _store(procurement, release, "award", moment)


def record_contract_release(agreement: Agreement) -> OcdsRelease:
    """Store the contract release for an agreement both parties have just signed; the caller
    commits it with the signature."""
    procurement = agreement.procurement
    moment = agreement.signed_at or clock.now()
    lead = procurement.lead_ccg
    buyer, supplier = agreement.ccg, agreement.provider
    contract = {
        "id": agreement.reference,
        "awardID": award_id(procurement),
        "title": f"Commissioning support: {buyer.name} and {supplier.name}",
        "description": (f"Service level agreement {agreement.reference} between {buyer.name} "
                        f"and {supplier.name}, from procurement {procurement.reference}"),
        "status": "active",
        "period": _period(agreement.start_date, agreement.end_date),
        "value": money(agreement.value_over_term),
        "items": [_item(line.specification, line.annual_cost) for line in agreement.lines],
        "dateSigned": timestamp(moment),
    }
    release = {
        "ocid": ocid_for(procurement),
        "id": f"{procurement.reference}-contract-{agreement.reference}",
        "date": timestamp(moment),
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": _supplier_parties(procurement, [supplier]),
        "buyer": {"id": party_id(lead), "name": lead.name},
        "awards": [{"id": award_id(procurement), "status": "active"}],
        "contracts": [contract],
    }
    return _store(procurement, release, "contract", moment, agreement)


# --- Records --------------------------------------------------------------------------------


@cache
def release_schema() -> dict:
    """The official OCDS 1.1 release schema, shipped with the product (data/SOURCES.md)."""
    text = (resources.files("marketplace.data") / "ocds" / "release-schema-1.1.5.json"
            ).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _merger():
    import ocdsmerge

    return ocdsmerge.Merger(schema=release_schema())


def compiled_release(releases: list[dict]) -> dict:
    """The record's compiled release: the latest value of every field (OCDS merging)."""
    return _merger().create_compiled_release(releases)


def releases_for_ocid(ocid: str) -> list[OcdsRelease]:
    return list(db.session.scalars(
        select(OcdsRelease).where(OcdsRelease.ocid == ocid)
        .order_by(OcdsRelease.published_at, OcdsRelease.id)))
