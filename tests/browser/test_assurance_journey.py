"""Submit → review → sign-off → condition response → acceptance, in real Chromium."""

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db

from .. import factories as build
from .conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def arden_draft_plan(app):
    with app.app_context():
        build.checkpoint(2)
        plan = build.plan()
        plan_id = plan.id
        db.session.remove()
    return plan_id


def test_assurance_journey(app, live_server, new_context, arden_draft_plan):
    css = new_context().new_page()
    sign_in(css, live_server, "css@demo.test")
    css.get_by_role("link", name="Assurance").first.click()
    css.get_by_role("link", name="Submit to Checkpoint 2: Outline business plan").click()
    css.get_by_label("What are you submitting?").select_option(label="Business plan version 1 "
                                                               "(draft)")
    css.get_by_role("button", name="Continue").click()
    expect(css.locator("h1")).to_have_text(
        "Are you sure you want to submit to Checkpoint 2: Outline business plan?")
    css.get_by_role("button", name="Submit to Checkpoint 2: Outline business plan").click()
    expect(css.get_by_text("Submitted to Checkpoint 2: Outline business plan.")).to_be_visible()
    submission_url = css.url

    bdu = new_context().new_page()
    sign_in(bdu, live_server, "bdu@demo.test")
    bdu.get_by_role("link", name="Reviews").first.click()
    bdu.get_by_role("link", name="Arden CSS: Checkpoint 2: Outline business plan").click()
    bdu.get_by_label("Reviewer").select_option(label="Helen Carter, NHS Commissioning Board "
                                               "Authority: Business Development Unit")
    bdu.get_by_role("button", name="Assign reviewer").click()
    expect(bdu.get_by_text("Helen Carter is now reviewing Arden CSS.")).to_be_visible()
    expect(bdu.get_by_text("Income by customer").first).to_be_visible()  # the plan, for review
    bdu.get_by_role("link", name="Rate and write the review").click()
    for domain, rating in (("Leadership", "Good progress"), ("Business plan", "Marginal"),
                           ("CCG customer focus", "Good progress")):
        bdu.get_by_role("group", name=domain, exact=True).get_by_label(rating).check()
    bdu.get_by_label("Summary").fill("A credible team; income not yet tied to intentions.")
    bdu.get_by_role("button", name="Save review").click()
    expect(bdu.locator("#outcome")).to_contain_text(
        "Scenario B: Proceed with issues needing rapid management")
    bdu.get_by_label("Condition").fill("Show each CCG's signed agreement behind its income.")
    bdu.get_by_role("button", name="Add condition").click()
    expect(bdu.get_by_text("The condition has been added.")).to_be_visible()

    second = new_context().new_page()
    sign_in(second, live_server, "bdu2@demo.test")
    second.goto(bdu.url)
    # Signing off renders and stores the review PDF in the same request, which on a busy
    # two-core CI machine can take longer than the default wait.
    second.get_by_role("button", name="Sign off this review").click()
    second.get_by_role("button", name="Sign off and issue the review").click(timeout=60_000)
    expect(second.get_by_text("Signed off: Scenario B")).to_be_visible(timeout=60_000)

    css.goto(submission_url)
    expect(css.locator("#outcome")).to_contain_text("Scenario B")
    css.get_by_label("Your response").fill("Agreements attached for all five CCGs.")
    css.get_by_role("button", name="Send response").click()
    expect(css.get_by_text("Your response has been sent to the reviewers.")).to_be_visible()

    second.reload()
    second.get_by_label("Accept").check()
    second.get_by_role("button", name="Record decision").click()
    expect(second.get_by_text("Accepted.", exact=True)).to_be_visible()

    css.reload()
    expect(css.locator(".nhsuk-tag", has_text="Accepted")).to_be_visible()
