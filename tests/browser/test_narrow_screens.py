"""Every role's pages on a 375 px phone screen, in Chromium, on the seeded demo: nothing
scrolls sideways outside a scroll box, and no chart label is cut off by its chart's edge.

The pages are found the way a person finds them: each entry of the role's header navigation,
then the first link of each page's main table or summary list (an agreement, a review, an
offer ...), so a new page reached from the navigation is checked without being listed here.
"""

import pytest

from marketplace.demo import seed_demo
from marketplace.extensions import db

from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
ROLES = (None, "ccg@demo.test", "css@demo.test", "bdu@demo.test", "peer@demo.test",
         "admin@demo.test")

NAV_LINKS = """() => [...document.querySelectorAll(
  'header nav a[href^="/"], .nhsuk-header__navigation a[href^="/"]')]
  .map(a => a.getAttribute('href'))"""

# The first link into a record from the page's main content: a table row or a card.
FIRST_RECORD = """() => {
  const link = document.querySelector(['main table tbody a[href^="/"]',
    'main .nhsuk-card a[href^="/"]', 'main .nhsuk-summary-list a[href^="/"]'].join(', '));
  return link ? link.getAttribute('href') : null;
}"""

# Chart labels (SVG text) that stick out of their chart: clipped on screen.
CLIPPED_LABELS = """() => {
  const out = [];
  for (const svg of document.querySelectorAll('main svg')) {
    const box = svg.getBoundingClientRect();
    for (const text of svg.querySelectorAll('text')) {
      const t = text.getBoundingClientRect();
      if (t.width && (t.left < box.left - 1 || t.right > box.right + 1
                      || t.top < box.top - 1 || t.bottom > box.bottom + 1)) {
        out.push(`"${text.textContent.trim().slice(0, 30)}"`);
      }
    }
  }
  return out.slice(0, 5);
}"""

SKIPPED = ("/sign-out", "/api-documentation", "/dev/")


def _checked(page, live_server, url, found, who):
    response = page.goto(live_server + url)
    assert response.status == 200, (who, url, response.status)
    culprits = overflowing(page)
    if culprits:
        found.append(f"{who} {url} scrolls sideways: {culprits}")
    clipped = page.evaluate(CLIPPED_LABELS)
    if clipped:
        found.append(f"{who} {url} chart labels cut off: {clipped}")


def test_every_page_of_every_role_fits_a_phone_screen(app, live_server, new_context):
    with app.app_context():
        seed_demo()
        db.session.remove()
    found, seen = [], 0
    for email in ROLES:
        who = email or "visitor"
        page = new_context(viewport=PHONE).new_page()
        if email:
            sign_in(page, live_server, email)
        page.goto(live_server + "/")
        urls = list(dict.fromkeys(["/", *page.evaluate(NAV_LINKS)]))
        for url in urls:
            if url.startswith(SKIPPED):
                continue
            _checked(page, live_server, url, found, who)
            seen += 1
            record = page.evaluate(FIRST_RECORD)
            if record and not record.startswith(SKIPPED) and record not in urls:
                _checked(page, live_server, record, found, who)
                seen += 1
        page.context.close()
    assert seen > 40  # the walk really went through the roles' pages
    assert not found, "\n".join(found)
