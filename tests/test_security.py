"""Security: a new session at sign-in, the headers on every kind of response, production
cookies, and numbers too large for the database answered as bad requests, not errors."""

import re

import pytest

from marketplace import create_app

from .conftest import DEMO_PASSWORD, user
from .factories import make_scenario


def session_cookie(client) -> str | None:
    cookie = client.get_cookie("session")
    return cookie.value if cookie else None


def test_the_session_cookie_is_replaced_at_sign_in(client):
    client.get("/sign-in")
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        token_before = session["csrf_token"]
    before = session_cookie(client)
    assert before

    response = client.post("/sign-in", data={"email": "ccg@demo.test", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    after = session_cookie(client)
    assert after and after != before
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session.get("csrf_token") != token_before  # a new CSRF token too
        assert session["_user_id"] == user("ccg@demo.test").get_id()

    # The cookie from before sign-in is still nobody's.
    client.set_cookie("session", before)
    assert client.get("/dashboard").status_code == 302


def test_production_cookies_are_secure_httponly_and_samesite(monkeypatch, database_url):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://marketplace.example.nhs.uk")
    app = create_app({"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": database_url,
                      "REDIS_URL": None})
    response = app.test_client().get("/sign-in")  # the form's CSRF token starts a session
    [cookie] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


PAGE_KINDS = [
    ("sign-in page", None, "/sign-in"),
    ("dashboard", "ccg@demo.test", "/dashboard"),
    ("search", "ccg@demo.test", "/offers?q=contracts"),
    ("form page", "ccg@demo.test", "/scenarios/new"),
    ("admin page", "admin@demo.test", "/admin/users"),
    ("not found page", "ccg@demo.test", "/no-such-page"),
    ("forbidden page", "ccg@demo.test", "/admin/users"),
    ("JSON API", "ccg@demo.test", "/api/v1/specifications"),
    ("API error", None, "/api/v1/scenarios/1"),
    ("CSV download", "ccg@demo.test", "/scenarios/{scenario}/export.csv"),
    ("health check", None, "/healthz"),
    ("our stylesheet", None, "/static/css/marketplace.css"),
]


@pytest.mark.parametrize("kind, email, url", PAGE_KINDS, ids=[k for k, _, _ in PAGE_KINDS])
def test_security_headers_on_every_kind_of_response(client, sign_in, kind, email, url):
    scenario = make_scenario()
    requester = sign_in(email) if email else client
    response = requester.get(url.format(scenario=scenario.id))
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    if not url.startswith("/static/"):
        assert headers["Cache-Control"] == "no-store"  # one organisation's data, never cached


@pytest.mark.parametrize("url, status", [
    ("/agreements/99999999999999999999999", 404),
    ("/api/v1/providers/9223372036854775808", 404),
    ("/api/v1/scenarios/2147483648", 404),
    # Ids in a query string reach the database, which refuses them as out of range.
    ("/scenarios/compare?a=99999999999999999999999&b=1", 400),
    # An old agreement link (agreements now come from procurements) redirects, whatever it holds.
    ("/agreements/new?offer=99999999999999999999999", 303),
])
def test_numbers_too_large_for_the_database_are_refused_not_errors(ccg_client, url, status):
    response = ccg_client.get(url)
    assert response.status_code == status, url
    assert "Traceback" not in response.get_data(as_text=True)
