"""The customer survey in real Chromium at 375 px: Coventry (ccg@) answers about Arden,
refused first for a missing score; with two other CCGs' answers already in, the BDU reviewer
sees Arden's aggregate beside the Checkpoint 3 customer test, and no CCG's own answer."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from .. import factories as build
from ..factories import market  # noqa: F401  (fixture)
from ..procurements.conftest import clock  # noqa: F401  (fixture)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser

QUESTIONS = {
    "How responsive is the CSS to your CCG's requests and changing needs?": "4 – Good",
    "How good is the quality of the services the CSS delivers to you?": "5 – Very good",
    "How good value for money are the CSS's services?": "3 – Fair",
    "How good is your working relationship with the CSS?": "4 – Good",
}


def test_a_ccg_answers_the_survey_and_the_reviewer_sees_the_aggregate(
    live_server,
    new_context,
    market,  # noqa: F811
    clock,  # noqa: F811
):
    clock.set(datetime(2012, 9, 10, 9, 0, tzinfo=UTC))
    coventry, warwickshire, darlington = build.survey_customers(market, 3)
    window = build.survey_window(3)
    arden = build.organisation(build.ARDEN)
    build.survey_answer(window, warwickshire, arden, 4)
    build.survey_answer(window, darlington, arden, 2, quality=1)
    review = build.started_review(3, build.ARDEN)

    ccg = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/customer-survey")
    ccg.get_by_role("link", name="Answer about Arden CSS").click()
    for question, answer in QUESTIONS.items():
        ccg.get_by_role("group", name=question).get_by_label(answer).check()
    ccg.get_by_label("Comment on quality (optional)").fill("Dashboards arrive on time.")
    ccg.get_by_role("button", name="Send your answer").click()
    expect(ccg.get_by_role("alert")).to_contain_text(
        "Choose a score from 1 to 5 for “Would recommend”"
    )
    assert overflowing(ccg) == []
    ccg.get_by_role("group", name="Would you recommend the CSS to another CCG?").get_by_label(
        "5 – Definitely"
    ).check()
    ccg.get_by_role("button", name="Send your answer").click()
    expect(ccg.get_by_text("your CCG's answer about Arden CSS is recorded")).to_be_visible()
    expect(ccg.get_by_text("Answered", exact=True)).to_be_visible()

    bdu = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(bdu, live_server, "bdu@demo.test")
    bdu.goto(f"{live_server}/reviews/submissions/{review.submission_id}")
    expect(bdu.get_by_role("heading", name="Customer test: what customers say")).to_be_visible()
    results = bdu.locator(".customer-voice table")
    # Responsiveness: (4 + 4 + 2) / 3; quality: (5 + 4 + 1) / 3.
    expect(results).to_contain_text("mean scores from 3 CCGs")
    expect(results.get_by_role("row", name="Responsiveness")).to_contain_text("3.3 out of 5")
    expect(results.get_by_role("row", name="Quality")).to_contain_text("3.3 out of 5")
    expect(bdu.locator("main")).not_to_contain_text("Dashboards arrive on time")
    assert overflowing(bdu) == []
