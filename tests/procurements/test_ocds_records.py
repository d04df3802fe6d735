"""One OCDS record per procurement: tender at publication, award at award, a contract release
for each agreement both parties sign; every release valid against the official schema."""

import copy
import json
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from flask import current_app
from sqlalchemy.exc import IntegrityError

from marketplace.extensions import db
from marketplace.models import OcdsRelease, ProcurementStatus
from marketplace.models.frozen import FrozenRecordError
from marketplace.services import agreements
from marketplace.services.agreements_from_awards import draft_agreements_from_award
from marketplace.services.ocds_releases import (
    ocid_for,
    record_award_release,
    record_contract_release,
    releases_for,
)

from ..factories import awarded_competition
from ..ocds_schema import release_errors


def _sign_both(b, agreement):
    signer = b.lead_user if agreement.ccg == b.coventry else b.partner_user
    agreements.sign_for_ccg(signer, agreement, agreement.lock_version)
    agreements.countersign(b.arden_user, agreement, agreement.lock_version)


def _through_standstill(b):
    """Awarded (the award release said at award, in standstill), then the standstill ends."""
    procurement = awarded_competition(b, status=ProcurementStatus.STANDSTILL)
    record_award_release(procurement)
    procurement.status = ProcurementStatus.AWARDED
    db.session.commit()
    # The buying fixture's clock is still at the start of January; signatures come after
    # the standstill (it ended on 4 February 2013), and are dated by the clock.
    current_app.config["MARKETPLACE_TODAY"] = datetime(2013, 2, 11, 9, 0, tzinfo=UTC)
    return procurement


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return json.loads(response.get_data(as_text=True), parse_float=Decimal)


def test_tender_award_and_contract_releases_share_one_ocid_and_are_valid(buying, client):
    b = buying
    procurement = _through_standstill(b)
    drafts = draft_agreements_from_award(procurement)
    for agreement in drafts:
        _sign_both(b, agreement)
    rows = releases_for(procurement)
    assert [row.tag for row in rows] == ["tender", "award", "contract", "contract"]
    assert {row.ocid for row in rows} == {ocid_for(procurement)}
    for row in rows:
        assert release_errors(json.loads(json.dumps(row.release, default=float))) == [], row.tag

    award = rows[1].release
    assert award["id"] == f"{procurement.reference}-award"
    [awarded] = award["awards"]
    assert awarded["status"] == "pending"  # said during the standstill
    assert [supplier["name"] for supplier in awarded["suppliers"]] == ["Arden CSS"]
    annual = sum((line.annual_cost for line in procurement.decision.winning_bid.lines),
                 Decimal(0))
    # Over the full term (18 months), not the annual value.
    assert awarded["value"] == {"amount": annual * Decimal("1.5"), "currency": "GBP"}
    assert award["tender"]["status"] == "complete"

    contracts = {row.release["contracts"][0]["id"]: row.release for row in rows[2:]}
    for agreement in drafts:
        release = contracts[agreement.reference]
        [contract] = release["contracts"]
        assert contract["awardID"] == awarded["id"]
        assert contract["value"]["amount"] == agreement.annual_value * Decimal("1.5")
        assert contract["value"]["amount"] == agreement.value_over_term
        assert contract["period"] == {"startDate": "2013-04-01T00:00:00Z",
                                      "endDate": "2014-09-30T23:59:59Z"}
        assert contract["dateSigned"].endswith("Z")
        assert release["awards"] == [{"id": awarded["id"], "status": "active"}]


def test_the_record_compiles_the_releases(buying, client):
    b = buying
    procurement = _through_standstill(b)
    coventry_deal, warwickshire_deal = sorted(draft_agreements_from_award(procurement),
                                              key=lambda a: a.ccg.ods_code)
    _sign_both(b, coventry_deal)  # Warwickshire has not signed yet: no contract release
    ocid = ocid_for(procurement)

    package = _get(client, f"/api/v1/ocds/records/{ocid}")  # public: no sign-in
    assert package["version"] == "1.1" and package["uri"].endswith(f"/ocds/records/{ocid}")
    [record] = package["records"]
    assert record["ocid"] == ocid
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["award"], ["contract"]]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["ocid"] == ocid
    assert compiled["tender"]["status"] == "complete"
    assert compiled["tender"]["title"] == procurement.title  # kept from the tender release
    [awarded] = compiled["awards"]
    assert awarded["status"] == "active"  # the contract release moved it on
    assert [c["id"] for c in compiled["contracts"]] == [coventry_deal.reference]
    assert release_errors(json.loads(json.dumps(compiled, default=float))) == []
    roles = {p["name"]: p["roles"] for p in compiled["parties"]}
    assert roles["NHS Coventry and Rugby CCG"] == ["buyer", "procuringEntity"]
    assert roles["Arden CSS"] == ["supplier"]

    _sign_both(b, warwickshire_deal)
    compiled = _get(client, f"/api/v1/ocds/records/{ocid}")["records"][0]["compiledRelease"]
    assert sorted(c["id"] for c in compiled["contracts"]) == sorted(
        [coventry_deal.reference, warwickshire_deal.reference])
    total = sum(c["value"]["amount"] for c in compiled["contracts"])
    assert total == awarded["value"]["amount"]  # the split adds up over the full term too

    releases = _get(client, f"/api/v1/ocds/releases/{ocid}")["releases"]
    assert len(releases) == 4
    everything = _get(client, "/api/v1/ocds/releases")["releases"]
    assert [r["id"] for r in everything] == [r["id"] for r in releases]


def test_unknown_ocids_have_no_record(client, buying):
    for ocid in ("ocds-cssmkt-nothing", "nothing"):
        response = client.get(f"/api/v1/ocds/records/{ocid}")
        assert response.status_code == 404
        assert response.get_json()["errors"][0]["field"] == "ocid"


def test_a_release_breaking_the_schema_is_caught(buying):
    """The schema check is real: a contract value given annually as a string, a made-up tag
    and a missing date are each reported."""
    procurement = _through_standstill(buying)
    award = copy.deepcopy(releases_for(procurement)[1].release)
    award = json.loads(json.dumps(award, default=float))
    award["tag"] = ["awarded"]
    award["awards"][0]["value"]["amount"] = "lots"
    award["date"] = "3 December 2026"
    errors = release_errors(award)
    assert any(e.startswith("tag/0") for e in errors)
    assert any(e.startswith("awards/0/value/amount") for e in errors)
    assert any(e.startswith("date") for e in errors)


def test_a_recorded_agreement_is_its_own_valid_release(client, buying):
    from ..factories import create_agreement

    agreement = create_agreement(buying.coventry, [buying.market.arden_bi],
                                 status="signed", reference="SLA-05A-001",
                                 start_date=date(2013, 4, 1), end_date=date(2014, 3, 31))
    [release] = _get(client, "/api/v1/ocds/releases/ocds-cssmkt-SLA-05A-001")["releases"]
    assert release_errors(json.loads(json.dumps(release, default=float))) == []
    assert release["contracts"][0]["value"]["amount"] == agreement.annual_value  # 12 months
    record = _get(client, "/api/v1/ocds/records/ocds-cssmkt-SLA-05A-001")["records"][0]
    assert record["compiledRelease"]["contracts"][0]["id"] == "SLA-05A-001"


def test_contract_releases_are_stored_once_and_never_change(buying):
    b = buying
    procurement = _through_standstill(b)
    agreement = draft_agreements_from_award(procurement)[0]
    _sign_both(b, agreement)
    row = db.session.query(OcdsRelease).filter_by(agreement_id=agreement.id).one()
    assert row.release_id == f"{procurement.reference}-contract-{agreement.reference}"
    # A second contract release for the same agreement would repeat its release id.
    with pytest.raises(IntegrityError):
        record_contract_release(agreement)
        db.session.flush()
    db.session.rollback()
    row = db.session.query(OcdsRelease).filter_by(agreement_id=agreement.id).one()
    row.release = {**row.release, "date": "2099-01-01T00:00:00Z"}
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_none_suitable_publishes_an_unsuccessful_tender_update(buying, clock, client):
    """A competition closed with none of the responses suitable says so in its record: a
    tenderUpdate release with tender status "unsuccessful" (OCDS 1.1 tenderStatus codelist),
    dated with the decision, valid against the schema, and no award in it."""
    from marketplace.services import awards

    from .evaluation import closed_competition

    b = buying
    procurement, _found = closed_competition(b, clock)
    awards.none_suitable(b.lead_user, procurement, procurement.lock_version,
                         "Every response is over the budget.")
    rows = releases_for(procurement)
    assert [row.tag for row in rows] == ["tender", "tenderUpdate"]
    update = rows[1].release
    assert update["id"] == f"{ocid_for(procurement)}-02-tenderUpdate"
    assert update["tag"] == ["tenderUpdate"]
    assert update["tender"]["status"] == "unsuccessful"
    assert update["date"] == "2013-01-22T09:00:00Z"  # the pinned clock at the decision
    assert "awards" not in update
    for row in rows:
        assert release_errors(json.loads(json.dumps(row.release, default=float))) == [], row.tag

    [record] = _get(client, f"/api/v1/ocds/records/{ocid_for(procurement)}")["records"]
    assert [r["tag"] for r in record["releases"]] == [["tender"], ["tenderUpdate"]]
    compiled = record["compiledRelease"]
    assert compiled["tender"]["status"] == "unsuccessful"
    assert "awards" not in compiled
    assert release_errors(json.loads(json.dumps(compiled, default=float))) == []
