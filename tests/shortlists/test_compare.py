import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from ..conftest import html, text_of


def compare_url(*offers, path="/shortlists/compare"):
    return path + "?" + "&".join(f"offer={offer.id}" for offer in offers)


def test_side_by_side_at_the_ccgs_population(ccg_client, market):
    response = ccg_client.get(
        compare_url(market.arden_bi, market.gem_bi, market.meridian_bi, market.arden_comms)
    )
    assert response.status_code == 200
    page = html(response)
    headers = [th.get_text(strip=True) for th in page.select("thead th")]
    assert headers == [
        "Arden business intelligence",
        "GEM business intelligence",
        "Meridian analytics at scale",
        "Arden communications",
    ]
    rows = {
        tr.select_one("th").get_text(strip=True): [
            td.get_text(" ", strip=True) for td in tr.select("td")
        ]
        for tr in page.select("tbody tr")
    }
    # 464,596 people: £12, £9.50 and £0.75 a head; 200 days at £600.
    assert rows["£ a year for you"] == [
        "£5,575,152.00",
        "£4,413,662.00",
        "£348,447.00",
        "£120,000.00",
    ]
    assert rows["£ per head a year"] == ["£12.00", "£9.50", "£0.75", "£0.26"]
    assert rows["Provider"] == [
        "Arden CSS",
        "Greater East Midlands CSS",
        "Meridian Commissioning Partners Ltd",
        "Arden CSS",
    ]
    assert rows["Minimum term"] == ["12 months"] * 4
    assert rows["Assurance status"] == ["Not yet assessed"] * 4
    assert rows["Prospectus version"][0] == "v2 Published"
    assert "Monthly dashboard: By working day 10" in rows["Service levels"][0]


def test_more_than_five_offers_get_a_clear_message(ccg_client, market):
    offers = [
        market.arden_bi,
        market.arden_contracts,
        market.arden_comms,
        market.gem_bi,
        market.gem_contracts,
        market.meridian_bi,
    ]
    response = ccg_client.get(compare_url(*offers))
    assert response.status_code == 400
    summary = html(response).select_one(".nhsuk-error-summary").get_text(" ", strip=True)
    assert "You can compare up to 5 offers at a time. You chose 6" in summary
    export = ccg_client.get(compare_url(*offers, path="/shortlists/compare.csv"))
    assert export.status_code == 400 and export.mimetype == "text/html"


def test_no_offers_chosen(ccg_client, market):
    response = ccg_client.get("/shortlists/compare")
    assert response.status_code == 400
    assert "Choose at least one offer to compare" in text_of(response)


@pytest.mark.parametrize("query", ["offer=abc", "offer=1;drop"])
def test_bad_offer_numbers(ccg_client, market, query):
    response = ccg_client.get("/shortlists/compare?" + query)
    assert response.status_code == 400
    assert "is not an offer number" in text_of(response)


def test_draft_and_unknown_offers_are_not_found(ccg_client, market):
    assert ccg_client.get(compare_url(market.arden_draft_bi)).status_code == 404
    assert ccg_client.get("/shortlists/compare?offer=999999").status_code == 404


def test_compare_is_for_ccg_users_only(sign_in, market):
    for email in ("css@demo.test", "bdu@demo.test", "admin@demo.test"):
        assert sign_in(email).get(compare_url(market.arden_bi)).status_code == 403


def test_csv_export_parses_back(ccg_client, market):
    response = ccg_client.get(
        compare_url(market.arden_bi, market.gem_contracts, path="/shortlists/compare.csv")
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [row["Offer"] for row in rows] == [
        "Arden business intelligence",
        "GEM contract monitoring",
    ]
    assert [Decimal(row["£ a year"]) for row in rows] == [
        Decimal("5575152.00"),
        Decimal("150000.00"),
    ]
    assert [row["£ per head a year"] for row in rows] == ["12.00", "0.32"]
    assert rows[1]["Price as offered"] == "£150.00 a case, about 1000 cases a year"
    assert rows[0]["Assurance status"] == "Not yet assessed"
    assert rows[0]["Prospectus version"] == "v2"


def test_xlsx_export_has_money_as_numbers_in_pounds(ccg_client, market):
    response = ccg_client.get(
        compare_url(market.arden_contracts, market.meridian_bi, path="/shortlists/compare.xlsx")
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.get_data()))
    sheet = workbook["Comparison"]
    assert sheet["A1"].value == "Offers compared for NHS Coventry and Rugby CCG"
    assert sheet["B2"].value == 464596
    header = [cell.value for cell in sheet[4]]
    annual = header.index("£ a year") + 1
    per_head = header.index("£ per head a year") + 1
    first, second = sheet[5], sheet[6]
    assert first[1].value == "Arden contract monitoring"
    assert isinstance(first[annual - 1].value, int | float)
    assert Decimal(str(first[annual - 1].value)) == Decimal("250000")
    assert Decimal(str(second[annual - 1].value)) == Decimal("348447")
    assert Decimal(str(second[per_head - 1].value)) == Decimal("0.75")
    assert "£" in first[annual - 1].number_format
    assert first[header.index("Minimum term (months)")].value == 24


def test_formula_like_text_is_defused_in_exports(ccg_client, market):
    market.arden_bi.title = '=HYPERLINK("http://evil.example")'
    from marketplace.extensions import db

    db.session.commit()
    csv_text = ccg_client.get(
        compare_url(market.arden_bi, path="/shortlists/compare.csv")
    ).get_data(as_text=True)
    [row] = list(csv.DictReader(io.StringIO(csv_text)))
    assert row["Offer"].startswith("'=")
    sheet = load_workbook(
        io.BytesIO(
            ccg_client.get(compare_url(market.arden_bi, path="/shortlists/compare.xlsx")).get_data()
        )
    )["Comparison"]
    assert sheet["B5"].value.startswith("'=")
    assert sheet["B5"].data_type == "s"
