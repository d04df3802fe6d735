"""OCDS 1.1 releases for procurements, stored as they were said at the time.

One procurement is one contracting process: ocid = ``ocds-cssmkt-`` + its reference, shared
by its tender release (when published), a tender cancellation, and the award and contract
releases added later. Each release is an immutable OcdsRelease row; the record's history is
the list of them.

Codes come from the OCDS 1.1 codelists: tender status "active"/"cancelled"; method
"selective" when every provider with a published offer for the specifications may respond
(any supplier can qualify by publishing one), "limited" for a list the CCG chose;
award criteria "ratedCriteria" (weighted quality and price).
"""

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from marketplace import clock
from marketplace.domain.procurement import PRICE_FORMULA
from marketplace.extensions import db
from marketplace.models import OcdsRelease, Organisation, Procurement, ProcurementStatus

from . import statement_data

OCID_PREFIX = "ocds-cssmkt-"
ODS_SCHEME = "GB-NHS"
SPECIFICATION_SCHEME = "X-CSSMKT-SPECIFICATION"
TENDER_STATUS = {ProcurementStatus.CANCELLED.value: "cancelled"}


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
        "procurementMethod": "selective" if procurement.open_to_all_providers else "limited",
        "procurementMethodDetails": (
            "Further competition open to every provider with a published offer for the "
            "specifications" if procurement.open_to_all_providers
            else "Further competition among providers invited by the buyer"),
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
    """Store the tender release as published now (a cancellation when it is cancelled);
    the caller commits it with the change it reports."""
    tag = "tenderCancellation" if procurement.status == ProcurementStatus.CANCELLED else "tender"
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
