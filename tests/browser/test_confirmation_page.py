"""A confirmation page in Chromium: it asks, changes nothing until its button is pressed,
its cancel link goes back, and axe-core finds nothing serious on it. No JavaScript needed."""

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db

from .. import factories as build
from .conftest import sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser


@pytest.fixture
def draft_offer(app):
    with app.app_context():
        offer = build.add_offer("Arden CSS", build.create_spec(), title="Risk stratification")
        db.session.commit()
        offer_id = offer.id
        db.session.remove()
    return offer_id


def test_removing_an_offer_asks_first(live_server, new_context, draft_offer):
    css = new_context(bypass_csp=True, java_script_enabled=True).new_page()
    sign_in(css, live_server, "css@demo.test")
    css.goto(f"{live_server}/prospectus")
    css.get_by_role("link", name="Remove Risk stratification").click()
    expect(css.locator("h1")).to_have_text(
        "Are you sure you want to remove Risk stratification from your draft?"
    )
    css.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [v for v in css.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert serious == []

    css.get_by_role("link", name="Cancel and go back").click()
    expect(css.get_by_role("link", name="Remove Risk stratification")).to_be_visible()

    css.get_by_role("link", name="Remove Risk stratification").click()
    css.get_by_role("button", name="Remove offer").click()
    expect(css.get_by_text("Risk stratification has been removed from your draft.")).to_be_visible()
    expect(css.get_by_role("link", name="Remove Risk stratification")).to_have_count(0)


def test_the_confirmation_page_works_without_javascript(live_server, new_context, draft_offer):
    css = new_context(java_script_enabled=False).new_page()
    sign_in(css, live_server, "css@demo.test")
    css.goto(f"{live_server}/prospectus/offers/{draft_offer}/remove")
    css.get_by_role("button", name="Remove offer").click()
    expect(css.get_by_text("Risk stratification has been removed from your draft.")).to_be_visible()
