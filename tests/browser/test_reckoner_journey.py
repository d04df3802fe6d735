"""A CCG finance lead builds a scenario, copies and changes it, compares the two and
downloads the spreadsheet, in real Chromium and without relying on JavaScript."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_a_ccg_builds_compares_and_exports_a_scenario(live_server, page):
    sign_in(page, live_server, "ccg@demo.test")
    page.locator('nav[aria-label="Main menu"]').get_by_role("link", name="Scenarios").click()
    page.get_by_role("link", name="Create a scenario").click()

    expect(page.get_by_label("Registered population")).to_have_value("464596")
    page.get_by_label("Scenario name").fill("Worked example")
    page.get_by_label("Registered population").fill("175,000")
    page.get_by_label("Allowance per head, if not the published one").fill("20")

    # More rows come from the server, not from a script.
    page.get_by_role("button", name="Add more service lines").click()
    expect(page.locator("fieldset.marketplace-line")).to_have_count(6)
    expect(page.get_by_label("Scenario name")).to_have_value("Worked example")

    page.locator("#lines-0-service").fill("Business intelligence")
    page.locator("#lines-0-mode").select_option("buy")
    page.locator("#lines-0-pricing_model").select_option("per_head")
    page.locator("#lines-0-price").fill("0.85")
    page.locator("#lines-4-service").fill("Contract management")
    page.locator("#lines-4-mode").select_option("do")
    page.locator("#lines-4-wte").fill("1.5")
    page.locator("#lines-4-cost_per_wte").fill("40,000")
    page.get_by_role("button", name="Save scenario").click()

    summary = page.locator("#reckoner-summary")
    expect(summary).to_contain_text("£3,500,000.00")
    expect(summary).to_contain_text("£1,889,000.00")
    expect(summary).to_contain_text("£10.79")
    expect(page.locator("#service-lines")).to_contain_text("£148,750.00")
    expect(page.locator("svg.marketplace-chart title").first).to_contain_text("Spend by mode")
    first_url = page.url

    # A mistake is explained at the field and in the summary, and nothing is lost.
    page.get_by_role("button", name="Copy as a new draft").click()
    expect(page.get_by_label("Scenario name")).to_have_value("Copy of Worked example")
    page.get_by_label("Scenario name").fill("Leaner")
    page.get_by_label("Registered population").fill("-5")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a population between")
    page.locator(".nhsuk-error-summary").get_by_role("link").first.click()
    expect(page.get_by_label("Registered population")).to_be_focused()
    page.get_by_label("Registered population").fill("200000")
    page.locator("#lines-1-wte").fill("0.5")
    page.get_by_role("button", name="Save scenario").click()
    expect(page.locator("h1")).to_have_text("Leaner")
    expect(page.locator("#reckoner-summary")).to_contain_text("£2,389,000.00")

    page.get_by_role("link", name="Compare with another scenario").click()
    page.get_by_label("Second scenario").select_option(label="Worked example")
    page.get_by_role("button", name="Compare").click()
    comparison = page.locator("#comparison")
    expect(comparison).to_contain_text("Leaner")
    expect(comparison).to_contain_text("£1,889,000.00")
    expect(comparison).to_contain_text("£2,389,000.00")

    page.goto(first_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a spreadsheet (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(open(download.path(), "rb").read()))
    figures = {(row[0], row[1]): row[2]
               for row in book["Results"].iter_rows(min_row=2, values_only=True)}
    budget = figures[("Ready reckoner 2013/14", "Money for commissioning support")]
    assert Decimal(str(budget)) == Decimal("1889000")
