"""The contract in real Chromium: after the standstill the award is drafted as agreements; the
lead CCG signs its own, Arden declines once with a reason, the CCG changes the dates and signs
again, Arden countersigns on a phone-sized screen, and the OCDS record shows the contract."""

import pytest
from playwright.sync_api import expect

from marketplace.services.agreements_from_awards import draft_agreements_from_award

from ..factories import awarded_competition
from ..procurements.conftest import buying, clock  # noqa: F401  (fixtures)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser


def test_sign_decline_sign_again_and_countersign(live_server, new_context, buying):  # noqa: F811
    procurement = awarded_competition(buying)
    coventry = next(a for a in draft_agreements_from_award(procurement)
                    if a.ccg == buying.coventry)
    reference = coventry.reference

    ccg = new_context().new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/agreements")
    ccg.get_by_role("link", name=reference).click()
    expect(ccg.get_by_text("Why this provider: Highest total score")).to_be_visible()
    ccg.get_by_role("link", name="Sign the agreement").click()
    expect(ccg.locator("h1")).to_contain_text("Are you sure you want to sign agreement")
    ccg.get_by_role("button", name="Sign the agreement").click()
    expect(ccg.get_by_text(f"You signed agreement {reference}.")).to_be_visible()

    arden = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.goto(f"{live_server}/customers")
    arden.get_by_role("link", name=f"Countersign agreement {reference}").click()
    arden.get_by_role("link", name="Back to the agreement").click()
    arden.get_by_role("link", name="Decline to countersign, saying why").click()
    arden.get_by_role("button", name="Decline to countersign").click()
    expect(arden.get_by_role("alert")).to_contain_text("Say why you are not countersigning")
    arden.get_by_label("Why are you not countersigning?").fill(
        "We can start on 1 May 2013, not 1 April.")
    arden.get_by_role("button", name="Decline to countersign").click()
    expect(arden.get_by_text("has it back as a draft")).to_be_visible()

    ccg.reload()
    expect(ccg.get_by_text("We can start on 1 May 2013, not 1 April.")).to_be_visible()
    ccg.get_by_role("link", name="Change the dates or the agreed value").click()
    group = ccg.get_by_label("Start date")
    group.fill("2013-05-01")
    ccg.get_by_role("button", name="Save changes").click()
    ccg.get_by_role("link", name="Sign the agreement").click()
    ccg.get_by_role("button", name="Sign the agreement").click()

    arden.goto(f"{live_server}/customers")
    arden.get_by_role("link", name=f"Countersign agreement {reference}").click()
    expect(arden.get_by_text("You are countersigning for Arden CSS")).to_be_visible()
    arden.get_by_role("button", name="Countersign the agreement").click()
    expect(arden.get_by_text("it is signed by both parties")).to_be_visible()
    assert overflowing(arden) == []  # nothing pushes the page sideways on a phone

    record = arden.request.get(
        f"{live_server}/api/v1/ocds/records/ocds-cssmkt-{procurement.reference}").json()
    contracts = record["records"][0]["compiledRelease"]["contracts"]
    assert [c["id"] for c in contracts] == [reference]
    assert contracts[0]["period"]["startDate"] == "2013-05-01T00:00:00Z"
