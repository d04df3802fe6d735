"""A CSS checks its draft plan, and the BDU changes a threshold: at 375 px, without JavaScript."""

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db

from .. import factories as build
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 800}, "java_script_enabled": False}


@pytest.fixture
def weak_draft_plan(app):
    with app.app_context():
        plan_id = build.plan(weak=True).id
        db.session.remove()
    return plan_id


def test_a_css_checks_its_draft_before_submitting(live_server, new_context, weak_draft_plan):
    css = new_context(**PHONE).new_page()
    sign_in(css, live_server, "css@demo.test")
    css.goto(f"{live_server}/assurance/plans/{weak_draft_plan}")
    css.get_by_role("button", name="Check the figures").click()
    analysis = css.locator("#analysis")
    expect(analysis.locator("[data-flag=income_flat]")).to_contain_text(
        "Income hardly changes from year to year")
    expect(analysis).to_contain_text("Thresholds the checks used")
    assert overflowing(css) == []


def test_the_bdu_changes_a_threshold(live_server, new_context):
    bdu = new_context(**PHONE).new_page()
    sign_in(bdu, live_server, "bdu@demo.test")
    bdu.goto(f"{live_server}/assurance/plan-check-thresholds")
    assert overflowing(bdu) == []
    bdu.get_by_label("Share of income from one customer (%)").fill("120")
    bdu.get_by_role("button", name="Save the thresholds").click()
    expect(bdu.locator(".nhsuk-error-summary")).to_contain_text("Enter a value from 0 to 100")
    bdu.get_by_label("Share of income from one customer (%)").fill("35")
    bdu.get_by_label("Host without conditions when every test is at least").select_option(
        label="Amber")
    bdu.get_by_role("button", name="Save the thresholds").click()
    expect(bdu.get_by_text("2 values changed.")).to_be_visible()
    expect(bdu.get_by_label("Share of income from one customer (%)")).to_have_value("35")
