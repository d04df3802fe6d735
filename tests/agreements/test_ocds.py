"""Agreements recorded without a procurement, as OCDS releases at a public endpoint.

Procurements' own releases (tender, award, contract) are tested in test_ocds_records.py."""

import json
from decimal import Decimal

from marketplace.api.exact_json import dumps

from ..conftest import user
from ..factories import create_agreement


def test_signed_and_final_agreements_are_published_drafts_are_not(client, market):
    coventry = user("ccg@demo.test").organisation
    darlington = user("ccg2@demo.test").organisation
    signed = create_agreement(
        coventry,
        [market.arden_bi, market.arden_contracts],
        status="signed",
        reference="SLA-05A-001",
    )
    create_agreement(darlington, [market.gem_contracts], status="final", reference="SLA-00C-001")
    create_agreement(coventry, [market.gem_bi], status="draft", reference="SLA-05A-002")

    response = client.get("/api/v1/ocds/releases")  # no sign-in needed
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    package = json.loads(response.get_data(as_text=True), parse_float=Decimal)
    assert package["version"] == "1.1"
    assert package["uri"].endswith("/api/v1/ocds/releases")
    assert package["publisher"]["name"] == "CSS Marketplace"
    ocids = [release["ocid"] for release in package["releases"]]
    assert ocids == ["ocds-cssmkt-SLA-00C-001", "ocds-cssmkt-SLA-05A-001"]

    release = package["releases"][1]
    assert release["tag"] == ["contract"]
    assert release["initiationType"] == "tender"
    assert release["id"] == "ocds-cssmkt-SLA-05A-001-signed"
    buyer, supplier = release["parties"]
    assert buyer["identifier"] == {
        "scheme": "GB-NHS",
        "id": "05A",
        "legalName": "NHS Coventry and Rugby CCG",
    }
    assert buyer["roles"] == ["buyer"] and buyer["id"] == "GB-NHS-05A"
    assert release["buyer"] == {"id": "GB-NHS-05A", "name": "NHS Coventry and Rugby CCG"}
    assert supplier["name"] == "Arden CSS" and supplier["roles"] == ["supplier"]

    [contract] = release["contracts"]
    assert contract["id"] == contract["awardID"] == signed.reference
    assert release["awards"][0]["id"] == contract["awardID"]
    assert release["awards"][0]["suppliers"] == [{"id": supplier["id"], "name": "Arden CSS"}]
    assert contract["status"] == "active"
    # A JSON number, to the penny, over the full term of 18 months (not the annual value):
    # (£12 × 464,596 + £250,000) × 1.5.
    assert contract["value"] == {"amount": Decimal("8737728.00"), "currency": "GBP"}
    assert release["awards"][0]["value"] == contract["value"]
    assert contract["period"] == {
        "startDate": "2013-04-01T00:00:00Z",
        "endDate": "2014-09-30T23:59:59Z",
    }
    assert contract["dateSigned"].endswith("Z")
    items = contract["items"]
    assert [item["classification"]["id"] for item in items] == ["BI-01", "CM-01"]
    assert items[0]["unit"]["value"] == {"amount": Decimal("5575152.00"), "currency": "GBP"}
    assert items[1]["description"] == "Arden contract monitoring"

    raw = json.loads(response.get_data(as_text=True))
    assert isinstance(raw["releases"][1]["contracts"][0]["value"]["amount"], float)
    assert isinstance(raw["releases"][1]["contracts"][0]["value"]["currency"], str)


def test_one_release_by_ocid(client, market):
    create_agreement(
        user("ccg2@demo.test").organisation,
        [market.gem_contracts],
        status="final",
        reference="SLA-00C-001",
    )
    response = client.get("/api/v1/ocds/releases/ocds-cssmkt-SLA-00C-001")
    assert response.status_code == 200
    [release] = response.get_json()["releases"]
    assert release["parties"][0]["identifier"] == {
        "scheme": "GB-NHS",
        "id": "00C",
        "legalName": "NHS Darlington CCG",
    }
    assert release["contracts"][0]["value"]["amount"] == 225000  # £150,000 a year for 18 months


def test_ended_agreements_stay_published_as_terminated(client, market):
    create_agreement(
        user("ccg@demo.test").organisation,
        [market.arden_bi],
        status="ended",
        reference="SLA-05A-009",
    )
    [release] = client.get("/api/v1/ocds/releases/ocds-cssmkt-SLA-05A-009").get_json()["releases"]
    assert release["contracts"][0]["status"] == "terminated"


def test_drafts_and_unknown_ocids_are_not_found_as_json(client, market):
    create_agreement(
        user("ccg@demo.test").organisation,
        [market.arden_bi],
        status="draft",
        reference="SLA-05A-001",
    )
    for ocid in ("ocds-cssmkt-SLA-05A-001", "ocds-cssmkt-nothing", "SLA-05A-001"):
        response = client.get(f"/api/v1/ocds/releases/{ocid}")
        assert response.status_code == 404
        assert response.get_json()["errors"][0]["field"] == "ocid"


def test_no_agreements_is_an_empty_package(client):
    package = client.get("/api/v1/ocds/releases").get_json()
    assert package["releases"] == []


def test_the_openapi_document_describes_ocds(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert "get" in document["paths"]["/ocds/releases"]
    assert "get" in document["paths"]["/ocds/releases/{ocid}"]
    schema = document["components"]["schemas"]["OcdsRelease"]
    assert schema["properties"]["ocid"]["pattern"] == "^ocds-cssmkt-"
    assert document["paths"]["/ocds/releases"]["get"]["security"] == []


def test_exact_json_writes_decimals_as_numbers():
    assert dumps({"a": Decimal("5825152.00"), "b": [Decimal("0.10"), 1, None, True, "£"]}) == (
        '{"a":5825152.00,"b":[0.10,1,null,true,"£"]}'
    )
    assert json.loads(dumps(Decimal("12345678901234567.89")), parse_float=Decimal) == Decimal(
        "12345678901234567.89"
    )


def test_the_package_uri_comes_from_configuration_never_the_host_header(app, client, market):
    coventry = user("ccg@demo.test").organisation
    create_agreement(coventry, [market.arden_bi], status="signed", reference="SLA-05A-001")
    forged = {"Host": "attacker.example", "X-Forwarded-Host": "attacker.example",
              "SCRIPT_NAME": "/phish"}
    package = client.get("/api/v1/ocds/releases", headers=forged).get_json()
    assert package["uri"] == "http://localhost/api/v1/ocds/releases"

    original = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://marketplace.example.nhs.uk/css"
    try:
        one = client.get("/api/v1/ocds/releases/ocds-cssmkt-SLA-05A-001", headers=forged)
    finally:
        app.config["PUBLIC_BASE_URL"] = original
    assert one.get_json()["uri"] == (
        "https://marketplace.example.nhs.uk/css/api/v1/ocds/releases/ocds-cssmkt-SLA-05A-001")
