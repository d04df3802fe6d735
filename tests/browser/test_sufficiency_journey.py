"""At 375 px in Chromium: a CCG sees the affordability gate before it signs, and the BDU
reads whole-market sufficiency; nothing scrolls sideways outside a table's scroll box."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.models import BusinessPlan, PlanStatus
from marketplace.services import plan_income

from ..conftest import user
from ..factories import ARDEN, create_agreement, market, organisation  # noqa: F401
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 800}}


def test_the_gate_warns_a_ccg_at_375_px(live_server, new_context, market):  # noqa: F811
    coventry = user("ccg@demo.test").organisation
    create_agreement(
        coventry, [market.arden_bi], annual_value=Decimal("9000000.00"), end_date=date(2014, 3, 31)
    )
    draft = create_agreement(
        coventry,
        [market.arden_bi],
        status="draft",
        annual_value=Decimal("1003900.01"),
        end_date=date(2014, 3, 31),
    )
    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "ccg@demo.test")
    page.goto(f"{live_server}/agreements/{draft.id}/sign")
    expect(page.locator("#affordability-warning")).to_contain_text("in 2013/14 by £0.01")
    expect(page.locator("#affordability")).to_contain_text("Does not fit")
    assert overflowing(page) == []


def test_the_bdu_reads_sufficiency_at_375_px(live_server, new_context, market):  # noqa: F811
    plan = BusinessPlan(
        organisation=organisation(ARDEN),
        version=1,
        status=PlanStatus.DRAFT,  # income is written to a draft; then it is submitted
        financial_model={
            "years": ["2013/14", "2014/15", "2015/16", "2016/17"],
            "income_by_customer": {"2013/14": {"05A": "10003900.01"}},
            "income_by_service_line": {"2013/14": {"BI-01": "10003900.01"}},
        },
    )
    db.session.add(plan)
    plan_income.replace_for(plan)
    db.session.flush()
    plan.status = PlanStatus.SUBMITTED
    db.session.commit()
    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "bdu@demo.test")
    page.goto(f"{live_server}/demand")
    page.get_by_role("link", name="whole-market sufficiency").click()
    expect(page.locator("#over-warning")).to_contain_text("1 CCG in 2013/14")
    assert overflowing(page) == []
    page.get_by_label("Financial year").select_option("2015/16")
    page.get_by_role("button", name="Show the year").click()
    expect(page.get_by_text("None: in 2015/16")).to_be_visible()
    assert overflowing(page) == []
