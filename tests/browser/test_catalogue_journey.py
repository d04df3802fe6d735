"""An administrator in Chromium tries to delete a specification that offers use: the manage
page comes back with the NHS.UK error summary, its link goes to the row's Retire button
with the reason beside it, and retiring from there works. axe-core finds nothing serious."""

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db

from .. import factories as build
from .conftest import sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser


@pytest.fixture
def used_spec(app):
    with app.app_context():
        spec = build.create_spec("BI-DSS", "Decision support")
        build.add_offer("Arden CSS", spec, title="Decision support dashboards")
        db.session.commit()
        db.session.remove()
    return "BI-DSS"


def test_deleting_a_used_specification_is_refused_at_its_row(live_server, new_context,
                                                             used_spec):
    admin = new_context(bypass_csp=True, java_script_enabled=True).new_page()
    sign_in(admin, live_server, "admin@demo.test")
    response = admin.goto(f"{live_server}/admin/specifications/{used_spec}/delete")
    assert response.status == 409
    expect(admin.locator("h1")).to_have_text("Manage specifications")
    summary = admin.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("it is used by offers from Arden CSS")
    expect(admin.get_by_text("Your change was not saved")).to_have_count(0)
    admin.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [v for v in admin.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert serious == []

    summary.get_by_role("link").click()
    retire = admin.get_by_role("button", name=f"Retire {used_spec}")
    expect(retire).to_be_focused()
    expect(admin.locator(f"#specification-{used_spec}-error")).to_contain_text(
        "Retire it instead")
    retire.click()
    expect(admin.get_by_text(f"{used_spec} Decision support is retired")).to_be_visible()
    expect(admin.locator(".nhsuk-error-summary")).to_have_count(0)
