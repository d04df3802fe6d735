"""A CCG shortlists offers, compares them and downloads the comparison, in real Chromium.

It starts from the shortlists page; once the catalogue's search page is merged, the journey
search → shortlist → compare → export is joined up from there.
"""

import csv
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ..factories import build_market
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def market(app_context):
    return build_market()


def add_by_number(page, offer_id):
    page.get_by_text("Add an offer by its number").click()
    page.get_by_label("Offer number").fill(str(offer_id))
    page.get_by_role("button", name="Add to shortlist", exact=True).click()


def test_shortlist_compare_and_download_csv(live_server, page, market):
    sign_in(page, live_server, "ccg@demo.test")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Shortlists").click()
    expect(page.locator("h1")).to_have_text("Your shortlists")
    expect(page.get_by_text("You have not shortlisted any offers yet")).to_be_visible()

    for offer in (market.arden_bi, market.gem_bi, market.meridian_bi):
        add_by_number(page, offer.id)
        expect(
            page.get_by_text("Added to your shortlist for Business intelligence.")
        ).to_be_visible()
    expect(page).to_have_url(f"{live_server}/shortlists")
    expect(page.locator("h2[id^=shortlist-]")).to_have_text(["Business intelligence"])

    page.get_by_label("Compare Arden business intelligence from Arden CSS").check()
    page.get_by_label("Compare GEM business intelligence from Greater East Midlands CSS").check()
    page.get_by_role("button", name=re.compile("Compare selected offers")).click()

    expect(page.locator("h1")).to_have_text("Compare offers")
    headers = page.locator("thead th")
    expect(headers).to_have_text(["Arden business intelligence", "GEM business intelligence"])
    year_row = page.locator("tr", has=page.locator("th", has_text="£ a year for you"))
    expect(year_row.locator("td")).to_have_text(["£5,575,152.00", "£4,413,662.00"])
    expect(page.get_by_text("Not yet assessed").first).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "offer-comparison.csv"
    with open(download.path(), newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["Provider"] for row in rows] == ["Arden CSS", "Greater East Midlands CSS"]
    assert [Decimal(row["£ a year"]) for row in rows] == [
        Decimal("5575152.00"),
        Decimal("4413662.00"),
    ]
    assert [row["£ per head a year"] for row in rows] == ["12.00", "9.50"]


def test_too_many_offers_and_the_add_button_without_javascript(live_server, new_context, market):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, "ccg@demo.test")
    offers = [
        market.arden_bi,
        market.gem_bi,
        market.meridian_bi,
        market.arden_contracts,
        market.gem_contracts,
        market.arden_comms,
    ]
    # A search page links to a comparison like this; six is one too many.
    page.goto(f"{live_server}/shortlists/compare?" + "&".join(f"offer={o.id}" for o in offers))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("You can compare up to 5 offers at a time. You chose 6")

    # The shared "Add to shortlist" button, as the offer and search pages will show it.
    page.goto(f"{live_server}/shortlists/compare?offer={market.arden_bi.id}")
    page.get_by_role("button", name=re.compile("^Add to shortlist")).click()
    expect(page).to_have_url(f"{live_server}/shortlists/compare?offer={market.arden_bi.id}")
    expect(page.get_by_text("Added to your shortlist for Business intelligence.")).to_be_visible()
    expect(page.get_by_text("On your shortlist")).to_be_visible()

    page.goto(f"{live_server}/shortlists")
    page.get_by_role("link", name="Remove Arden business intelligence from Arden CSS").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("off your shortlist?")
    page.get_by_role("button", name="Take it off the shortlist").click()
    expect(page.get_by_text("was taken off your shortlist")).to_be_visible()
    expect(page.get_by_text("You have not shortlisted any offers yet")).to_be_visible()
