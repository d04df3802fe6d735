"""An administrator in Chromium narrows the audit trail by choosing from lists of plain
labels: the choice is in the address (a link to share), the list shows what was chosen, and
axe-core finds nothing serious on the page."""

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from marketplace.extensions import db
from marketplace.services.audit import record_event

from .. import factories as build
from ..conftest import user
from .conftest import overflowing, sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser


@pytest.fixture
def retired(app):
    with app.app_context():
        spec = build.create_spec("BI-RPT", "Reports")
        record_event("specification.retired", spec, "Retired BI-RPT",
                     actor=user("admin@demo.test"))
        db.session.commit()
        db.session.remove()


def test_the_audit_trail_is_filtered_from_lists(live_server, new_context, retired):
    admin = new_context(bypass_csp=True, java_script_enabled=True).new_page()
    sign_in(admin, live_server, "admin@demo.test")
    admin.goto(f"{live_server}/admin/audit-events")
    admin.get_by_label("What happened").select_option(
        label="Specification: retired the specification …")
    admin.get_by_label("Kind of record").select_option(label="Service specification")
    admin.get_by_role("button", name="Filter").click()
    admin.wait_for_load_state()
    query = parse_qs(urlsplit(admin.url).query)
    assert query["action"] == ["specification.retired"]
    assert query["object_type"] == ["ServiceSpecification"]
    rows = admin.locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("retired the specification “Reports”")
    expect(admin.get_by_label("What happened")).to_have_value("specification.retired")
    admin.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [v for v in admin.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert serious == []

    admin.set_viewport_size({"width": 375, "height": 800})  # the lists fit a phone
    assert overflowing(admin) == []

    # A shared link with a value no longer in the list: refused at the field, not a failure.
    response = admin.goto(f"{live_server}/admin/audit-events?action=specification")
    assert response.status == 400
    expect(admin.locator(".nhsuk-error-summary")).to_contain_text(
        "Choose what happened from the list")
