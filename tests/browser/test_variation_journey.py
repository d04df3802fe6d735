"""A variation in real Chromium at 375 px: the CCG proposes extending the agreement and
raising its value; a day past 18 months is refused at the field; Arden agrees; both see
version 2 and what changed."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from ..conftest import user
from ..factories import create_agreement, market  # noqa: F401
from ..procurements.conftest import clock  # noqa: F401  (fixture)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser


def test_a_variation_proposed_by_the_ccg_and_agreed_by_arden(live_server, new_context,
                                                            market, clock):  # noqa: F811
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                                 end_date=date(2014, 3, 31), annual_value=Decimal("120000"))

    ccg = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(ccg, live_server, "ccg@demo.test")
    ccg.goto(f"{live_server}/agreements/{agreement.id}")
    ccg.get_by_role("link", name="See the versions, and propose or answer a variation").click()
    ccg.get_by_role("link", name="Propose a variation").click()
    ccg.get_by_label("New annual value (£)").fill("132500")
    ccg.get_by_label("Day").fill("1")
    ccg.get_by_label("Month").fill("10")
    ccg.get_by_label("Year").fill("2014")
    ccg.get_by_label("Why vary the agreement?").fill("Add the 2014 audit support.")
    ccg.get_by_role("button", name="Propose the variation").click()
    expect(ccg.get_by_role("alert")).to_contain_text("at most 18 months")
    assert overflowing(ccg) == []
    ccg.get_by_label("Day").fill("30")
    ccg.get_by_label("Month").fill("9")
    ccg.get_by_role("button", name="Propose the variation").click()
    expect(ccg.get_by_text("The variation is proposed")).to_be_visible()
    assert overflowing(ccg) == []

    arden = new_context(viewport={"width": 375, "height": 800}).new_page()
    sign_in(arden, live_server, "css@demo.test")
    arden.goto(f"{live_server}/customers/agreements/{agreement.id}/variations")
    arden.get_by_role("link", name="see the proposed variation").click()
    expect(arden.locator("#diff")).to_contain_text("£132,500.00")
    arden.get_by_label("Agree: the agreement is varied").check()
    arden.get_by_role("button", name="Send your answer").click()
    expect(arden.get_by_text("is now at version 2")).to_be_visible()
    assert overflowing(arden) == []

    ccg.goto(f"{live_server}/agreements/{agreement.id}")
    expect(ccg.locator("#current-version")).to_contain_text("version 2 runs from 1 April 2013 "
                                                             "to 30 September 2014")
    assert overflowing(ccg) == []
