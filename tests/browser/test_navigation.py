import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from marketplace.demo.users import DEMO_LOGINS
from marketplace.models import Role
from marketplace.navigation import NAVIGATION, PUBLIC_NAVIGATION

from .conftest import sign_in

pytestmark = pytest.mark.browser

MAIN_MENU = 'nav[aria-label="Main menu"]'
ACCOUNT_MENU = 'nav[aria-label="Account"]'


def expected_navigation(app, role: Role) -> list[str]:
    # Computed from NAVIGATION and the pages' access rules, so the test follows features as
    # they add their entries.
    user = SimpleNamespace(is_authenticated=True, role=role)
    return [item.label for item in NAVIGATION if item.shown_to(app, user)]


def menu_labels(page) -> list[str]:
    # text_content, not inner_text: the header script may move items that do not fit into a
    # hidden "More" list, and they still count as navigation the user has.
    links = page.locator(f"{MAIN_MENU} a")
    return [text.strip() for text in links.all_text_contents()]


@pytest.mark.parametrize(
    ("email", "full_name", "role", "organisation"),
    [login[:4] for login in DEMO_LOGINS],
    ids=[login[2].value for login in DEMO_LOGINS],
)
def test_each_role_signs_in_and_sees_its_navigation(
    app, live_server, page, email, full_name, role, organisation
):
    sign_in(page, live_server, email)

    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator(ACCOUNT_MENU)).to_contain_text(
        f"{full_name} – {role.label}, {organisation}"
    )
    expect(page.locator("h1")).to_have_text(organisation)
    assert menu_labels(page) == expected_navigation(app, role)


def test_admin_sees_user_and_audit_pages_and_a_ccg_user_does_not(live_server, page):
    sign_in(page, live_server, "admin@demo.test")
    assert {"Users", "Audit trail"} <= set(menu_labels(page))
    page.locator(MAIN_MENU).get_by_role("link", name="Audit trail").click()
    expect(page).to_have_url(f"{live_server}/admin/audit-events")

    page.context.clear_cookies()
    sign_in(page, live_server, "ccg@demo.test")
    labels = menu_labels(page)
    assert "Dashboard" in labels
    assert "Users" not in labels and "Audit trail" not in labels


def test_wrong_password_shows_the_error_summary_linking_to_the_field(live_server, page):
    sign_in(page, live_server, "ccg@demo.test", password="not-the-password")

    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("There is a problem")
    link = summary.get_by_role("link", name="Enter a correct email address and password")
    expect(link).to_have_attribute("href", "#email")
    expect(page).to_have_title(re.compile(r"^Error: "))

    link.click()
    expect(page.locator("#email")).to_be_focused()
    expect(page.locator(ACCOUNT_MENU)).to_contain_text("Sign in")


def test_signing_out_ends_the_session(live_server, page):
    sign_in(page, live_server, "css@demo.test")
    page.locator(ACCOUNT_MENU).get_by_role("link", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("Sign out")
    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server}/sign-in")
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{live_server}/dashboard")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    # Signed out, the menu is the front door's public links only.
    assert menu_labels(page) == [item.label for item in PUBLIC_NAVIGATION]


def test_signing_in_works_without_javascript(live_server, new_context):
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, live_server, "bdu@demo.test")

    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator(ACCOUNT_MENU)).to_contain_text("BDU reviewer")
    expect(page.locator(MAIN_MENU).get_by_role("link", name="Dashboard")).to_be_visible()
