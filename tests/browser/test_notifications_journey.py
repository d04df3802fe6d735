"""A CSS leader on a 375 px phone: an email over SMTP, the header's unread count, the list,
and the email choices; axe-core finds nothing serious on either page."""

import pytest

from marketplace.extensions import db
from marketplace.models import NotificationKind
from marketplace.services import notifications
from marketplace.services.transaction import transaction

from ..conftest import user
from .conftest import overflowing, sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser

SENTENCE = "Your Checkpoint 2 review is issued: Approved with conditions"


def _axe(page) -> list:
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING]


def test_a_leader_reads_a_notification_and_chooses_emails_on_a_phone(app, live_server,
                                                                      new_context,
                                                                      smtp_server):
    with app.app_context():
        with transaction():
            notifications.notify([user("css@demo.test")], NotificationKind.REVIEW_ISSUED,
                                 SENTENCE, "/assurance")
        db.session.remove()
    [message] = smtp_server.wait_for(1)
    assert (message["To"], message["Subject"]) == ("css@demo.test",
                                                   f"CSS Marketplace: {SENTENCE}")

    page = new_context(viewport={"width": 375, "height": 800}, bypass_csp=True).new_page()
    sign_in(page, live_server, "css@demo.test")
    page.goto(live_server + "/notifications")
    assert page.get_by_role("link", name="Notifications (1 unread)").count() == 1
    assert page.get_by_role("link", name=SENTENCE).is_visible()
    assert overflowing(page) == []
    assert _axe(page) == []
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_load_state()
    assert "You have no unread notifications." in page.content()

    page.get_by_role("link", name="Choose which you receive by email").click()
    assert overflowing(page) == []
    assert _axe(page) == []
    page.get_by_label(NotificationKind.REVIEW_ISSUED.label).uncheck()
    page.get_by_role("button", name="Save my choices").click()
    page.wait_for_load_state()
    assert not page.get_by_label(NotificationKind.REVIEW_ISSUED.label).is_checked()
    assert page.get_by_label(NotificationKind.AWARD.label).is_checked()
