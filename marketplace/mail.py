"""Sending one email over SMTP: the RQ job notification emails are queued as.

`rq worker` imports ``send_email`` by name. A worker started outside Flask builds the app from
the environment once per process (as the review-document job does) to read the MAIL_*
settings; inside an app context it uses the app it is in.
"""

from __future__ import annotations

import smtplib
from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from functools import cache

from flask import current_app, has_app_context

from marketplace import clock

SMTP_TIMEOUT_SECONDS = 30
# CRLF for SMTP. Lines up to RFC 5322's hard limit: the default 78 folds a subject that just
# misses the first line onto the next whole, and readers then see it start with a space.
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)


@cache
def worker_app():
    from marketplace import create_app

    return create_app()


def send_email(to: str, subject: str, body: str) -> bool:
    """Send one message; an SMTP error goes up, so that RQ retries the job.

    False when no MAIL_SERVER is configured (nothing is sent)."""
    if has_app_context():
        return _send(current_app.config, to, subject, body)
    with worker_app().app_context():
        return _send(current_app.config, to, subject, body)


def build_message(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(clock.now().timestamp(), usegmt=True)
    message["Message-ID"] = make_msgid(domain="css-marketplace.invalid")
    message.set_content(body)
    return message


def _send(config, to: str, subject: str, body: str) -> bool:
    server = config.get("MAIL_SERVER")
    if not server:
        current_app.logger.debug("MAIL_SERVER is not set: email %r to %s not sent", subject, to)
        return False
    message = build_message(config["MAIL_DEFAULT_SENDER"], to, subject, body)
    with smtplib.SMTP(server, config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)
    return True
