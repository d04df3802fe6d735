"""Signed agreements as Open Contracting Data Standard (OCDS 1.1) releases, for anyone to read.

Each agreement is one contracting process: ocid = OCID_PREFIX + its reference. Its release
carries the CCG as buyer (identified by its ODS code, scheme GB-NHS), the CSS as supplier, an
award and a contract whose items are the offers agreed. Drafts are never published; ended
agreements stay published with the contract status "terminated".
"""

from datetime import UTC, date, datetime

from sqlalchemy import select

from marketplace.access import PUBLIC, allow
from marketplace.extensions import db
from marketplace.models import Agreement, AgreementStatus, Organisation
from marketplace.models.base import utcnow
from marketplace.public_urls import public_url

from . import bp
from .errors import error_response
from .exact_json import exact_json_response
from .openapi import add_schema, document

OCID_PREFIX = "ocds-cssmkt-"
ODS_SCHEME = "GB-NHS"
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
    if organisation.ods_code:
        return f"{ODS_SCHEME}-{organisation.ods_code}"
    return f"cssmkt-organisation-{organisation.id}"


def _party(organisation: Organisation, role: str) -> dict:
    party = {"id": party_id(organisation), "name": organisation.name}
    if organisation.ods_code:
        party["identifier"] = {
            "scheme": ODS_SCHEME,
            "id": organisation.ods_code,
            "legalName": organisation.name,
        }
    party["roles"] = [role]
    return party


def release(agreement: Agreement) -> dict:
    ocid = ocid_for(agreement)
    signed = _timestamp(agreement.signed_at) if agreement.signed_at else None
    period = {
        "startDate": _day_start(agreement.start_date),
        "endDate": _day_end(agreement.end_date),
    }
    buyer, supplier = agreement.ccg, agreement.provider
    contract = {
        "id": agreement.reference,
        "awardID": agreement.reference,
        "title": f"Commissioning support: {buyer.name} and {supplier.name}",
        "status": CONTRACT_STATUS[agreement.status],
        "period": period,
        "value": _money(agreement.annual_value),
        "items": [
            {
                "id": str(line.offer_id),
                "description": line.offer.title,
                "classification": {
                    "scheme": "X-CSSMKT-SPECIFICATION",
                    "id": line.offer.specification.code,
                    "description": line.offer.specification.name,
                },
                "quantity": 1,
                "unit": {"name": "year", "value": _money(line.annual_cost)},
            }
            for line in agreement.lines
        ],
    }
    if signed:
        contract["dateSigned"] = signed
    return {
        "ocid": ocid,
        "id": f"{ocid}-{agreement.status}",
        "date": _timestamp(agreement.updated_at or agreement.signed_at or utcnow()),
        "tag": ["contract"],
        "initiationType": "tender",
        "language": "en",
        "parties": [_party(buyer, "buyer"), _party(supplier, "supplier")],
        "buyer": {"id": party_id(buyer), "name": buyer.name},
        "awards": [
            {
                "id": agreement.reference,
                "status": "active",
                "date": signed,
                "value": _money(agreement.annual_value),
                "suppliers": [{"id": party_id(supplier), "name": supplier.name}],
                "contractPeriod": period,
            }
        ],
        "contracts": [contract],
    }


def release_package(agreements: list[Agreement], uri: str) -> dict:
    releases = [release(agreement) for agreement in agreements]
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": max((r["date"] for r in releases), default=_timestamp(utcnow())),
        "publisher": PUBLISHER,
        "releases": releases,
    }


def _published():
    return select(Agreement).where(Agreement.status.in_(PUBLISHED_STATUSES))


@bp.get("/ocds/releases")
@allow(PUBLIC)
def ocds_releases():
    agreements = db.session.scalars(_published().order_by(Agreement.reference)).all()
    return exact_json_response(
        release_package(list(agreements), public_url("api.ocds_releases"))
    )


@bp.get("/ocds/releases/<ocid>")
@allow(PUBLIC)
def ocds_release(ocid: str):
    agreement = None
    if ocid.startswith(OCID_PREFIX):
        reference = ocid.removeprefix(OCID_PREFIX)
        agreement = db.session.scalar(_published().where(Agreement.reference == reference))
    if agreement is None:
        return error_response([("ocid", f"No published contract has the ocid {ocid}")], 404)
    return exact_json_response(
        release_package([agreement], public_url("api.ocds_release", ocid=ocid))
    )


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
        "description": "An OCDS 1.1 release for one signed service level agreement. "
        "See https://standard.open-contracting.org/1.1/en/schema/release/.",
        "required": ["ocid", "id", "date", "tag", "initiationType", "parties", "contracts"],
        "properties": {
            "ocid": {
                "type": "string",
                "pattern": f"^{OCID_PREFIX}",
                "example": "ocds-cssmkt-SLA-05A-001",
            },
            "id": {"type": "string"},
            "date": {"type": "string", "format": "date-time"},
            "tag": {"type": "array", "items": {"type": "string", "enum": ["contract"]}},
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
                            "items": {"type": "string", "enum": ["buyer", "supplier"]},
                        },
                    },
                },
            },
            "buyer": {"type": "object"},
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
                        "value": {"$ref": "#/components/schemas/OcdsValue"},
                        "dateSigned": {"type": "string", "format": "date-time"},
                        "items": {"type": "array", "items": {"type": "object"}},
                    },
                },
            },
        },
    },
)
add_schema(
    "OcdsReleasePackage",
    {
        "type": "object",
        "required": ["uri", "version", "publishedDate", "publisher", "releases"],
        "properties": {
            "uri": {"type": "string"},
            "version": {"type": "string", "enum": ["1.1"]},
            "publishedDate": {"type": "string", "format": "date-time"},
            "publisher": {"type": "object", "properties": {"name": {"type": "string"}}},
            "releases": {"type": "array", "items": {"$ref": "#/components/schemas/OcdsRelease"}},
        },
    },
)
_PACKAGE_RESPONSE = {
    "description": "An OCDS release package.",
    "content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/OcdsReleasePackage"}}
    },
}
document(
    "/ocds/releases",
    "get",
    {
        "summary": "Signed service level agreements as OCDS releases",
        "operationId": "listOcdsReleases",
        "description": "Every agreement a CCG has recorded as signed, final or ended, as an "
        "Open Contracting Data Standard 1.1 release package. Public; no sign-in. Amounts are "
        "JSON numbers in pounds.",
        "tags": ["Open contracting"],
        "security": [],
        "responses": {"200": _PACKAGE_RESPONSE},
    },
)
document(
    "/ocds/releases/{ocid}",
    "get",
    {
        "summary": "One agreement's OCDS release",
        "operationId": "getOcdsRelease",
        "tags": ["Open contracting"],
        "security": [],
        "parameters": [
            {
                "name": "ocid",
                "in": "path",
                "required": True,
                "schema": {"type": "string"},
                "example": "ocds-cssmkt-SLA-05A-001",
            }
        ],
        "responses": {"200": _PACKAGE_RESPONSE, "404": {"$ref": "#/components/responses/NotFound"}},
    },
)
