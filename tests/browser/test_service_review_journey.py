"""A service review in real Chromium at 375 px: Arden records one with an action, the CCG
sees it overdue in words and marks it done."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from ..conftest import user
from ..factories import create_agreement, market  # noqa: F401
from ..procurements.conftest import clock  # noqa: F401  (fixture)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser


def test_arden_records_a_review_and_the_ccg_marks_its_action_done(live_server, new_context,
                                                                  market, clock):  # noqa: F811
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])

    arden = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.goto(f"{live_server}/customers/agreements/{agreement.id}")
    arden.get_by_role("link", name="Record and follow the service reviews and their actions"
                      ).click()
    arden.get_by_role("link", name="Record a service review").click()
    arden.locator("#held_on-day").fill("14")
    arden.locator("#held_on-month").fill("5")
    arden.locator("#held_on-year").fill("2013")
    arden.get_by_label("Who attended").fill("Jo Bloggs, NHS Coventry CCG\nSam Patel, Arden")
    arden.get_by_label("Action 1", exact=True).fill("Send the revised dashboard timetable")
    arden.get_by_label("Owner of action 1").fill("Sam Patel")
    arden.locator("#action_1_due-day").fill("17")
    arden.get_by_role("button", name="Record the review").click()
    expect(arden.get_by_role("alert")).to_contain_text(
        "The date action 1 is due must be a real date")
    arden.locator("#action_1_due-month").fill("5")
    arden.locator("#action_1_due-year").fill("2013")
    arden.get_by_role("button", name="Record the review").click()
    expect(arden.get_by_text("The service review is recorded")).to_be_visible()
    expect(arden.get_by_text("Overdue by 3 days")).to_be_visible()
    assert overflowing(arden) == []

    ccg = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/agreements/{agreement.id}/service-reviews")
    ccg.get_by_role("button", name="Mark done").click()
    expect(ccg.get_by_text("Done on 20 May 2013")).to_be_visible()
    assert overflowing(ccg) == []
