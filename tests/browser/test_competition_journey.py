"""A competition in real Chromium, with three users: a CCG publishes an opportunity, a CSS
asks a question, the CCG answers, a second CSS reads the answer (without the asker's name)
and submits a response."""

import pytest
from playwright.sync_api import expect

from ..procurements.conftest import buying, clock  # noqa: F401  (fixtures)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser


def fill_date(page, legend: str, day: str, month: str, year: str, at: str) -> None:
    group = page.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)
    group.get_by_label("Time").fill(at)


def test_publish_ask_answer_and_respond(live_server, new_context, buying):  # noqa: F811
    ccg = new_context().new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Procurements").click()
    ccg.get_by_role("link", name="Start buying “Business intelligence and contract "
                                 "monitoring from April 2013”").click()
    expect(ccg.get_by_text("£495,000.00 over the full term")).to_be_visible()
    ccg.get_by_label("Further competition").check()
    ccg.get_by_label("Why is this route right?").fill("Above the EU threshold.")
    ccg.get_by_role("button", name="Start the procurement").click()
    expect(ccg.locator("h1")).to_have_text(
        "Business intelligence and contract monitoring from April 2013")

    ccg.get_by_role("link", name="Change the details and dates", exact=True).click()
    fill_date(ccg, "Last date and time for questions", "14", "1", "2013", "17:00")
    fill_date(ccg, "Closing date and time", "21", "1", "2013", "17:00")
    ccg.get_by_label("Show the budget to providers").check()
    ccg.get_by_role("button", name="Save the details").click()
    expect(ccg.get_by_text("The details have been saved.")).to_be_visible()

    ccg.get_by_role("link", name="Name the evaluators").click()
    ccg.get_by_label("Priya Shah, NHS Coventry and Rugby CCG").check()
    ccg.get_by_role("button", name="Save the evaluators").click()

    ccg.get_by_role("link", name="Publish the opportunity", exact=True).click()
    expect(ccg.locator("h1")).to_have_text("Publish the opportunity")
    ccg.get_by_role("button", name="Publish the opportunity").click()
    expect(ccg.get_by_text("Opportunity PROC-05A-001 is published. It closes 21 January "
                           "2013 at 5:00pm.")).to_be_visible()

    arden = new_context().new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.get_by_role("navigation", name="Main menu").get_by_role(
        "link", name="Opportunities").click()
    arden.get_by_role("link", name="Business intelligence and contract monitoring from "
                                   "April 2013").click()
    arden.get_by_label("Ask a question").fill("Do you want the dashboards weekly?")
    arden.get_by_role("button", name="Send the question").click()
    expect(arden.get_by_text("Your question has been sent.")).to_be_visible()

    ccg.reload()
    expect(ccg.get_by_text("Asked by Arden CSS")).to_be_visible()
    ccg.get_by_role("link", name="Answer question 1").click()
    ccg.get_by_label("Your answer").fill("Monthly, by working day 10.")
    ccg.get_by_role("button", name="Publish the answer").click()
    expect(ccg.get_by_text("Your answer is published to every provider")).to_be_visible()

    gem = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(gem, live_server, "css2@demo.test")
    gem.goto(f"{live_server}/opportunities")
    gem.get_by_role("link", name="Business intelligence and contract monitoring from "
                                 "April 2013").click()
    questions = gem.locator("#questions ~ .nhsuk-card")
    expect(questions).to_contain_text("Do you want the dashboards weekly?")
    expect(questions).to_contain_text("Monthly, by working day 10.")
    content = gem.content()
    assert "Arden" not in content and "Tom Hughes" not in content
    # On a phone the services-to-price table scrolls in its own box; the page does not.
    assert gem.locator(".marketplace-table-scroll table").count() == 1
    assert overflowing(gem) == []

    gem.get_by_role("button", name="Start a response").click()
    expect(gem.locator("h1")).to_have_text("Your prices and answers")
    expect(gem.get_by_label("Price for Business intelligence (£)")).to_have_value("9.50")
    gem.get_by_label("How you will deliver the service (60%)").fill(
        "A business intelligence team of twelve in Leicester, reporting monthly.")
    gem.get_by_role("button", name="Save your response").click()
    expect(gem.get_by_text("Your response has been saved.")).to_be_visible()
    gem.get_by_role("link", name="Submit your response").click()
    expect(gem.get_by_text("£7,145,847.50")).to_be_visible()
    gem.get_by_role("button", name="Submit your response").click()
    expect(gem.get_by_text("Your response is submitted.")).to_be_visible()
    expect(gem.locator(".nhsuk-tag", has_text="Submitted")).to_be_visible()

    ccg.reload()
    expect(ccg.get_by_text("1 response submitted so far. Responses are sealed")).to_be_visible()
