"""The development mail catcher, as `make run` starts it, and the page showing its catch."""

import socket
import subprocess
import sys
import time

import pytest

from marketplace import create_app
from marketplace.mail import send_email

from ..conftest import html, text_of


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def catcher(tmp_path):
    """aiosmtpd's Mailbox handler run from the command line, as the Makefile runs it."""
    port, folder = _free_port(), tmp_path / "mail"  # the catcher makes the Maildir
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "--nosetuid", "--listen", f"127.0.0.1:{port}",
         "--class", "aiosmtpd.handlers.Mailbox", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("the mail catcher did not start")
            time.sleep(0.1)
    yield port, folder
    process.terminate()
    process.wait(10)


@pytest.fixture
def development_app(app, catcher):
    port, folder = catcher
    return create_app({"ENV_NAME": "development", "SECRET_KEY": "dev-test",
                       "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                       "REDIS_URL": None, "RATELIMIT_STORAGE_URI": "memory://",
                       "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": port,
                       "MAIL_CATCHER_DIR": str(folder)})


def test_the_development_site_shows_what_the_catcher_caught(development_app):
    with development_app.app_context():
        assert send_email("css@demo.test", "Your review is issued", "Dear Ann,\nIt is.")
    client = development_app.test_client()
    deadline = time.monotonic() + 10
    while "Your review is issued" not in text_of(client.get("/dev/mail")):
        assert time.monotonic() < deadline, "the message never reached the catcher"
        time.sleep(0.1)
    page = html(client.get("/dev/mail"))
    link = page.find("a", string="Your review is issued")["href"]
    message = text_of(client.get(link))
    assert "css@demo.test" in message and "Dear Ann, It is." in message
    assert client.get("/dev/mail/not-a-message").status_code == 404


def test_only_development_has_the_page(app, client):
    assert "dev_mail.index" not in app.view_functions
    assert client.get("/dev/mail").status_code == 404
