import mailbox
import re
from email import policy
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import abort, current_app, render_template

from marketplace.access import owner_exempt

from . import bp

KEY = re.compile(r"^[A-Za-z0-9._,:=-]+$")


def _maildir() -> mailbox.Maildir | None:
    folder = Path(current_app.config["MAIL_CATCHER_DIR"])
    if not (folder / "cur").is_dir():
        return None
    return mailbox.Maildir(folder, factory=None, create=False)


def _parse(message) -> dict:
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    body = parsed.get_body(preferencelist=("plain",))
    sent = parsed["Date"]
    return {"to": parsed["To"], "from": parsed["From"], "subject": parsed["Subject"],
            "sent": parsedate_to_datetime(sent) if sent else None,
            "body": body.get_content() if body is not None else ""}


@bp.route("")
def index():
    box = _maildir()
    messages = []
    if box is not None:
        for key, message in box.items():
            messages.append({"key": key, **_parse(message)})
    messages.sort(key=lambda m: (m["sent"] is not None, m["sent"]), reverse=True)
    return render_template("dev_mail/index.html", title="Caught mail", messages=messages,
                           folder=current_app.config["MAIL_CATCHER_DIR"],
                           server=f"{current_app.config['MAIL_SERVER']}:"
                                  f"{current_app.config['MAIL_PORT']}")


@bp.route("/<key>")
@owner_exempt("development only: a caught message, not an object of the marketplace")
def show(key: str):
    box = _maildir()
    if box is None or not KEY.match(key):
        abort(404)
    try:
        message = box[key]
    except KeyError:
        abort(404)
    return render_template("dev_mail/show.html", title="Caught message",
                           message=_parse(message))
