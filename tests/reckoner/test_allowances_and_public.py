"""The administrators' allowances, the public ready reckoner page, and the charts."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, FinancialYearAllowance
from marketplace.reports.charts import spend_against_headroom_svg, three_year_svg

from ..conftest import html, text_of
from ..factories import make_scenario, scenario_counts

SVG = "{http://www.w3.org/2000/svg}"


def allowance(year: str) -> FinancialYearAllowance:
    return db.session.scalar(
        select(FinancialYearAllowance).where(FinancialYearAllowance.financial_year == year)
    )


def test_the_published_allowances_are_seeded(admin_client):
    page = text_of(admin_client.get("/admin/running-cost-allowances"))
    for year, amount in (("2013/14", "£25.00"), ("2014/15", "£24.73"), ("2015/16", "£22.07")):
        assert f"{year} {amount}" in page


def test_an_admin_changes_an_allowance_and_scenarios_follow(admin_client, ccg_client):
    scenario = make_scenario()
    row = allowance("2013/14")
    response = admin_client.post(f"/admin/running-cost-allowances/{row.id}/edit",
                                 data={"allowance_per_head": "24.50"})
    assert response.status_code == 302
    db.session.expire_all()
    assert allowance("2013/14").allowance_per_head == Decimal("24.50")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "allowance.updated"))
    assert event.changes == {"allowance_per_head": ["25.00", "24.50"]}
    page = text_of(ccg_client.get(f"/scenarios/{scenario.id}"))
    assert "Running cost allowance £11,382,602.00" in page  # 464,596 × £24.50


@pytest.mark.parametrize("value, message", [("-1", "cannot be negative"), ("0", "more than £0"),
                                            ("abc", "Enter an amount"), ("", "Enter the")])
def test_a_bad_allowance_is_refused_at_the_field(admin_client, value, message):
    row = allowance("2014/15")
    before = scenario_counts()
    response = admin_client.post(f"/admin/running-cost-allowances/{row.id}/edit",
                                 data={"allowance_per_head": value})
    assert response.status_code == 200
    assert message in html(response).select_one("#allowance_per_head-error").text
    db.session.expire_all()
    assert allowance("2014/15").allowance_per_head == Decimal("24.73")
    assert scenario_counts() == before


@pytest.mark.parametrize("email", ["ccg@demo.test", "bdu@demo.test", "css@demo.test"])
def test_only_admins_edit_allowances(sign_in, email):
    row = allowance("2013/14")
    client = sign_in(email)
    assert client.get("/admin/running-cost-allowances").status_code == 403
    assert client.post(f"/admin/running-cost-allowances/{row.id}/edit",
                       data={"allowance_per_head": "1"}).status_code == 403


def test_anyone_can_use_the_public_ready_reckoner(client):
    response = client.get("/ready-reckoner?population=175000&financial_year=2013%2F14"
                          "&allowance_per_head=20&fixed_costs=1%2C611%2C000&in_house=")
    page = text_of(response)
    assert "Money for commissioning support £1,889,000.00" in page
    assert "Per head £10.79" in page


def test_the_public_ready_reckoner_warns_in_words(client):
    page = text_of(client.get("/ready-reckoner?population=60000&financial_year=2015%2F16"
                              "&fixed_costs=1611000&in_house=0"))
    assert "Not affordable" in page


@pytest.mark.parametrize("query, field", [("population=-3", "population"),
                                          ("population=abc", "population"),
                                          ("population=1000&financial_year=1999%2F00",
                                           "financial_year"),
                                          ("population=1000&fixed_costs=-1", "fixed_costs")])
def test_the_public_ready_reckoner_explains_bad_input(client, query, field):
    page = html(client.get(f"/ready-reckoner?{query}"))
    assert page.select_one(f"#{field}-error") is not None


def test_charts_are_accessible_svg_with_words():
    svg = spend_against_headroom_svg(
        "2013/14", {"do": Decimal("65000"), "share": Decimal("151456.39"),
                    "buy": Decimal("407252.27")},
        Decimal("623708.66"), Decimal("-1000"), {"do": "Do", "share": "Share", "buy": "Buy"},
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title.get("id") in root.get("aria-labelledby")
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "Share" in texts and "£151,456.39" in texts
    assert "-£1,000.00 (not affordable)" in texts
    assert "shortfall of £624,708.66" in root.find(f"{SVG}desc").text
    assert svg == spend_against_headroom_svg(  # pure: same input, same markup
        "2013/14", {"do": Decimal("65000"), "share": Decimal("151456.39"),
                    "buy": Decimal("407252.27")},
        Decimal("623708.66"), Decimal("-1000"), {"do": "Do", "share": "Share", "buy": "Buy"},
    )


def test_the_three_year_chart_names_every_year():
    svg = three_year_svg([("2013/14", Decimal("100"), Decimal("90")),
                          ("2014/15", Decimal("80"), Decimal("90"))])
    root = ET.fromstring(svg)
    texts = [element.text for element in root.iter(f"{SVG}text")]
    assert "2013/14" in texts and "2014/15" in texts
    widths = [Decimal(rect.get("width")) for rect in root.iter(f"{SVG}rect")]
    assert max(widths) == Decimal("360.0") and min(widths) > 0


def test_chart_labels_are_escaped():
    svg = three_year_svg([("<script>", Decimal("1"), Decimal("1"))])
    assert "<script>" not in svg
    ET.fromstring(svg)
