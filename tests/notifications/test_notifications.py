"""Notifications: stored with the change, emailed over SMTP after it commits, per user."""

import uuid

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.mail import send_email
from marketplace.models import Notification, NotificationKind
from marketplace.services import notifications
from marketplace.services.transaction import transaction

from ..conftest import html, text_of, user
from ..queries import counting_statements

REDIS_URL = "redis://127.0.0.1:6379/0"


def _tell(email: str, sentence: str = "Your review is issued",
          kind=NotificationKind.REVIEW_ISSUED):
    with transaction():
        notifications.notify([user(email)], kind, sentence, "/reviews")


def test_the_job_sends_one_message_over_smtp(app, app_context, smtp_server):
    assert send_email("someone@example.test", "Hello", "A body") is True
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "someone@example.test"
    assert message["Subject"] == "Hello"
    assert message["From"] == app.config["MAIL_DEFAULT_SENDER"]
    assert "A body" in message.get_content()


def test_without_mail_server_nothing_is_sent(app, app_context):
    assert app.config["MAIL_SERVER"] is None
    assert send_email("someone@example.test", "Hello", "A body") is False


def test_notify_stores_the_row_and_emails_after_commit(app, app_context, smtp_server):
    css = user("css@demo.test")
    with transaction():
        notifications.notify([css, css], NotificationKind.REVIEW_ISSUED,
                             "Your Checkpoint 2 review is issued", "/reviews/1")
        assert smtp_server.messages == []  # nothing leaves before the commit
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "css@demo.test"
    assert message["Subject"] == "CSS Marketplace: Your Checkpoint 2 review is issued"
    assert "http://localhost/reviews/1" in message.get_content()
    [row] = db.session.scalars(select(Notification)).all()
    assert (row.recipient_id, row.kind, row.is_read) == (css.id, "review_issued", False)
    assert notifications.unread_count(css) == 1


def test_a_rolled_back_change_tells_nobody(app, app_context, smtp_server):
    with pytest.raises(RuntimeError), transaction():
        notifications.notify([user("css@demo.test")], NotificationKind.REVIEW_ISSUED,
                             "Never", "/reviews")
        raise RuntimeError("refused")
    _tell("ccg@demo.test", "Afterwards")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "ccg@demo.test"
    assert db.session.scalar(select(func.count(Notification.id))) == 1


def test_a_user_who_turned_a_kind_off_gets_no_email_but_the_row(app, app_context,
                                                                 smtp_server):
    css = user("css@demo.test")
    notifications.set_email_kinds(css, [NotificationKind.AWARD])
    _tell("css@demo.test", "Issued")
    _tell("css@demo.test", "Awarded", NotificationKind.AWARD)
    smtp_server.wait_for(1)
    assert [m["Subject"] for m in smtp_server.messages] == ["CSS Marketplace: Awarded"]
    assert notifications.unread_count(css) == 2


@pytest.fixture
def mail_queue(app):
    connection = Redis.from_url(REDIS_URL)
    name = f"test-mail-{uuid.uuid4().hex}"
    original = app.config["REDIS_URL"], app.config["MAIL_QUEUE"]
    app.config["REDIS_URL"], app.config["MAIL_QUEUE"] = REDIS_URL, name
    queue = Queue(name, connection=connection)
    yield queue
    app.config["REDIS_URL"], app.config["MAIL_QUEUE"] = original
    queue.delete(delete_jobs=True)
    for key in connection.scan_iter(f"*{name}*"):
        connection.delete(key)


def test_with_redis_the_email_is_an_rq_job_with_retries(app, app_context, smtp_server,
                                                        mail_queue):
    _tell("css@demo.test", "Queued")
    assert smtp_server.messages == [] and mail_queue.count == 1
    [job] = mail_queue.jobs
    assert job.retries_left == len(notifications.RETRY_INTERVALS)
    SimpleWorker([mail_queue], connection=mail_queue.connection).work(burst=True)
    [message] = smtp_server.wait_for(1)
    assert (message["To"], message["Subject"]) == ("css@demo.test", "CSS Marketplace: Queued")


def test_in_a_request_without_redis_the_email_leaves_after_the_response(
        app, app_context, smtp_server, css_client):
    response = css_client.post("/notifications/settings",
                               data={"kinds": ["review_issued", "award"]})
    assert response.status_code == 302
    assert smtp_server.messages == []
    choices = notifications.emailed_kinds(user("css@demo.test"))
    assert choices == {"review_issued", "award"}


def test_each_user_sees_only_their_own_notifications(app, app_context, sign_in):
    _tell("css@demo.test", "For the CSS leader")
    _tell("ccg@demo.test", "For the CCG user")
    css = sign_in("css@demo.test")
    page = text_of(css.get("/notifications"))
    assert "For the CSS leader" in page and "For the CCG user" not in page
    assert "You have 1 unread notification." in page
    header = html(css.get("/notifications")).select_one("header").get_text(" ")
    assert "Notifications (1 unread)" in header
    ccg = sign_in("ccg@demo.test")
    page = text_of(ccg.get("/notifications"))
    assert "For the CCG user" in page and "For the CSS leader" not in page
    assert ccg.post("/notifications/mark-read").status_code == 302
    assert notifications.unread_count(user("ccg@demo.test")) == 0
    assert notifications.unread_count(user("css@demo.test")) == 1


def test_the_header_count_is_read_with_the_session(app, app_context, sign_in):
    """Every signed-in page shows the unread count: it comes with the session row, so a
    page with nothing else to read runs one statement, and the count follows marking read."""
    css = sign_in("css@demo.test")
    _tell("css@demo.test", "First")
    _tell("css@demo.test", "Second")
    _tell("ccg@demo.test", "Not for the CSS")
    with counting_statements() as count:
        page = css.get("/help")
    assert len(count) == 1
    assert "Notifications (2 unread)" in html(page).select_one("header").get_text(" ")
    assert css.post("/notifications/mark-read").status_code == 302
    header = html(css.get("/help")).select_one("header").get_text(" ")
    assert "unread" not in header and "Notifications" in header


def test_the_settings_page_has_a_checkbox_per_kind(app, app_context, css_client):
    page = html(css_client.get("/notifications/settings"))
    boxes = page.select("input[type=checkbox][name=kinds]")
    assert len(boxes) == len(NotificationKind) and all(b.has_attr("checked") for b in boxes)
    for box in boxes:
        assert page.select_one(f"label[for={box['id']}]") is not None
    css_client.post("/notifications/settings", data={})
    page = html(css_client.get("/notifications/settings"))
    assert not any(b.has_attr("checked")
                   for b in page.select("input[type=checkbox][name=kinds]"))


def test_the_notifications_pages_need_a_sign_in(client):
    assert client.get("/notifications").status_code in (302, 401)


def test_without_emails_fills_the_list_and_sends_nothing(app, app_context, smtp_server):
    with notifications.without_emails():
        _tell("css@demo.test", "From the seeded history")
    _tell("css@demo.test", "Now")
    [message] = smtp_server.wait_for(1)
    assert message["Subject"] == "CSS Marketplace: Now"
    assert notifications.unread_count(user("css@demo.test")) == 2
