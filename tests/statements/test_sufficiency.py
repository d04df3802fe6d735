"""Whole-market sufficiency: the BDU's page, CSV, XLSX and API; everybody else refused.

Arden CSS plans £6,000,000 from NHS Coventry and Rugby CCG (05A) and £1,000,000 from NHS
Warwickshire North CCG (05H) in 2013/14, and £500,000 from the Board; Greater East Midlands
CSS plans £4,003,900.01 from Coventry. Coventry's headroom (464,596 × £25.00 less the
reckoner's default £1,611,000 of fixed costs) is £10,003,900.00: its suppliers plan a penny
more than it can afford. Coventry states an intention to buy business intelligence at
£120,000 a year.
"""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from marketplace.extensions import db
from marketplace.models import BusinessPlan, PlanStatus
from marketplace.services import plan_income, statements

from ..conftest import html, text_of
from ..factories import ARDEN, GEM, make_scenario, mixed_lines, organisation
from ..queries import counting_statements
from .conftest import line, started

YEARS = ["2013/14", "2014/15", "2015/16", "2016/17"]


def plan(name: str, by_customer: dict[str, str]) -> BusinessPlan:
    total = str(sum(Decimal(amount) for amount in by_customer.values()))
    made = BusinessPlan(
        organisation=organisation(name),
        version=1,
        status=PlanStatus.DRAFT,  # income is written to a draft; then it is submitted
        financial_model={
            "years": YEARS,
            "income_by_customer": {"2013/14": by_customer},
            "income_by_service_line": {"2013/14": {"BI-01": total}},
        },
    )
    db.session.add(made)
    plan_income.replace_for(made)
    db.session.flush()
    made.status = PlanStatus.SUBMITTED
    return made


@pytest.fixture
def market_world(arden):
    statement = started(arden, "Coventry support")
    statements.save_line(arden.lead, statement, line(arden.market.bi, budget_annual="120000"), None)
    plan(ARDEN, {"05A": "6000000.00", "05H": "1000000.00", "board": "500000.00"})
    plan(GEM, {"05A": "4003900.01"})
    db.session.commit()
    return arden


def test_the_bdu_sees_a_ccg_a_penny_over_its_headroom(market_world, bdu_client):
    response = bdu_client.get("/demand/sufficiency")
    assert response.status_code == 200
    page = html(response)
    over = page.select_one("#over").find_next("table").get_text(" ", strip=True)
    assert "NHS Coventry and Rugby CCG" in over
    assert "£10,003,900.01" in over and "£10,003,900.00" in over and "£0.01" in over
    assert "Arden CSS, Greater East Midlands CSS" in over
    assert "NHS Warwickshire North CCG" not in over  # £1,000,000 of £2,985,300.00
    warning = page.select_one("#over-warning").get_text(" ", strip=True)
    assert "1 CCG in 2013/14" in warning
    text = page.get_text(" ", strip=True)
    assert "£500,000.00 (counted for no CCG)" in text
    regions = page.select_one("#regions").find_next("table").get_text(" ", strip=True)
    assert "Highly concentrated" in regions
    # In 2015/16 nobody plans anything, so no CCG is over.
    later = text_of(bdu_client.get("/demand/sufficiency?year=2015/16"))
    assert "None: in 2015/16 every CCG's suppliers together plan no more" in later
    # A year we hold no allowance for falls back to the first, not an error.
    assert bdu_client.get("/demand/sufficiency?year=1999/00").status_code == 200


def test_the_demand_page_and_navigation_lead_the_bdu_there(market_world, bdu_client):
    page = html(bdu_client.get("/demand"))
    assert page.find("a", string="whole-market sufficiency")["href"] == "/demand/sufficiency"
    assert "Sufficiency" in [a.get_text(strip=True) for a in page.select("header a")]


def test_csv_and_xlsx_downloads(market_world, bdu_client):
    response = bdu_client.get("/demand/sufficiency.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = response.get_data(as_text=True).splitlines()
    assert rows[0].startswith("Financial year,CCG,ODS code,Region,PCT cluster")
    coventry = next(r for r in rows if r.startswith("2013/14,NHS Coventry and Rugby CCG"))
    assert ",10003900.01,10003900.00,0.01,120000.00," in coventry
    response = bdu_client.get("/demand/sufficiency.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == [
        "CCGs",
        "Regions",
        "PCT clusters",
        "Specifications",
        "Nobody plans to supply",
        "Market shares",
    ]
    sheet = book["CCGs"]
    found = next(
        row for row in sheet.iter_rows(values_only=True) if row[0] == "2013/14" and row[2] == "05A"
    )
    assert Decimal(str(found[6])) == Decimal("10003900.01")  # a number, not text
    assert sheet.cell(row=2, column=7).number_format.startswith('"£"')


def test_the_api_answers_the_bdu(market_world, bdu_client):
    response = bdu_client.get("/api/v1/market/sufficiency?year=2013/14")
    assert response.status_code == 200
    (year,) = response.get_json()["years"]
    assert year["financial_year"] == "2013/14"
    coventry = next(c for c in year["ccgs"] if c["ods_code"] == "05A")
    assert coventry["planned_income"] == "10003900.01"
    assert coventry["headroom"] == "10003900.00"
    assert coventry["over_headroom"] == "0.01"
    assert coventry["intention"] == "120000.00"
    assert coventry["affordable"] is False
    assert year["ccgs_over_headroom"] == ["05A"]
    assert year["other_customers_income"] == "500000.00"
    # Business intelligence from CCGs: Arden £7,000,000.00, GEM £4,003,900.01, of
    # £11,003,900.01: 63.6% and 36.4%, HHI 63.61…² + 36.38…² = 5,371.
    bi = next(s for s in year["specifications"] if s["name"] == "Business intelligence")
    assert bi["planned_income"] == "11003900.01"
    assert bi["intention"] == "120000.00"
    assert [(s["provider"], s["percent"]) for s in bi["concentration"]["shares"]] == [
        ("Arden CSS", "63.6"),
        ("Greater East Midlands CSS", "36.4"),
    ]
    assert bi["concentration"]["hhi"] == 5371
    assert "Contract monitoring" in [s["name"] for s in year["unsupplied_specifications"]]
    assert year["income_not_tied_to_a_specification"] == "0.00"
    for rollup in year["regions"] + year["pct_clusters"] + year["specifications"]:
        assert 0 <= rollup["concentration"]["hhi"] <= 10000
    everything = bdu_client.get("/api/v1/market/sufficiency").get_json()
    assert [y["financial_year"] for y in everything["years"]] == ["2013/14", "2014/15", "2015/16"]
    bad = bdu_client.get("/api/v1/market/sufficiency?year=2020/21")
    assert bad.status_code == 400
    assert bad.get_json()["errors"][0]["field"] == "year"


@pytest.mark.parametrize(
    "email", ["ccg@demo.test", "css@demo.test", "peer@demo.test", "admin@demo.test"]
)
def test_everybody_else_is_refused(market_world, sign_in, email):
    client = sign_in(email)
    for url in (
        "/demand/sufficiency",
        "/demand/sufficiency.csv",
        "/demand/sufficiency.xlsx",
        "/api/v1/market/sufficiency",
    ):
        assert client.get(url).status_code == 403, (email, url)
    assert "Sufficiency" not in text_of(client.get("/dashboard"))


def test_signed_out_is_sent_to_sign_in_or_told_401(market_world, client):
    assert client.get("/demand/sufficiency").status_code in (302, 303)
    assert client.get("/api/v1/market/sufficiency").status_code == 401


def test_sql_totals_match_the_domain_on_the_rows(market_world):
    """The service adds intentions and planned income up in SQL; the figures are those the
    domain works out from every row, and one year alone is that year of every year."""
    from marketplace.domain import sufficiency as rules
    from marketplace.services import sufficiency as service

    arden = market_world
    second = started(arden, "Contracts and more intelligence")
    statements.save_line(
        arden.lead, second, line(arden.market.contracts, budget_annual="250000.01"), None
    )
    third = started(arden, "A second look at intelligence")
    statements.save_line(arden.lead, third, line(arden.market.bi, budget_annual="80000.49"), None)
    db.session.commit()

    rows = service.intentions()
    assert len(rows) == 3
    in_sql = service.intention_totals()
    in_python = rules.intention_totals(rows)
    assert in_sql.by_ccg == in_python.by_ccg == {arden.coventry.id: Decimal("450000.50")}
    assert in_sql.by_specification == in_python.by_specification == {
        arden.market.bi.id: Decimal("200000.49"),
        arden.market.contracts.id: Decimal("250000.01"),
    }
    assert in_sql.ccgs_by_specification == in_python.ccgs_by_specification
    assert in_sql.ccgs_by_specification[arden.market.bi.id] == 1

    everything = service.sufficiency()
    one = service.sufficiency(("2013/14",))
    assert one.year("2013/14") == everything.year("2013/14")
    income = service.planned_income()
    assert sorted(income, key=repr) == sorted(
        service.planned_income(tuple(YEARS)), key=repr
    )
    assert sum(row.amount for row in income) == Decimal("11503900.01")


def test_the_table_of_every_ccg_is_paged(market_world, bdu_client, monkeypatch):
    from marketplace.statements import sufficiency as view

    everyone = html(bdu_client.get("/demand/sufficiency"))
    names = [row.td.get_text(strip=True)
             for row in everyone.select_one("#ccgs").find_next("table").select("tbody tr")]
    assert len(names) == min(view.CCGS_PAGE_SIZE, 211)  # every CCG in England in the world
    monkeypatch.setattr(view, "CCGS_PAGE_SIZE", 1)
    second = html(bdu_client.get("/demand/sufficiency?year=2013/14&page=2"))
    rows = second.select_one("#ccgs").find_next("table").select("tbody tr")
    assert [row.td.get_text(strip=True) for row in rows] == [names[1]]
    assert second.select_one("#ccgs").find_next("details").has_attr("open")
    summary = second.select_one("#ccgs").find_next("summary").get_text(" ", strip=True)
    assert summary == "All 211 CCGs in 2013/14 (page 2 of 211, by name)"
    # the over-headroom table is not paged
    assert "Coventry" in second.select_one("#over").find_next("table").get_text()
    past = bdu_client.get("/demand/sufficiency?page=212")
    assert past.status_code == 404


def test_the_page_runs_as_many_queries_for_many_ccg_plans_as_for_one(market_world, bdu_client):
    """Each CCG's headroom comes from its latest scenario: the scenarios, their costs and
    roles (and a draft's allowances) are read for all CCGs at once, not per CCG; their lines,
    which the headroom does not depend on, not at all."""
    make_scenario("ccg@demo.test", lines=mixed_lines())
    db.session.commit()
    with counting_statements() as one:
        assert bdu_client.get("/demand/sufficiency").status_code == 200
    make_scenario("nina.north@example.nhs.uk", name="North", population=183_852,
                  lines=mixed_lines()[:3])
    make_scenario("ccg2@demo.test", name="Darlington", population=106_079,
                  lines=mixed_lines())
    db.session.commit()
    with counting_statements() as three:
        page = bdu_client.get("/demand/sufficiency")
        assert page.status_code == 200
    assert len(three) == len(one)
