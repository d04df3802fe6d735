"""Development only: the messages the local mail catcher (`make run`) has caught.

create_app registers this blueprint only when MARKETPLACE_ENV=development; the catcher is
aiosmtpd's Mailbox handler, a real SMTP server writing each message into a Maildir.
"""

from flask import Blueprint

from marketplace.access import PUBLIC, protect

# Every demo user's emails, to anybody at the development site: there is nothing else there.
bp = protect(Blueprint("dev_mail", __name__, url_prefix="/dev/mail"), PUBLIC)

from . import views  # noqa: E402,F401
