"""Evaluation and award in real Chromium, with three users: the lead CCG's evaluator scores
the three responses (the partner CCG's evaluator has already submitted), moderates, reads the
ranking and awards; a losing bidder on a 375 px phone downloads its letter and asks about the
decision; the CCG answers it, to that bidder alone."""

import pytest
from playwright.sync_api import expect

from ..procurements.conftest import buying, clock  # noqa: F401  (fixtures)
from ..procurements.evaluation import AGREED, closed_competition, score_all
from .conftest import sign_in

pytestmark = pytest.mark.browser

WORDS = {3: "3: satisfactory", 4: "4: good", 5: "5: excellent"}
PROVIDERS = {"arden_user": "Arden CSS", "gem_user": "Greater East Midlands CSS",
             "meridian_user": "Meridian Commissioning Partners Ltd"}


def give_scores(page, score: int, reason: str) -> None:
    for name in ("Approach", "Team"):
        page.get_by_role("group", name=f"Score for “{name}”").get_by_label(WORDS[score]).check()
        page.get_by_label(f"Reason for the score for “{name}”").fill(reason)


def test_score_moderate_award_and_question(live_server, new_context, buying, clock):  # noqa: F811
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.partner_user)

    ccg = new_context().new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/procurements/{procurement.id}")
    ccg.get_by_role("link", name="Your scores").click()
    for who, provider in PROVIDERS.items():
        ccg.get_by_role("link", name=f"Score the response from {provider}").click()
        give_scores(ccg, AGREED[who], f"Scored {AGREED[who]} by the lead.")
        ccg.get_by_role("button", name="Save your scores").click()
        expect(ccg.get_by_text(f"Your scores for {provider} have been saved.")).to_be_visible()
    ccg.get_by_role("link", name="Submit your scores").click()
    ccg.get_by_role("button", name="Submit your scores").click()
    expect(ccg.get_by_text("Your scores are submitted.")).to_be_visible()

    ccg.get_by_role("link", name="Read every evaluator's submitted scores").click()
    expect(ccg.locator("main")).to_contain_text("Ruth Kaur's view")
    for who, provider in PROVIDERS.items():
        ccg.get_by_role("link", name=f"Agree the scores for {provider}").click()
        give_scores(ccg, AGREED[who], "Agreed at moderation.")
        ccg.get_by_role("button", name="Save the agreed scores").click()
        expect(ccg.get_by_text(f"The agreed scores for {provider} have been saved.")
               ).to_be_visible()

    ccg.get_by_role("link", name="See the ranking").click()
    first = ccg.locator("tbody tr").first
    expect(first).to_contain_text("Arden CSS")
    expect(first).to_contain_text("84.80")
    ccg.get_by_role("link", name="Award the contract to Arden CSS").click()
    ccg.get_by_label("Why is this response chosen?").fill("Highest ranked: best value.")
    ccg.get_by_role("button", name="Award the contract").click(timeout=60_000)
    # Three letters are rendered in the award's transaction: allow a busy machine time.
    expect(ccg.get_by_text("is awarded to Arden CSS")).to_be_visible(timeout=60_000)
    expect(ccg.get_by_text("Until the end of 1 February 2013")).to_be_visible()

    gem = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(gem, live_server, "css2@demo.test")
    gem.goto(f"{live_server}/opportunities/{procurement.id}")
    expect(gem.get_by_text("the contract is to be awarded to Arden CSS")).to_be_visible()
    with gem.expect_download() as download:
        gem.get_by_role("link", name="Your decision letter").click()
    assert download.value.suggested_filename.endswith(".pdf")
    gem.get_by_label("Ask about the decision").fill("What would have raised our team score?")
    gem.get_by_role("button", name="Send the question").click()
    expect(gem.get_by_text("Your question has been sent to the buying CCG.")).to_be_visible()
    # The decision section fits the phone's width (the page's price table scrolls apart).
    for part in (gem.get_by_label("Ask about the decision"),
                 gem.get_by_role("link", name="Your decision letter")):
        box = part.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375

    ccg.goto(f"{live_server}/procurements/{procurement.id}")
    ccg.get_by_role("link", name="Answer Greater East Midlands CSS").click()
    ccg.get_by_label("Your answer").fill("Named analysts and a mobilisation plan.")
    ccg.get_by_role("button", name="Send the answer").click()
    expect(ccg.get_by_text("Your answer has been given to Greater East Midlands CSS.")
           ).to_be_visible()

    gem.reload()
    expect(gem.get_by_text("Named analysts and a mobilisation plan.")).to_be_visible()
    arden = new_context().new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.goto(f"{live_server}/opportunities/{procurement.id}")
    expect(arden.get_by_role("link", name="Your decision letter")).to_be_visible()
    assert "mobilisation plan" not in arden.content()
