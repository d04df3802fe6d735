"""Browser tests: the session's app served over HTTP, driven by Debian's Chromium.

The live server runs the same ``app`` fixture (file SQLite or PostgreSQL, so the server's
threads see the data the tests reset) in a background thread. Each request there pushes its
own app context, as in production; tests never share theirs with it.

Playwright drives /usr/bin/chromium by path and never downloads a browser.
"""

import re
import threading
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from ..conftest import DEMO_PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 10_000
OFF_SITE = re.compile(r"^(?!http://127\.0\.0\.1[:/])")


@pytest.fixture(scope="session")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="session")
def browser() -> Browser:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Browser tests need Chromium at {CHROMIUM}, which is missing. "
            "`make test` installs it (apt-get install chromium).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a fresh browser context on the live server, closed after."""
    contexts = []

    def make(**options):
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(TIMEOUT_MS)
        # Tests stay off the internet: the NHS.UK stylesheet asks assets.nhs.uk for its fonts.
        context.route(OFF_SITE, lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


def sign_in(page: Page, base_url: str, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the real form, as a person would."""
    page.goto(f"{base_url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def overflowing(page: Page) -> list[str]:
    """Elements that stick out past the viewport's right edge, outside any scroll box.

    Empty when the page fits the screen: the way to say "nothing scrolls sideways" that names
    the culprit when it fails. Waits for the load event first: measured before the stylesheet
    has applied, a table's scroll box is not yet a scroll box (CI once saw 838 px that way).
    """
    page.wait_for_load_state("load")
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const inScrollBox = (el) => {
            for (let p = el.parentElement; p; p = p.parentElement) {
              const style = getComputedStyle(p);
              if (style.overflowX === 'auto' || style.overflowX === 'scroll') return true;
            }
            return false;
          };
          const out = [];
          for (const el of document.body.querySelectorAll('*')) {
            const box = el.getBoundingClientRect();
            if (box.right > width + 1 && box.width > 0 && !inScrollBox(el)) {
              out.push(`${el.tagName.toLowerCase()}.${el.className}: ${Math.round(box.right)}px`
                       + ` "${(el.textContent || '').trim().slice(0, 40)}"`);
            }
          }
          return out.slice(0, 10);
        }"""
    )
