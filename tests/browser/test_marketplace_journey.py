"""A CCG finds offers, shortlists them, compares them and exports the comparison, in Chromium:
search by keyword and a facet → open an offer → shortlist it there and from the results →
compare side by side → download CSV and XLSX and read them back.
"""

import csv
import re
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from marketplace.services import prospectuses

from ..conftest import user
from ..factories import add_offer, create_spec, organisation, publish
from .conftest import sign_in

pytestmark = pytest.mark.browser

ARDEN, GEM = "Arden CSS", "Greater East Midlands CSS"


@pytest.fixture
def catalogue(app_context):
    """Two CSSs publish through the catalogue services; GEM has revised its prospectus."""
    risk = create_spec("PLN-RSK", "Risk stratification", phase="planning",
                       description="Risk stratification of the registered population")
    support = create_spec("BI-DSS", "Decision support", phase="business_support")
    publish(ARDEN,
            (risk, {"title": "Risk stratification for practices", "price": "0.60"}),
            (support, {"title": "Dashboards for practices", "price": "1.10"}))
    publish(GEM, (risk, {"title": "Risk stratification and case finding", "price": "1.00"}))
    # v2: the price cut after Checkpoint 2, and a dashboard offer mentioning risk.
    draft_risk = prospectuses.draft_for(organisation(GEM).id).draft_offers[0]
    prospectuses.update_offer(None, draft_risk, {
        **{name: getattr(draft_risk, name) for name in (
            "specification_id", "title", "description", "delivery_model", "pricing_model",
            "estimated_quantity", "minimum_term_months", "available_from", "service_levels")},
        "price": Decimal("0.95"),
    })
    add_offer(GEM, support, title="Risk stratification dashboards", price="1.20")
    prospectuses.publish(None, organisation(GEM), lock_version=None)
    return user("ccg@demo.test").organisation.population


def test_search_shortlist_compare_and_export(live_server, page, catalogue, tmp_path):
    population = catalogue
    sign_in(page, live_server, "ccg@demo.test")
    page.goto(f"{live_server}/offers")
    expect(page.locator("h1")).to_have_text("Find offers")

    # Keywords first: three published offers mention risk stratification (GEM's v1 copy
    # was superseded and does not show).
    page.get_by_label("Search words").fill("risk stratification")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results")).to_have_text(
        "3 offers matching “risk stratification”")
    # Then a facet: only the planning phase. The count beside it says what it will leave.
    expect(page.get_by_label(re.compile(r"^Planning \(2\)"))).to_be_visible()
    page.get_by_label(re.compile(r"^Planning")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"/offers\?q=risk\+stratification&phase=planning"))
    expect(page.locator("#results")).to_have_text("2 offers matching “risk stratification”")
    results = page.locator(".nhsuk-card__heading a")
    expect(results).to_have_text(["Risk stratification for practices",
                                  "Risk stratification and case finding"])
    search_url = page.url

    # Open the first offer: its cost at the CCG's population, then shortlist it from there.
    results.first.click()
    expect(page.locator("h1")).to_have_text("Risk stratification for practices")
    expect(page.get_by_text(f"At your registered population of {population:,}")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Add to shortlist")).click()
    expect(page.get_by_text("Added to your shortlist for Risk stratification.")).to_be_visible()
    expect(page.get_by_text("On your shortlist")).to_be_visible()
    buy = page.get_by_role("link", name=re.compile("Buy from this provider"))
    expect(buy).to_have_attribute("href", re.compile(r"/procurements$"))

    # Back to the results, open the other offer, then shortlist it from the results list.
    page.goto(search_url)
    page.get_by_role("link", name="Risk stratification and case finding").click()
    expect(page.get_by_text("Greater East Midlands CSS").first).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\s*Version 2 \(published"))).to_be_visible()
    page.go_back()
    expect(page.get_by_text("On your shortlist")).to_have_count(1)  # the Arden offer
    page.get_by_role("button", name=re.compile(
        r"^Add to shortlist\W+Risk stratification and case finding")).click()
    expect(page).to_have_url(search_url)  # the button brings the CCG back to its search
    expect(page.get_by_text("Added to your shortlist for Risk stratification.")).to_be_visible()
    expect(page.get_by_text("On your shortlist")).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("^Add to shortlist"))).to_have_count(0)

    # Compare them side by side from the shortlists page.
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Shortlists").click()
    expect(page.locator("h2[id^=shortlist-]")).to_have_text(["Risk stratification"])
    page.get_by_label("Compare Risk stratification for practices from Arden CSS").check()
    page.get_by_label(
        "Compare Risk stratification and case finding from Greater East Midlands CSS").check()
    page.get_by_role("button", name=re.compile("Compare selected offers")).click()
    expect(page.locator("h1")).to_have_text("Compare offers")
    expect(page.locator("thead th")).to_have_text(
        ["Risk stratification for practices", "Risk stratification and case finding"])
    arden_year = Decimal("0.60") * population
    gem_year = Decimal("0.95") * population
    year_row = page.locator("tr", has=page.locator("th", has_text="£ a year for you"))
    expect(year_row.locator("td")).to_have_text([f"£{arden_year:,.2f}", f"£{gem_year:,.2f}"])

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download as CSV").click()
    assert csv_download.value.suggested_filename == "offer-comparison.csv"
    with open(csv_download.value.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Provider"] for row in rows] == [ARDEN, GEM]
    assert [row["Prospectus version"] for row in rows] == ["v1", "v2"]
    assert [Decimal(row["£ a year"]) for row in rows] == [arden_year, gem_year]
    assert [row["£ per head a year"] for row in rows] == ["0.60", "0.95"]

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download as Excel (XLSX)").click()
    assert xlsx_download.value.suggested_filename == "offer-comparison.xlsx"
    saved = tmp_path / "comparison.xlsx"
    xlsx_download.value.save_as(saved)
    sheet = load_workbook(saved).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[1][:2] == ["Registered population", population]
    header = next(i for i, row in enumerate(values) if row and row[0] == "Offer number")
    columns = values[header]
    offers = [dict(zip(columns, row, strict=False)) for row in values[header + 1:] if row[0]]
    assert [o["Offer"] for o in offers] == ["Risk stratification for practices",
                                            "Risk stratification and case finding"]
    assert [Decimal(str(o["£ a year"])) for o in offers] == [arden_year, gem_year]
    assert all(o["Assurance status"] == "Not yet assessed" for o in offers)
