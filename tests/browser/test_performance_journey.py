"""Contract performance in real Chromium: Arden submits April's return on a phone-sized
screen, the CCG accepts one figure and disputes the other, Arden resubmits the disputed one."""

from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from ..conftest import user
from ..factories import KPI_DASHBOARD, KPI_QUERIES, create_agreement, market  # noqa: F401
from ..procurements.conftest import clock  # noqa: F401  (fixture)
from .conftest import overflowing, sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser


def blocking_violations(page) -> list[str]:
    # Checked once the page has loaded, with the pointer off every link: a link hovered by
    # the pointer left where the last click was takes its hover colours, and axe judged a
    # header link's contrast on those once (a flake on CI, not what a reader sees).
    page.wait_for_load_state("load")
    page.mouse.move(0, 0)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return [f"{v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
            for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def test_a_return_a_dispute_and_its_resubmission(live_server, new_context, market,  # noqa: F811
                                                 clock):  # noqa: F811
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                 kpis=[KPI_DASHBOARD, KPI_QUERIES])

    arden = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.goto(f"{live_server}/customers/agreements/{agreement.id}")
    arden.get_by_role("link", name="Submit and follow your performance returns").click()
    arden.get_by_role("link", name="Submit the return for April 2013").click()
    arden.get_by_label("Monthly dashboard delivered: figure in working days").fill("9%")
    arden.get_by_label("Queries answered within 2 days: figure in percentage (%)").fill("93.5")
    arden.get_by_role("button", name="Submit the return", exact=True).click()
    expect(arden.get_by_role("alert")).to_contain_text("not a percentage")
    assert overflowing(arden) == []
    arden.get_by_label("Monthly dashboard delivered: figure in working days").fill("9")
    arden.get_by_label("Monthly dashboard delivered: commentary (optional)").fill(
        "Sent on working day 9.")
    arden.get_by_role("button", name="Submit the return", exact=True).click()
    expect(arden.get_by_text("Your return for April 2013 is submitted")).to_be_visible()
    expect(arden.get_by_text("Within tolerance", exact=True)).to_be_visible()
    assert overflowing(arden) == []

    # The CCG's context runs axe-core too, so it bypasses the Content-Security-Policy.
    ccg = new_context(bypass_csp=True).new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/agreements/{agreement.id}")
    ccg.get_by_role("link", name="See the performance returns and review the figures").click()
    expect(ccg.locator("svg.marketplace-chart").first).to_be_visible()
    assert blocking_violations(ccg) == []  # the charts, tags and tables
    ccg.get_by_role("link", name="Review the figures for April 2013").click()
    assert blocking_violations(ccg) == []  # the review forms
    dashboard = ccg.locator(".marketplace-figure-card").first
    expect(dashboard).to_contain_text("Monthly dashboard delivered")
    dashboard.get_by_label("Accept the figure").check()
    dashboard.get_by_role("button").click()
    expect(ccg.get_by_text("The figure for Monthly dashboard delivered is accepted")
           ).to_be_visible()
    queries = ccg.locator(".marketplace-figure-card").nth(1)
    queries.get_by_label("Dispute the figure").check()
    queries.get_by_role("button").click()
    expect(ccg.get_by_role("alert")).to_contain_text("Say why you dispute the figure")
    queries = ccg.locator(".marketplace-figure-card").nth(1)
    queries.get_by_label("Dispute the figure").check()
    queries.get_by_label("Why do you dispute it?").fill("Our helpdesk log shows 91%.")
    queries.get_by_role("button").click()
    expect(ccg.get_by_text("disputed: Arden CSS will resubmit it")).to_be_visible()
    ccg.set_viewport_size({"width": 375, "height": 800})
    assert overflowing(ccg) == []
    ccg.get_by_role("link", name="Back to performance").click()
    assert overflowing(ccg) == []

    arden.reload()
    arden.get_by_role("link", name="Resubmit the disputed figures").click()
    expect(arden.get_by_text("disputed it: Our helpdesk log shows 91%.")).to_be_visible()
    arden.get_by_label("Queries answered within 2 days: figure in percentage (%)").fill("91")
    arden.get_by_role("button", name="Resubmit the figures").click()
    expect(arden.get_by_text("You resubmitted the disputed figures for April 2013")
           ).to_be_visible()
    expect(arden.get_by_text("Missed", exact=True)).to_be_visible()
    assert overflowing(arden) == []
    arden.goto(f"{live_server}/customers/agreements/{agreement.id}/performance")
    assert overflowing(arden) == []
