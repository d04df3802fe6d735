import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import AuditEvent
from marketplace.security import is_safe_next, verify_password

from .conftest import DEMO_PASSWORD, text_of, user

SAME_MESSAGE = "Enter a correct email address and password"


def sign_in(client, email, password=DEMO_PASSWORD, **params):
    return client.post("/sign-in", data={"email": email, "password": password}, **params)


def test_demo_user_signs_in_and_sees_organisation_and_role(client):
    response = sign_in(client, "ccg@demo.test")
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"
    page = text_of(client.get("/dashboard"))
    assert "NHS Coventry and Rugby CCG" in page
    assert "CCG user" in page
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "user.signed_in")
    ) == 1


def test_unknown_user_and_wrong_password_get_the_same_message(client):
    unknown = text_of(sign_in(client, "nobody@demo.test"))
    wrong = text_of(sign_in(client, "ccg@demo.test", "not-the-password"))
    assert SAME_MESSAGE in unknown
    assert SAME_MESSAGE in wrong
    assert unknown.replace("nobody@demo.test", "X") == wrong.replace("ccg@demo.test", "X")


def test_an_inactive_user_cannot_sign_in(client):
    response = sign_in(client, "inactive@demo.test")
    assert response.status_code == 200
    assert SAME_MESSAGE in text_of(response)
    assert client.get("/dashboard").status_code == 302


def test_an_empty_form_gets_messages_at_the_fields(client):
    page = text_of(client.post("/sign-in", data={"email": "", "password": ""}))
    assert "There is a problem" in page
    assert "Enter your email address" in page
    assert "Enter your password" in page


def test_too_many_attempts_on_one_account_get_a_429_page(client):
    for _ in range(5):
        assert sign_in(client, "css@demo.test", "wrong-password-123").status_code == 200
    response = sign_in(client, "css@demo.test")  # even the right password now waits
    assert response.status_code == 429
    assert "Too many attempts" in text_of(response)
    # Another account from the same address is not locked by this one.
    assert sign_in(client, "ccg@demo.test").status_code == 302


def test_too_many_attempts_from_one_address_get_a_429(app, client):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 15 minutes"
    try:
        for number in range(3):
            sign_in(client, f"nobody{number}@demo.test")
        assert sign_in(client, "ccg@demo.test").status_code == 429
    finally:
        app.config["LOGIN_LIMIT_PER_IP"] = "30 per 15 minutes"


def test_successful_sign_ins_do_not_count_towards_the_limit(client):
    for _ in range(7):
        assert sign_in(client, "ccg@demo.test").status_code == 302
        client.post("/sign-out")


def test_a_form_without_its_csrf_token_gets_400_and_changes_nothing(ccg_client):
    response = ccg_client.post(
        "/account/password",
        data={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"},
        csrf=False,
    )
    assert response.status_code == 400
    assert "form had expired" in text_of(response)
    assert verify_password(user("ccg@demo.test").password_hash, DEMO_PASSWORD)


@pytest.mark.parametrize(
    "target,followed",
    [
        ("/admin/users", "/admin/users"),
        ("https://evil.example/", "/dashboard"),
        ("//evil.example/", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
    ],
)
def test_only_same_site_next_redirects(client, target, followed):
    response = sign_in(client, "admin@demo.test", query_string={"next": target})
    assert response.headers["Location"] == followed


def test_is_safe_next():
    assert is_safe_next("/offers?q=finance")
    for bad in (None, "", "http://x", "//x", "/\\x", "x/y", "/a\nb"):
        assert not is_safe_next(bad)


def test_sign_in_starts_a_new_session(client):
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    sign_in(client, "ccg@demo.test")
    with client.session_transaction() as session:
        assert "planted" not in session


def test_sign_out(ccg_client):
    assert "Sign out" in text_of(ccg_client.get("/sign-out"))
    response = ccg_client.post("/sign-out")
    assert response.headers["Location"] == "/sign-in"
    assert ccg_client.get("/dashboard").status_code == 302


def test_users_change_their_own_password(client):
    sign_in(client, "ccg@demo.test")
    response = client.post(
        "/account/password",
        data={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"},
    )
    assert response.status_code == 302
    assert verify_password(user("ccg@demo.test").password_hash, "a-brand-new-password")
    assert client.get("/dashboard").status_code == 200  # this session carries on
    client.post("/sign-out")
    assert sign_in(client, "ccg@demo.test").status_code == 200  # old password refused
    assert sign_in(client, "ccg@demo.test", "a-brand-new-password").status_code == 302


def test_changing_password_ends_other_sessions(app, client):
    other = app.test_client()
    sign_in(other, "ccg@demo.test")
    sign_in(client, "ccg@demo.test")
    client.post(
        "/account/password",
        data={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"},
    )
    assert other.get("/dashboard").status_code == 302


@pytest.mark.parametrize(
    "current,new,message",
    [
        ("wrong-password-0", "a-brand-new-password", "Your current password is not right"),
        (DEMO_PASSWORD, "short", "Password must be 12 characters or more"),
        (DEMO_PASSWORD, DEMO_PASSWORD, "must be different"),
    ],
)
def test_bad_password_changes_are_refused_at_the_field(ccg_client, current, new, message):
    response = ccg_client.post(
        "/account/password", data={"current_password": current, "new_password": new}
    )
    assert response.status_code == 200
    assert message in text_of(response)
    assert verify_password(user("ccg@demo.test").password_hash, DEMO_PASSWORD)
