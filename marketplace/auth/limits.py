"""Limits on failed sign-ins, and the cookie that lets a known browser past the wider ones.

Three limits count failed attempts (a sign-in that works counts towards none of them):

- per account and address (LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS, 5 per 15 minutes): someone
  guessing one account's password from one place. Its owner, elsewhere, is not held up;
- per account (LOGIN_LIMIT_PER_ACCOUNT, 50 per hour): guessing spread over many addresses;
- per address (LOGIN_LIMIT_PER_IP, 30 per 15 minutes): one place trying many accounts.

A browser that has signed in to an account before carries a signed cookie saying so (it holds
a keyed hash of the address, not the address). Attempts on that account from that browser are
exempt from the last two limits, so a stranger spreading guesses, or a busy shared address,
cannot lock the account's owner out; they still meet the first. Once a limit is reached, even
the right password waits: otherwise the limit would tell a guesser when they had it right.
"""

import hashlib
import hmac

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer
from limits import parse

from marketplace.domain.sessions import minutes_in_words

KNOWN_BROWSER_COOKIE = "known_browser"
KNOWN_BROWSER_DAYS = 400  # the longest cookie lifetime browsers honour
KNOWN_ACCOUNTS_PER_BROWSER = 5


def account_key(email: str) -> str:
    """A keyed hash of the email address: what limits and cookies count by, so neither the
    limit store nor the cookie holds the address itself."""
    normalised = (email or "").strip().lower().encode("utf-8", "surrogatepass")
    secret = current_app.secret_key.encode() if isinstance(current_app.secret_key, str) \
        else current_app.secret_key
    return hmac.new(secret, b"sign-in:" + normalised, hashlib.sha256).hexdigest()[:32]


def _submitted_account() -> str:
    return account_key(request.form.get("email") or "")


def per_account_key() -> str:
    return "account:" + _submitted_account()


def per_account_and_address_key() -> str:
    return f"account-address:{_submitted_account()}:{request.remote_addr}"


def failed(response) -> bool:
    # Only attempts that did not sign anybody in count towards the limits.
    return response.status_code != 302


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-browser")


def known_accounts() -> list[str]:
    raw = request.cookies.get(KNOWN_BROWSER_COOKIE)
    if not raw:
        return []
    try:
        accounts = _serializer().loads(raw)
    except BadSignature:
        return []
    return [a for a in accounts if isinstance(a, str)] if isinstance(accounts, list) else []


def is_known_browser() -> bool:
    return _submitted_account() in known_accounts()


def remember_browser(response, email: str) -> None:
    """After a sign-in: this browser has now signed in to this account."""
    key = account_key(email)
    accounts = [key] + [a for a in known_accounts() if a != key]
    response.set_cookie(
        KNOWN_BROWSER_COOKIE,
        _serializer().dumps(accounts[:KNOWN_ACCOUNTS_PER_BROWSER]),
        max_age=KNOWN_BROWSER_DAYS * 24 * 3600,
        path="/sign-in",  # sent with sign-in requests only
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def _wait(setting: str) -> str:
    seconds = parse(current_app.config[setting]).get_expiry()
    return minutes_in_words(max(1, -(-seconds // 60)))


def per_account_and_address_message() -> str:
    return (f"There have been too many attempts to sign in to this account from here. "
            f"Wait {_wait('LOGIN_LIMIT_PER_ACCOUNT_AND_ADDRESS')}, then try again.")


def per_account_message() -> str:
    return (f"There have been too many attempts to sign in to this account. "
            f"Wait {_wait('LOGIN_LIMIT_PER_ACCOUNT')}, then try again, or sign in from a "
            "browser you have used to sign in to it before.")


def per_address_message() -> str:
    return (f"There have been too many attempts to sign in from your network. "
            f"Wait {_wait('LOGIN_LIMIT_PER_IP')}, then try again.")
