"""/api/v1/opportunities: published competitions as open data, paginated, without bids."""

from datetime import date

import pytest

from marketplace.extensions import db
from marketplace.models import ProcurementStatus
from marketplace.services import procurements

from ..factories import (
    award,
    make_statement,
    published_competition,
    set_up_competition,
    uk,
    winning_bid,
)


def _list(client, query=""):
    response = client.get(f"/api/v1/opportunities{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _darlington_competition(b, *, title):
    statement = make_statement(b.darlington, [(b.darlington, b.market.contracts, "90000.00",
                                               None)], title=title)
    procurement = procurements.start_procurement(
        b.other_ccg_user, statement, "further_competition", "Test the market.")
    procurements.set_details(
        b.other_ccg_user, procurement, procurement.lock_version, title=title,
        description="Contract monitoring.", budget_shown=False,
        clarifications_close_at=uk(date(2013, 1, 14)), closes_at=uk(date(2013, 1, 22)))
    procurements.set_evaluators(b.other_ccg_user, procurement, procurement.lock_version,
                                [b.other_ccg_user.id])
    return procurements.publish(b.other_ccg_user, procurement, procurement.lock_version)


def test_published_competitions_are_listed_without_sign_in_and_drafts_are_not(buying, client):
    b = buying
    open_one = published_competition(b)
    _darlington_competition(b, title="Contract monitoring for Darlington")
    listing = _list(client)
    assert listing["total"] == 2 and listing["page"] == 1 and listing["pages"] == 1
    by_reference = {item["reference"]: item for item in listing["items"]}
    item = by_reference[open_one.reference]
    assert item["status"] == "open" and item["status_label"] == "Open for responses"
    assert item["ocid"] == f"ocds-cssmkt-{open_one.reference}"
    assert [buyer["name"] for buyer in item["buyers"]] == [
        "NHS Coventry and Rugby CCG", "NHS South Warwickshire CCG"]
    assert item["buyers"][0]["lead"] is True
    assert {spec["code"] for spec in item["specifications"]} == {
        b.market.bi.code, b.market.contracts.code}
    assert [(c["kind"], c["weight"]) for c in item["criteria"]] == [
        ("quality", 35), ("quality", 25), ("price", 40)]
    # Shown budget: £330,000 a year over 18 months.
    assert item["budget_over_full_term"] == "495000.00"
    assert item["closes_at"] == "2013-01-21T17:00:00+00:00"
    assert item["award"] is None
    withheld = next(i for i in listing["items"] if i["reference"] != open_one.reference)
    assert withheld["budget_over_full_term"] is None


def test_a_draft_competition_is_not_an_opportunity_yet(buying, client):
    set_up_competition(buying)
    assert _list(client)["items"] == []


def test_closed_and_awarded_ones_stay_listed_without_bid_contents(buying, client, clock):
    b = buying
    procurement = published_competition(b)
    bid = winning_bid(b, procurement)
    bid.summary = "SECRET-BID-SUMMARY"
    db.session.commit()
    # Past the closing time: closed, even before the clock job moves it.
    clock.set(uk(date(2013, 1, 22)))
    [item] = _list(client)["items"]
    assert item["status"] == "evaluation"
    assert _list(client, "?status=evaluation")["total"] == 1
    assert _list(client, "?status=open")["total"] == 0

    db.session.delete(bid)
    db.session.commit()
    award(b, procurement, status=ProcurementStatus.STANDSTILL)
    bid = procurement.decision.winning_bid
    bid.summary = "SECRET-BID-SUMMARY"
    db.session.commit()
    response = client.get("/api/v1/opportunities?status=standstill")
    [item] = response.get_json()["items"]
    annual = sum(line.annual_cost for line in bid.lines)
    assert item["award"]["supplier"] == "Arden CSS"
    assert item["award"]["value_over_full_term"] == f"{annual * 3 / 2:.2f}"
    body = response.get_data(as_text=True)
    for secret in ("SECRET-BID-SUMMARY", str(bid.lines[0].price), "per_head", "answers"):
        assert secret not in body


def test_pages_and_links(buying, client):
    b = buying
    published_competition(b)
    _darlington_competition(b, title="Second")
    first = _list(client, "?per_page=1")
    assert first["total"] == 2 and first["pages"] == 2 and len(first["items"]) == 1
    assert first["links"]["next"] == "http://localhost/api/v1/opportunities?page=2&per_page=1"
    assert "prev" not in first["links"]
    second = _list(client, "?per_page=1&page=2")
    assert "next" not in second["links"] and second["links"]["prev"].endswith("page=1&per_page=1")
    assert second["items"][0]["reference"] != first["items"][0]["reference"]
    assert _list(client, "?per_page=1&page=3")["items"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("?page=0", "page"), ("?page=²", "page"), ("?page=1e3", "page"), ("?page=-1", "page"),
    ("?page=99999999999999999999", "page"), ("?per_page=101", "per_page"),
    ("?per_page=%00", "per_page"), ("?status=draft", "status"), ("?status=<b>x</b>", "status"),
])
def test_bad_queries_are_refused_at_the_field(client, query, field):
    response = client.get(f"/api/v1/opportunities{query}")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == field


def test_the_openapi_document_describes_opportunities(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/opportunities"]["get"]
    assert operation["security"] == []
    assert {p["name"] for p in operation["parameters"]} == {"status", "page", "per_page"}
    assert "Opportunity" in document["components"]["schemas"]
    assert "getOcdsRecord" == document["paths"]["/ocds/records/{ocid}"]["get"]["operationId"]
