"""Open contracting data (OCDS 1.1), for anyone to read: releases and records.

A procurement is one contracting process, ocid ``ocds-cssmkt-<procurement reference>``: its
releases (tender at publication, award at award, one contract release per agreement when both
parties sign) are stored as said at the time (services/ocds_releases.py), and its record
carries them all with the compiled release ``ocdsmerge`` makes of them.

Agreements recorded before procurement ran in the product (route "recorded", no procurement)
are each their own contracting process, ocid ``ocds-cssmkt-<agreement reference>``, published
from the agreement as it is once signed: drafts never, ended ones with the contract status
"terminated". Every contract value is over the full term, not annual.

A signed agreement's KPIs, the results the CCG accepted and its agreed variations are part of
its contract (services/ocds_implementation.py: core ``implementation.milestones`` and
``amendments``, and the OCDS Metrics extension, named in every package's ``extensions``).
A recorded agreement carries them in its own release; an agreement from a procurement, whose
contract release was stored when it was signed, has a further release tagged
"implementation" (and "contractAmendment" once varied) made from it as it is now.
"""

from datetime import UTC, date, datetime

from sqlalchemy import select

from marketplace.access import PUBLIC, allow, owner_exempt
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    OcdsRelease,
    Organisation,
    Procurement,
)
from marketplace.models.base import utcnow
from marketplace.public_urls import public_url
from marketplace.services import ocds_implementation as life
from marketplace.services import ocds_releases as stored

from . import bp
from .errors import error_response
from .exact_json import exact_json_response
from .openapi import add_schema, document

OCID_PREFIX = stored.OCID_PREFIX
ODS_SCHEME = stored.ODS_SCHEME
PUBLISHER = {"name": "CSS Marketplace"}
PUBLISHED_STATUSES = (
    AgreementStatus.SIGNED.value,
    AgreementStatus.FINAL.value,
    AgreementStatus.ENDED.value,
)
CONTRACT_STATUS = {"signed": "active", "final": "active", "ended": "terminated"}


def ocid_for(agreement: Agreement) -> str:
    return OCID_PREFIX + agreement.reference


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _day_start(day: date) -> str:
    return f"{day.isoformat()}T00:00:00Z"


def _day_end(day: date) -> str:
    return f"{day.isoformat()}T23:59:59Z"


def _money(amount) -> dict:
    return {"amount": amount, "currency": "GBP"}


def party_id(organisation: Organisation) -> str:
    return stored.party_id(organisation)


def _party(organisation: Organisation, role: str) -> dict:
    return stored.party(organisation, [role])


def release(agreement: Agreement) -> dict:
    """The release of an agreement recorded without a procurement, as it is now."""
    ocid = ocid_for(agreement)
    signed = _timestamp(agreement.signed_at) if agreement.signed_at else None
    period = {
        "startDate": _day_start(agreement.start_date),
        "endDate": _day_end(agreement.end_date),
    }
    buyer, supplier = agreement.ccg, agreement.provider
    full_term = _money(agreement.value_over_term)
    contract = {
        "id": agreement.reference,
        "awardID": agreement.reference,
        "title": f"Commissioning support: {buyer.name} and {supplier.name}",
        "status": CONTRACT_STATUS[agreement.status],
        "period": period,
        "value": full_term,
        "items": [
            {
                "id": str(line.offer_id or line.specification.code),
                "description": line.offer.title if line.offer else line.specification.name,
                "classification": {
                    "scheme": stored.SPECIFICATION_SCHEME,
                    "id": line.specification.code,
                    "description": line.specification.name,
                },
                "quantity": 1,
                "unit": {"name": "year", "value": _money(line.annual_cost)},
            }
            for line in agreement.lines
        ],
    }
    if signed:
        contract["dateSigned"] = signed
    award = {
        "id": agreement.reference,
        "status": "active",
        "value": full_term,
        "suppliers": [{"id": party_id(supplier), "name": supplier.name}],
        "contractPeriod": period,
    }
    if signed:
        award["date"] = signed
    tags = ["contract"]
    if life.add_life(contract, agreement):
        tags.append("implementation")
    if contract.get("amendments"):
        tags.append("contractAmendment")
    moments = [_timestamp(agreement.updated_at or agreement.signed_at or utcnow())]
    moments += [moment for moment in [life.last_changed(agreement)] if moment]
    return {
        "ocid": ocid,
        "id": f"{ocid}-{agreement.status}",
        "date": max(moments),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(buyer, "buyer"), _party(supplier, "supplier")],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "awards": [award],
        "contracts": [contract],
    }


def implementation_release(agreement: Agreement) -> dict | None:
    """An agreement from a procurement, as it is now: its KPIs, accepted results and
    amendments (None until it has results or amendments to publish)."""
    contract = {"id": agreement.reference,
                "awardID": stored.award_id(agreement.procurement),
                "status": CONTRACT_STATUS[agreement.status]}
    if not life.add_life(contract, agreement):
        return None
    tags = ["implementation"] + (["contractAmendment"] if contract.get("amendments") else [])
    procurement = agreement.procurement
    buyer = procurement.lead_ccg
    return {
        "ocid": stored.ocid_for(procurement),
        "id": f"{procurement.reference}-implementation-{agreement.reference}",
        "date": life.last_changed(agreement),
        "tag": tags,
        "initiationType": "tender",
        "language": "en",
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "contracts": [contract],
    }


def _implemented(ocid: str | None = None):
    """Signed agreements from procurements, whose life is published as it is now."""
    statement = (select(Agreement).join(Procurement, Agreement.procurement_id == Procurement.id)
                 .where(Agreement.status.in_(PUBLISHED_STATUSES))
                 .order_by(Procurement.reference, Agreement.reference))
    if ocid is not None:
        statement = statement.where(Procurement.reference == ocid.removeprefix(OCID_PREFIX))
    return db.session.scalars(statement)


def _recorded():
    """Agreements published from the agreement itself: signed, and from no procurement."""
    return select(Agreement).where(Agreement.status.in_(PUBLISHED_STATUSES),
                                   Agreement.procurement_id.is_(None))


def _stored_releases(ocid: str | None = None) -> list[dict]:
    statement = select(OcdsRelease).order_by(OcdsRelease.ocid, OcdsRelease.published_at,
                                             OcdsRelease.id)
    if ocid is not None:
        statement = statement.where(OcdsRelease.ocid == ocid)
    return [row.release for row in db.session.scalars(statement)]


def _releases(ocid: str | None = None) -> list[dict]:
    """Every published release (of one ocid), grouped by ocid, oldest first within one."""
    found = _stored_releases(ocid)
    if ocid is None or ocid.startswith(OCID_PREFIX):
        found += [made for made in map(implementation_release, _implemented(ocid)) if made]
    recorded = _recorded().order_by(Agreement.reference)
    if ocid is not None:
        if not ocid.startswith(OCID_PREFIX):
            return found
        recorded = recorded.where(Agreement.reference == ocid.removeprefix(OCID_PREFIX))
    found += [release(agreement) for agreement in db.session.scalars(recorded)]
    return sorted(found, key=lambda r: r["ocid"])  # stable: keeps each ocid's order


def _published_date(releases: list[dict]) -> str:
    return max((r["date"] for r in releases), default=_timestamp(utcnow()))


def release_package(releases: list[dict], uri: str) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [life.METRICS_EXTENSION],
        "publishedDate": _published_date(releases),
        "publisher": PUBLISHER,
        "releases": releases,
    }


def record(ocid: str, releases: list[dict]) -> dict:
    return {"ocid": ocid, "releases": releases,
            "compiledRelease": stored.compiled_release(releases)}


def record_package(records: list[dict], releases: list[dict], uri: str) -> dict:
    return {
        "uri": uri,
        "version": "1.1",
        "extensions": [life.METRICS_EXTENSION],
        "publishedDate": _published_date(releases),
        "publisher": PUBLISHER,
        "records": records,
    }


def _not_found(ocid: str):
    return error_response([("ocid", f"No published contracting process has the ocid {ocid}")],
                          404)


@bp.get("/ocds/releases")
@allow(PUBLIC)
def ocds_releases():
    return exact_json_response(
        release_package(_releases(), public_url("api.ocds_releases")))


@bp.get("/ocds/releases/<ocid>")
@allow(PUBLIC)
@owner_exempt("OCDS releases are published open data, to everybody")
def ocds_release(ocid: str):
    releases = _releases(ocid)
    if not releases:
        return _not_found(ocid)
    return exact_json_response(
        release_package(releases, public_url("api.ocds_release", ocid=ocid)))


@bp.get("/ocds/records/<ocid>")
@allow(PUBLIC)
@owner_exempt("OCDS records are published open data, to everybody")
def ocds_record(ocid: str):
    releases = _releases(ocid)
    if not releases:
        return _not_found(ocid)
    return exact_json_response(record_package(
        [record(ocid, releases)], releases, public_url("api.ocds_record", ocid=ocid)))


_VALUE = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {"amount": {"type": "number"}, "currency": {"type": "string", "enum": ["GBP"]}},
}
_PERIOD = {
    "type": "object",
    "properties": {
        "startDate": {"type": "string", "format": "date-time"},
        "endDate": {"type": "string", "format": "date-time"},
    },
}
add_schema("OcdsValue", _VALUE)
add_schema(
    "OcdsRelease",
    {
        "type": "object",
        "description": "An OCDS 1.1 release: a procurement's tender, award or contract, or an "
        "agreement recorded without a procurement. Valid against the official release schema, "
        "https://standard.open-contracting.org/schema/1__1__5/release-schema.json (see "
        "https://standard.open-contracting.org/1.1/en/schema/release/).",
        "required": ["ocid", "id", "date", "tag", "initiationType"],
        "properties": {
            "ocid": {
                "type": "string",
                "pattern": f"^{OCID_PREFIX}",
                "example": "ocds-cssmkt-PRC-05A-001",
            },
            "id": {"type": "string", "example": "PRC-05A-001-award"},
            "date": {"type": "string", "format": "date-time"},
            "tag": {"type": "array", "items": {"type": "string", "enum": [
                "tender", "tenderCancellation", "tenderUpdate", "award", "contract",
                "implementation", "contractAmendment"]}},
            "initiationType": {"type": "string", "enum": ["tender"]},
            "language": {"type": "string"},
            "parties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "name", "roles"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "identifier": {
                            "type": "object",
                            "description": "CCGs are identified by their ODS code.",
                            "properties": {
                                "scheme": {"type": "string", "enum": [ODS_SCHEME]},
                                "id": {"type": "string", "example": "05A"},
                                "legalName": {"type": "string"},
                            },
                        },
                        "roles": {
                            "type": "array",
                            "items": {"type": "string", "enum": [
                                "buyer", "procuringEntity", "supplier"]},
                        },
                    },
                },
            },
            "buyer": {"type": "object"},
            "tender": {"type": "object"},
            "awards": {"type": "array", "items": {"type": "object"}},
            "contracts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "awardID", "status", "value", "period", "items"],
                    "properties": {
                        "id": {"type": "string"},
                        "awardID": {"type": "string"},
                        "title": {"type": "string"},
                        "status": {"type": "string", "enum": ["active", "terminated"]},
                        "period": _PERIOD,
                        "value": {"allOf": [{"$ref": "#/components/schemas/OcdsValue"}],
                                  "description": "Over the full term, not a year."},
                        "dateSigned": {"type": "string", "format": "date-time"},
                        "items": {"type": "array", "items": {"type": "object"}},
                        "agreedMetrics": {
                            "type": "array", "items": {"type": "object"},
                            "description": "OCDS Metrics extension (ocds_metrics_extension): "
                            "the agreement's KPIs, each with its target in force as an "
                            "observation (notes \"Target\").",
                        },
                        "implementation": {
                            "type": "object",
                            "description": "Core OCDS: milestones, one per KPI per reported "
                            "month with a figure the CCG accepted (type \"delivery\"; status "
                            "met, partiallyMet when within tolerance, notMet when missed), "
                            "and, from the OCDS Metrics extension, metrics whose observations "
                            "are those figures. No commentary is published. transactions "
                            "would list payments, but none are recorded in this product.",
                            "properties": {
                                "milestones": {"type": "array", "items": {"type": "object"}},
                                "metrics": {"type": "array", "items": {"type": "object"}},
                                "transactions": {"type": "array",
                                                 "items": {"type": "object"}},
                            },
                        },
                        "amendments": {
                            "type": "array", "items": {"type": "object"},
                            "description": "One per agreed variation: its reason (rationale) "
                            "and what changed, in words (description). The contract's "
                            "period and value are then the current version's.",
                        },
                    },
                },
            },
        },
    },
)
_PACKAGE_HEAD = {
    "uri": {"type": "string"},
    "version": {"type": "string", "enum": ["1.1"]},
    "extensions": {
        "type": "array", "items": {"type": "string"},
        "description": "The OCDS Metrics extension, used for KPIs and their results.",
        "example": [life.METRICS_EXTENSION],
    },
    "publishedDate": {"type": "string", "format": "date-time"},
    "publisher": {"type": "object", "properties": {"name": {"type": "string"}}},
}
add_schema(
    "OcdsReleasePackage",
    {
        "type": "object",
        "required": ["uri", "version", "publishedDate", "publisher", "releases"],
        "properties": _PACKAGE_HEAD | {
            "releases": {"type": "array", "items": {"$ref": "#/components/schemas/OcdsRelease"}},
        },
    },
)
add_schema(
    "OcdsRecordPackage",
    {
        "type": "object",
        "required": ["uri", "version", "publishedDate", "publisher", "records"],
        "properties": _PACKAGE_HEAD | {
            "records": {"type": "array", "items": {
                "type": "object",
                "required": ["ocid", "releases", "compiledRelease"],
                "properties": {
                    "ocid": {"type": "string"},
                    "releases": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/OcdsRelease"}},
                    "compiledRelease": {
                        "type": "object",
                        "description": "The latest value of every field, merged from the "
                        "releases by the OCDS merge rules (tag \"compiled\")."},
                },
            }},
        },
    },
)
_PACKAGE_RESPONSE = {
    "description": "An OCDS release package.",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/OcdsReleasePackage"}}
    },
}
_OCID = {
    "name": "ocid",
    "in": "path",
    "required": True,
    "schema": {"type": "string"},
    "example": "ocds-cssmkt-PRC-05A-001",
}
document(
    "/ocds/releases",
    "get",
    {
        "summary": "Every published OCDS release",
        "operationId": "listOcdsReleases",
        "description": "Procurements' tender, award and contract releases as published at the "
        "time, and agreements recorded before procurement in the product once signed, as an "
        "Open Contracting Data Standard 1.1 release package. Public; no sign-in. Amounts are "
        "JSON numbers in pounds; contract values are over the full term.",
        "tags": ["Open contracting"],
        "security": [],
        "responses": {"200": _PACKAGE_RESPONSE},
    },
)
document(
    "/ocds/releases/{ocid}",
    "get",
    {
        "summary": "One contracting process's OCDS releases",
        "operationId": "getOcdsRelease",
        "tags": ["Open contracting"],
        "security": [],
        "parameters": [_OCID],
        "responses": {"200": _PACKAGE_RESPONSE, "404": {"$ref": "#/components/responses/NotFound"}},
    },
)
document(
    "/ocds/records/{ocid}",
    "get",
    {
        "summary": "One contracting process's OCDS record",
        "operationId": "getOcdsRecord",
        "description": "The record of one procurement (or recorded agreement): every release "
        "with the one ocid, and the compiled release merged from them.",
        "tags": ["Open contracting"],
        "security": [],
        "parameters": [_OCID],
        "responses": {
            "200": {"description": "An OCDS record package.", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/OcdsRecordPackage"}}}},
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    },
)
