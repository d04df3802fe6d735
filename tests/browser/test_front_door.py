"""The front door and the dashboards in Chromium: the API documentation renders under the
Content-Security-Policy, and the public pages and every role's dashboard fit a 375 px screen
with no serious accessibility faults."""

import pytest
from playwright.sync_api import expect

from marketplace.demo import seed_demo
from marketplace.extensions import db

from .conftest import overflowing, sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser

FRONT_DOOR = ["/", "/help", "/accessibility", "/privacy", "/contact", "/api-documentation"]


def test_the_api_documentation_renders_with_no_csp_errors(live_server, page):
    problems = []
    page.on("console", lambda message: problems.append(
        f"{message.text} {message.location.get('url', '')}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    response = page.goto(f"{live_server}/api-documentation")
    # The site's own policy, not a looser one for this page: Swagger UI needs no inline
    # script or style, no eval and no blob workers.
    policy = response.headers["content-security-policy"]
    assert "unsafe" not in policy and "blob:" not in policy

    # Swagger UI has drawn the document, and our own table of operations is hidden.
    operation = page.locator(".swagger-ui .opblock-summary-path", has_text="/offers").first
    expect(operation).to_be_visible()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("CSS Marketplace API")
    expect(page.locator("#api-operations")).to_be_hidden()
    # "Try it out" calls the API from the page: connect-src 'self' allows it.
    page.locator(".swagger-ui .opblock-summary", has_text="/specifications").first.click()
    page.locator(".swagger-ui button.try-out__btn").first.click()
    page.locator(".swagger-ui button.execute").first.click()
    expect(page.locator(".swagger-ui .live-responses-table tbody .response-col_status").first
           ).to_contain_text("200")
    # The tests refuse every request off this site, so the NHS.UK fonts fail to load; that
    # is the test's doing. Anything else, above all a CSP refusal, is a fault.
    assert [p for p in problems if "assets.nhs.uk" not in p] == []


def test_without_javascript_the_api_documentation_lists_the_operations(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    page.goto(f"{live_server}/api-documentation")
    expect(page.locator("#api-operations")).to_be_visible()
    expect(page.locator("#api-operations")).to_contain_text("/api/v1/offers")


def test_the_front_door_fits_a_phone_and_has_no_serious_accessibility_faults(
    live_server, new_context
):
    page = new_context(viewport={"width": 375, "height": 800}, bypass_csp=True).new_page()
    axe = AXE.read_text(encoding="utf-8")
    found = []
    for url in FRONT_DOOR:
        page.goto(live_server + url)
        if url == "/api-documentation":
            page.locator(".swagger-ui .info").wait_for()
        assert overflowing(page) == [], url
        page.evaluate(axe)
        found += [f"{url}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                  for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert not found, "\n".join(found)


DASHBOARD_USERS = ["ccg@demo.test", "css@demo.test", "bdu@demo.test", "peer@demo.test",
                   "admin@demo.test"]


def test_every_dashboard_shows_work_fits_a_phone_and_has_no_serious_faults(
    app, live_server, new_context
):
    with app.app_context():
        seed_demo()
        db.session.remove()
    axe = AXE.read_text(encoding="utf-8")
    found = []
    for email in DASHBOARD_USERS:
        page = new_context(viewport={"width": 375, "height": 800}, bypass_csp=True).new_page()
        sign_in(page, live_server, email)
        expect(page).to_have_url(f"{live_server}/dashboard")
        main = page.locator("main")
        if email == "admin@demo.test":
            expect(main.get_by_role("heading", name="What changed recently")).to_be_visible()
        else:
            expect(main.get_by_role("heading", name="What needs you now")).to_be_visible()
        current = page.locator('nav[aria-label="Main menu"] a[aria-current="page"]')
        expect(current).to_have_text("Dashboard")
        assert overflowing(page) == [], email
        page.evaluate(axe)
        found += [f"{email}: {v['impact']} {v['id']} ({v['help']}) at {v['nodes']}"
                  for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
        page.context.close()
    assert not found, "\n".join(found)
