"""Sign-in limits count by the real client behind a trusted proxy, never hand a stranger a
lock-out of someone else's account, and every failed sign-in is in the audit trail."""

import pytest
from sqlalchemy import select

from marketplace import create_app, register_proxies
from marketplace.auth.limits import KNOWN_BROWSER_COOKIE
from marketplace.config import ConfigError
from marketplace.extensions import db
from marketplace.models import AuditEvent

from .conftest import DEMO_PASSWORD, text_of, user

PROXY = "10.0.0.1"


def attempt(client, email, password=DEMO_PASSWORD, *, address="192.0.2.10", via_proxy=False):
    """A sign-in from ``address``, straight or through the HTTPS proxy."""
    if via_proxy:
        return client.post("/sign-in", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": PROXY},
                           headers={"X-Forwarded-For": address, "X-Forwarded-Proto": "https",
                                    # Over HTTPS, CSRF protection checks the referrer too.
                                    "Referer": "https://localhost/sign-in"})
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


@pytest.fixture(autouse=True)
def _in_app_context(app_context):
    """Tests read the audit trail between requests."""


@pytest.fixture
def behind_proxy(app, monkeypatch):
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)  # put back afterwards
    register_proxies(app)


@pytest.fixture
def limits(app, monkeypatch):
    def set_limit(name, value):
        monkeypatch.setitem(app.config, name, value)
    return set_limit


# Behind a proxy -----------------------------------------------------------------------------


def test_behind_the_proxy_the_limit_counts_each_client_not_the_proxy(app, behind_proxy, limits):
    limits("LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    guesser, colleague = app.test_client(), app.test_client()
    for number in range(3):
        attempt(guesser, f"nobody{number}@demo.test", address="203.0.113.7", via_proxy=True)
    assert attempt(guesser, "ccg@demo.test", address="203.0.113.7", via_proxy=True
                   ).status_code == 429
    assert attempt(colleague, "ccg@demo.test", address="198.51.100.4", via_proxy=True
                   ).status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_for_header_changes_nothing(app, limits):
    limits("LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    client = app.test_client()
    for number in range(3):
        # Each claims another address, but the connection is the same one.
        client.post("/sign-in", data={"email": f"nobody{number}@demo.test", "password": "x"},
                    environ_base={"REMOTE_ADDR": "192.0.2.10"},
                    headers={"X-Forwarded-For": f"203.0.113.{number}"})
    response = client.post("/sign-in", data={"email": "ccg@demo.test", "password": "x"},
                           environ_base={"REMOTE_ADDR": "192.0.2.10"},
                           headers={"X-Forwarded-For": "203.0.113.99"})
    assert response.status_code == 429
    assert "too many attempts to sign in from your network" in text_of(response)


def test_trusted_proxies_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    app = create_app({"ENV_NAME": "test", "RATELIMIT_STORAGE_URI": "memory://"})
    assert type(app.wsgi_app).__name__ == "ProxyFix"
    assert (app.wsgi_app.x_for, app.wsgi_app.x_proto, app.wsgi_app.x_host) == (2, 2, 0)
    monkeypatch.setenv("TRUSTED_PROXIES", "0")
    plain = create_app({"ENV_NAME": "test", "RATELIMIT_STORAGE_URI": "memory://"})
    assert type(plain.wsgi_app).__name__ != "ProxyFix"


@pytest.mark.parametrize("value", ["one", "-1", "²", "1.5"])
def test_a_bad_trusted_proxies_value_stops_the_app_with_a_message(monkeypatch, value):
    monkeypatch.setenv("TRUSTED_PROXIES", value)
    with pytest.raises(ConfigError, match="TRUSTED_PROXIES must be a whole number"):
        create_app({"ENV_NAME": "test"})


# Per account --------------------------------------------------------------------------------


def test_wrong_passwords_from_one_place_do_not_lock_the_owner_out_elsewhere(app):
    stranger, owner = app.test_client(), app.test_client()
    for number in range(5):
        assert attempt(stranger, "css@demo.test", f"guess-{number}-password").status_code == 200
    response = attempt(stranger, "css@demo.test")  # even the right password waits, here
    assert response.status_code == 429
    assert "too many attempts to sign in to this account from here" in text_of(response)
    assert "Wait 15 minutes" in text_of(response)
    assert attempt(owner, "css@demo.test", address="198.51.100.4").status_code == 302


def test_guessing_spread_over_many_addresses_meets_the_slower_account_limit(app, limits):
    limits("LOGIN_LIMIT_PER_ACCOUNT", "3 per hour")
    stranger = app.test_client()
    for number in range(3):
        attempt(stranger, "css@demo.test", "a-wrong-password", address=f"203.0.113.{number}")
    response = attempt(app.test_client(), "css@demo.test", address="203.0.113.50")
    assert response.status_code == 429
    page = text_of(response)
    assert "too many attempts to sign in to this account" in page
    assert "Wait an hour" in page and "a browser you have used to sign in to it before" in page


def test_a_browser_that_signed_in_before_is_not_locked_out_by_strangers(app, limits):
    limits("LOGIN_LIMIT_PER_ACCOUNT", "3 per hour")
    owner = app.test_client()
    assert attempt(owner, "css@demo.test", address="198.51.100.4").status_code == 302
    owner.post("/sign-out")
    for number in range(5):
        attempt(app.test_client(), "css@demo.test", "a-wrong-password",
                address=f"203.0.113.{number}")
    assert attempt(app.test_client(), "css@demo.test", address="203.0.113.60"
                   ).status_code == 429
    # Even from somewhere new (a train's wi-fi), the owner's browser gets in.
    assert attempt(owner, "css@demo.test", address="203.0.113.61").status_code == 302


def test_a_known_browser_still_meets_the_limit_for_its_own_address(app):
    browser = app.test_client()
    assert attempt(browser, "css@demo.test").status_code == 302
    browser.post("/sign-out")
    for number in range(5):
        attempt(browser, "css@demo.test", f"guess-{number}-password")
    assert attempt(browser, "css@demo.test").status_code == 429


def test_a_known_browser_is_not_held_up_by_others_on_its_network(app, limits):
    limits("LOGIN_LIMIT_PER_IP", "3 per 15 minutes")
    owner = app.test_client()
    assert attempt(owner, "ccg@demo.test").status_code == 302
    owner.post("/sign-out")
    for number in range(3):  # someone else in the same office, on other accounts
        attempt(app.test_client(), f"nobody{number}@demo.test")
    assert attempt(app.test_client(), "ccg2@demo.test").status_code == 429
    assert attempt(owner, "ccg@demo.test").status_code == 302
    # Being known for one account does not let it try others past the limit.
    assert attempt(owner, "ccg2@demo.test").status_code == 429


def test_the_known_browser_cookie_is_signed_names_nobody_and_goes_to_sign_in_only(app):
    browser = app.test_client()
    response = attempt(browser, "css@demo.test")
    [header] = [h for h in response.headers.getlist("Set-Cookie")
                if h.startswith(KNOWN_BROWSER_COOKIE + "=")]
    assert "Path=/sign-in" in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert "css" not in header.split(";")[0] and "demo" not in header.split(";")[0]


def test_a_forged_known_browser_cookie_is_ignored(app, limits):
    limits("LOGIN_LIMIT_PER_ACCOUNT", "3 per hour")
    for number in range(3):
        attempt(app.test_client(), "css@demo.test", "a-wrong-password",
                address=f"203.0.113.{number}")
    forger = app.test_client()
    forger.set_cookie(KNOWN_BROWSER_COOKIE, '["anything"].forged', path="/sign-in")
    assert attempt(forger, "css@demo.test", address="203.0.113.9").status_code == 429


# The audit trail ----------------------------------------------------------------------------


def failures():
    return db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "user.sign_in_failed").order_by(AuditEvent.id)).all()


def test_failed_sign_ins_are_audited_without_what_was_typed(client):
    attempt(client, "nobody@demo.test", "typed-password-one")
    attempt(client, "ccg@demo.test", "typed-password-two")
    attempt(client, "inactive@demo.test")
    unknown, wrong, inactive = failures()

    assert (unknown.actor_id, unknown.object_type, unknown.object_id) == (None, "System", None)
    assert unknown.changes == {"reason": "unknown_account"}
    assert "nobody" not in unknown.summary

    assert wrong.actor_id is None
    assert (wrong.object_type, wrong.object_id) == ("User", str(user("ccg@demo.test").id))
    assert wrong.changes == {"reason": "wrong_password"}

    assert inactive.object_id == str(user("inactive@demo.test").id)
    assert inactive.changes == {"reason": "deactivated"}

    for event in (unknown, wrong, inactive):
        recorded = f"{event.summary} {event.changes}"
        assert "typed-password" not in recorded and DEMO_PASSWORD not in recorded
        assert "192.0.2" not in recorded  # no network address kept


def test_a_sign_in_refused_by_a_limit_is_not_checked_nor_recorded(app):
    stranger = app.test_client()
    for number in range(5):
        attempt(stranger, "css@demo.test", f"guess-{number}-password")
    attempt(stranger, "css@demo.test", "guess-5-password")
    assert len(failures()) == 5


def test_unknown_and_wrong_look_the_same_to_the_person_signing_in(app):
    unknown = attempt(app.test_client(), "nobody@demo.test", "a-wrong-password")
    wrong = attempt(app.test_client(), "ccg@demo.test", "a-wrong-password")
    assert unknown.status_code == wrong.status_code == 200
    assert (text_of(unknown).replace("nobody@demo.test", "X")
            == text_of(wrong).replace("ccg@demo.test", "X"))
    assert [h.split("=")[0] for h in unknown.headers.getlist("Set-Cookie")] == \
        [h.split("=")[0] for h in wrong.headers.getlist("Set-Cookie")]
