"""A joint statement of requirements in real Chromium: the lead CCG builds it from the
catalogue and invites a partner, who confirms its own lines on a phone-sized screen."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from marketplace.domain.money import format_money
from marketplace.domain.statements import POPULATION, Party, split_between

from ..conftest import user
from ..factories import build_market, ccg
from ..procurements.conftest import make_user
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def partner(app_context):
    build_market()
    south = ccg("05R")
    partner_user = make_user("sam.south@example.nhs.uk", "Sam Field", south)
    # The demo password, so that the partner signs in through the real form.
    partner_user.password_hash = user("ccg@demo.test").password_hash
    from marketplace.extensions import db

    db.session.commit()
    return partner_user


def test_a_ccg_builds_a_joint_statement_and_a_partner_confirms(live_server, new_context,
                                                               partner):
    lead = new_context().new_page()
    sign_in(lead, live_server, "ccg@demo.test")
    lead.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Statements").click()
    lead.get_by_role("button", name="Start a statement").click()
    lead.get_by_label("Title").fill("Arden business intelligence from April 2013")
    lead.get_by_label("Summary").fill("One service for Coventry and South Warwickshire.")
    start = lead.get_by_role("group", name="When the support should start")
    start.get_by_label("Day").fill("1")
    start.get_by_label("Month").fill("4")
    start.get_by_label("Year").fill("2013")
    lead.get_by_label("Term in months").fill("18")
    lead.get_by_role("button", name="Start the statement").click()
    expect(lead.get_by_text("Statement started.")).to_be_visible()

    lead.get_by_role("button", name="Add a specification your CCG needs").click()
    lead.get_by_label("Specification").select_option(label="Business intelligence (Planning)")
    lead.get_by_label("Buy", exact=True).check()
    lead.get_by_label("High").check()
    lead.get_by_label("Local service levels").fill("Monthly dashboard: by the 10th working day")
    lead.get_by_label("Budget a year (£)").fill("2x")
    lead.get_by_role("button", name="Save the line").click()
    expect(lead.locator(".nhsuk-error-summary")).to_contain_text("Enter the budget in pounds")
    lead.get_by_label("Budget a year (£)").fill("150,000")
    lead.get_by_role("button", name="Save the line").click()
    expect(lead.get_by_text("The line for Business intelligence has been saved.")).to_be_visible()
    expect(lead.get_by_text("Monthly dashboard: by the 10th working day")).to_be_visible()

    lead.get_by_role("link", name="Invite other CCGs to a joint statement").click()
    lead.get_by_label("CCG to invite").select_option(
        label="NHS South Warwickshire CCG (Arden PCT Cluster)")
    lead.get_by_role("button", name="Invite the CCG").click()
    expect(lead.get_by_text("NHS South Warwickshire CCG has been invited.")).to_be_visible()
    lead.get_by_role("link", name="Back to the statement").click()
    lead.get_by_role("button", name="Confirm our lines").click()
    expect(lead.get_by_text("Your CCG's lines are confirmed.")).to_be_visible()

    phone = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(phone, live_server, "sam.south@example.nhs.uk")
    phone.goto(f"{live_server}/statements")
    expect(phone.get_by_text("Your CCG has been invited to take part in:")).to_be_visible()
    phone.get_by_role("link", name="Arden business intelligence from April 2013").first.click()
    phone.get_by_role("button", name="Add a specification your CCG needs").click()
    phone.get_by_label("Specification").select_option(label="Business intelligence (Planning)")
    phone.get_by_label("Budget a year (£)").fill("80000")
    phone.get_by_role("button", name="Save the line").click()
    phone.get_by_role("button", name="Confirm our lines").click()
    expect(phone.get_by_text("Your CCG's lines are confirmed.")).to_be_visible()
    expect(phone.get_by_text("Ready to buy").first).to_be_visible()
    # The page fits the phone: nothing scrolls sideways but the tables' own scroll boxes.
    assert overflowing(phone) == []

    lead.reload()
    expect(lead.get_by_text("Ready to buy").first).to_be_visible()
    parts = split_between(Decimal("230000"), [Party("05A", 464_596), Party("05R", 271_809)],
                          POPULATION)
    table = lead.get_by_role("table", name="By population; the eventual cost is split the "
                                            "same way")
    expect(table).to_contain_text(format_money(parts["05A"]))
    expect(table).to_contain_text(format_money(parts["05R"]))
    lead.get_by_role("link", name="Start buying it").click()
    expect(lead.locator("h1")).to_have_text(
        "Start buying “Arden business intelligence from April 2013”")
