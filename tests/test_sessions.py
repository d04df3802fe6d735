"""Sessions end on the server: at sign-out, after a password or account change, after 30
minutes without a request and 12 hours after sign-in; sensitive actions ask for the password
again when it was last entered more than 15 minutes ago."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from marketplace.access import rule_for_endpoint
from marketplace.clock import session_now as utcnow
from marketplace.extensions import db
from marketplace.models import Agreement, AuditEvent, Review, ReviewStatus, User, UserSession

from . import factories as build
from .conftest import DEMO_PASSWORD, html, text_of, user
from .factories import market  # noqa: F401  (fixture)


def sign_in_with_form(client, email="ccg@demo.test"):
    response = client.post("/sign-in", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return response


def sessions_of(email) -> list[UserSession]:
    return db.session.scalars(
        select(UserSession).where(UserSession.user_id == user(email).id).order_by(UserSession.id)
    ).all()


def age_sessions(email, **ago: timedelta) -> None:
    """Move a user's open sessions into the past: age_sessions(x, last_seen_at=minutes(31))."""
    now = utcnow()
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user(email).id)
        .values({column: now - delta for column, delta in ago.items()})
    )
    db.session.commit()


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def cookie(client) -> str:
    return client.get_cookie("session").value


def followed(client, response) -> str:
    assert response.status_code == 302
    return text_of(client.get(response.headers["Location"]))


# Signing out ------------------------------------------------------------------------------------


def test_a_cookie_copied_before_sign_out_does_not_work_after_it(client):
    sign_in_with_form(client)
    copied = cookie(client)
    assert client.get("/dashboard").status_code == 200
    client.post("/sign-out")

    client.set_cookie("session", copied)
    response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    [row] = sessions_of("ccg@demo.test")
    assert row.ended_at is not None and row.end_reason == "signed_out"


def test_the_database_keeps_a_hash_of_the_cookie_token_not_the_token(client):
    sign_in_with_form(client)
    with client.session_transaction() as session:
        token = session["sid"]
    [row] = sessions_of("ccg@demo.test")
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.token_hash, row.user_agent}


def test_sign_in_offers_no_remember_me_cookie(client):
    response = sign_in_with_form(client)
    cookies = [h.split("=", 1)[0] for h in response.headers.getlist("Set-Cookie")]
    assert "remember_token" not in cookies


def test_each_browser_has_its_own_session_and_signing_out_ends_only_that_one(app, client):
    other = app.test_client()
    sign_in_with_form(client)
    sign_in_with_form(other)
    client.post("/sign-out")
    assert other.get("/dashboard").status_code == 200
    assert [row.end_reason for row in sessions_of("ccg@demo.test")] == ["signed_out", None]


def test_old_sessions_of_a_user_are_cleared_away_at_sign_in(app, client):
    for _ in range(3):
        sign_in_with_form(client)
        client.post("/sign-out")
    # Each sign-in removes the user's ended sessions: the last one ended, one open.
    sign_in_with_form(client)
    assert [row.end_reason for row in sessions_of("ccg@demo.test")] == [None]


# Idle and absolute limits -----------------------------------------------------------------------


@pytest.mark.parametrize("quiet, signed_in", [(29, True), (31, False)])
def test_thirty_minutes_without_a_request_signs_out_with_a_message(client, quiet, signed_in):
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", last_seen_at=minutes(quiet))
    response = client.get("/dashboard")
    if signed_in:
        assert response.status_code == 200
        return
    assert response.headers["Location"] == "/sign-in?next=%2Fdashboard"
    page = followed(client, response)
    assert "You were signed out after 30 minutes without activity" in page
    assert "Sign in to see this page" not in page  # told once, and why
    # The cookie no longer names the session: the message is not repeated.
    assert "signed out after" not in text_of(client.get("/sign-in"))


@pytest.mark.parametrize("age, signed_in", [(11 * 60 + 59, True), (12 * 60 + 1, False)])
def test_twelve_hours_after_sign_in_a_busy_session_ends_too(client, age, signed_in):
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", created_at=minutes(age), last_seen_at=minutes(0.5))
    response = client.get("/dashboard")
    if signed_in:
        assert response.status_code == 200
        return
    page = followed(client, response)
    assert "You were signed out because you signed in more than 12 hours ago" in page


def test_the_limits_come_from_the_settings(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "SESSION_IDLE_MINUTES", 5)
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", last_seen_at=minutes(6))
    page = followed(client, client.get("/dashboard"))
    assert "You were signed out after 5 minutes without activity" in page


def test_an_ended_session_is_explained_on_a_public_page_too(client):
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", last_seen_at=minutes(45))
    response = client.get("/offers")
    assert response.status_code == 200
    page = text_of(response)
    assert "You were signed out after 30 minutes without activity" in page
    assert html(response).select_one('a[href="/sign-in"]') is not None


def test_activity_is_recorded_at_most_once_a_minute(client):
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", last_seen_at=minutes(0.5))
    [before] = sessions_of("ccg@demo.test")
    seen = before.last_seen_at
    client.get("/dashboard")
    db.session.refresh(before)
    assert before.last_seen_at == seen  # under a minute: no write

    age_sessions("ccg@demo.test", last_seen_at=minutes(1.5))
    client.get("/dashboard")
    db.session.refresh(before)
    assert utcnow() - before.last_seen_at < timedelta(seconds=30)


def test_stylesheets_and_health_checks_do_not_look_the_session_up(client):
    sign_in_with_form(client)
    age_sessions("ccg@demo.test", last_seen_at=minutes(45))
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/marketplace.css").status_code == 200
    # The session is still named by the cookie, so the next page explains its end.
    assert "without activity" in followed(client, client.get("/dashboard"))


# Password and account changes -------------------------------------------------------------------


def test_changing_the_password_signs_out_everywhere_else_with_a_message(app, client):
    elsewhere = app.test_client()
    sign_in_with_form(elsewhere)
    sign_in_with_form(client)
    response = client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"})
    assert "signed out everywhere else" in followed(client, response)
    assert client.get("/dashboard").status_code == 200

    page = followed(elsewhere, elsewhere.get("/dashboard"))
    assert "You were signed out because your password was changed" in page
    assert [row.end_reason for row in sessions_of("ccg@demo.test")] == ["password_changed", None]


@pytest.mark.parametrize("change", ["deactivate", "role"])
def test_an_administrators_change_to_an_account_ends_its_sessions(admin_client, sign_in, change):
    target = sign_in("css2@demo.test")
    assert target.get("/dashboard").status_code == 200
    account = user("css2@demo.test")
    data = {"role": "css_leader", "organisation_name": account.organisation.name, "active": "y"}
    if change == "deactivate":
        del data["active"]
    else:
        data["role"] = "ccg_user"  # refused for a CSS: nothing changes, nothing ends
        response = admin_client.post(f"/admin/users/{account.id}/edit", data=data)
        assert response.status_code == 200
        assert target.get("/dashboard").status_code == 200
        data = {"role": "css_leader", "organisation_name": user("css@demo.test").organisation.name,
                "active": "y"}
    assert admin_client.post(f"/admin/users/{account.id}/edit", data=data).status_code == 302
    assert target.get("/dashboard").status_code == 302
    assert {row.end_reason for row in sessions_of("css2@demo.test")} == {"account_changed"}


# Confirming the password for sensitive actions --------------------------------------------------


def _new_user(request, sign_in):
    client = sign_in("admin@demo.test")
    data = {"full_name": "New Person", "email": "new.person@demo.test",
            "password": "temporary-password-1", "role": "ccg_user",
            "organisation_name": user("ccg@demo.test").organisation.name}
    return ("admin@demo.test", client, "/admin/users/new", data,
            lambda: user("new.person@demo.test") is not None)


def _edit_user(request, sign_in):
    client = sign_in("admin@demo.test")
    target = user("ccg2@demo.test")
    data = {"role": "ccg_user", "organisation_name": target.organisation.name}  # not active
    return ("admin@demo.test", client, f"/admin/users/{target.id}/edit", data,
            lambda: not user("ccg2@demo.test").is_active_user)


def _submit(request, sign_in):
    build.checkpoint(2)
    plan = build.plan()
    return ("css@demo.test", sign_in("css@demo.test"), "/assurance/checkpoints/2/submit",
            {"document_id": plan.id}, lambda: db.session.get(type(plan), plan.id).is_submitted)


def _sign_off(request, sign_in):
    review = build.started_review()
    build.rate(review, build.CP2_GOOD)
    review_id = review.id
    return ("bdu2@demo.test", sign_in("bdu2@demo.test"), f"/reviews/{review_id}/sign-off",
            {"lock_version": review.lock_version},
            lambda: db.session.get(Review, review_id).status == ReviewStatus.SIGNED_OFF)


def _draft_agreement(request):
    from .factories import create_agreement

    offers = request.getfixturevalue("market")
    return create_agreement(user("ccg@demo.test").organisation, [offers.arden_bi],
                            status="draft")


def _agreement_sign(request, sign_in):
    agreement = _draft_agreement(request)
    agreement_id = agreement.id
    return ("ccg@demo.test", sign_in("ccg@demo.test"), f"/agreements/{agreement_id}/sign",
            {"lock_version": agreement.lock_version},
            lambda: db.session.get(Agreement, agreement_id).status == "awaiting_countersignature")


def _agreement_countersign(request, sign_in):
    from marketplace.services import agreements

    agreement = _draft_agreement(request)
    agreements.sign_for_ccg(user("ccg@demo.test"), agreement, agreement.lock_version)
    agreement_id = agreement.id
    return ("css@demo.test", sign_in("css@demo.test"),
            f"/customers/agreements/{agreement_id}/countersign",
            {"lock_version": agreement.lock_version},
            lambda: db.session.get(Agreement, agreement_id).status == "signed")


SENSITIVE = {"add a user": _new_user, "change a user": _edit_user,
             "submit to a checkpoint": _submit, "sign off a review": _sign_off,
             "sign an agreement": _agreement_sign,
             "countersign an agreement": _agreement_countersign}


def _refresh(done):
    db.session.expire_all()
    return done()


@pytest.mark.parametrize("action", SENSITIVE)
def test_a_sensitive_action_asks_for_the_password_after_fifteen_minutes(request, sign_in, action):
    email, client, url, data, done = SENSITIVE[action](request, sign_in)
    age_sessions(email, password_entered_at=minutes(16))

    response = client.post(url, data=data)
    assert response.status_code == 200
    page = html(response)
    assert page.h1.get_text(strip=True) == "Confirm your password"
    form = page.select_one("form[method=post]")
    assert form["action"] == url
    carried = {i["name"]: i["value"] for i in form.select("input[type=hidden]")}
    assert {k: str(v) for k, v in data.items()}.items() <= carried.items()
    assert "csrf_token" in carried
    assert not _refresh(done)

    response = client.post(url, data=carried | {"recent-password": "not-my-password"})
    assert response.status_code == 400
    assert "The password is not right" in page_error(response)
    assert not _refresh(done)

    response = client.post(url, data=carried | {"recent-password": DEMO_PASSWORD})
    assert response.status_code == 302, text_of(response)
    assert _refresh(done)
    [row] = [r for r in sessions_of(email) if r.ended_at is None]
    assert utcnow() - row.password_entered_at < timedelta(seconds=30)
    assert row.wrong_passwords == 0


def page_error(response) -> str:
    element = html(response).select_one("#recent-password-error")
    return element.get_text(" ", strip=True) if element else ""


def test_within_fifteen_minutes_the_action_goes_straight_through(request, sign_in):
    email, client, url, data, done = _sign_off(request, sign_in)
    age_sessions(email, password_entered_at=minutes(14))
    assert client.post(url, data=data).status_code == 302
    assert _refresh(done)


def test_an_empty_password_is_asked_for_at_the_field(request, sign_in):
    email, client, url, data, done = _sign_off(request, sign_in)
    age_sessions(email, password_entered_at=minutes(20))
    response = client.post(url, data=data | {"recent-password": ""})
    assert response.status_code == 400
    assert "Enter your password" in page_error(response)
    assert "There is a problem" in text_of(response)


def test_carried_fields_are_escaped(request, sign_in):
    email, client, url, data, done = _new_user(request, sign_in)
    age_sessions(email, password_entered_at=minutes(20))
    data["full_name"] = '"><a href="https://evil.example/">Click</a>'
    response = client.post(url, data=data)
    assert 'href="https://evil.example/"' not in response.get_data(as_text=True)
    carried = html(response).select_one("input[name=full_name]")
    assert carried["value"] == data["full_name"]


def test_five_wrong_passwords_in_a_row_end_the_session(request, sign_in):
    email, client, url, data, done = _sign_off(request, sign_in)
    age_sessions(email, password_entered_at=minutes(20))
    for attempt in range(4):
        response = client.post(url, data=data | {"recent-password": f"wrong-{attempt}"})
        assert response.status_code == 400
    response = client.post(url, data=data | {"recent-password": "wrong-4"})
    assert "signed out after too many wrong passwords" in followed(client, response)
    assert client.get("/dashboard").status_code == 302
    assert not _refresh(done)
    [row] = sessions_of(email)
    assert row.end_reason == "wrong_passwords"
    failures = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "user.password_confirmation_failed"))
    assert failures == 5


def test_a_right_password_resets_the_count_of_wrong_ones(request, sign_in):
    email, client, url, data, done = _sign_off(request, sign_in)
    age_sessions(email, password_entered_at=minutes(20))
    for attempt in range(4):
        client.post(url, data=data | {"recent-password": f"wrong-{attempt}"})
    client.post(url, data=data | {"recent-password": DEMO_PASSWORD})
    [row] = sessions_of(email)
    assert row.wrong_passwords == 0 and row.ended_at is None


def test_pages_that_ask_for_the_password_again_are_the_sensitive_ones(app):
    asked = {endpoint: getattr(view, "recent_password_action", None)
             for endpoint, view in app.view_functions.items()}
    assert {endpoint for endpoint, action in asked.items() if action} == {
        "admin.new_user", "admin.edit_user", "checkpoints.submit", "reviews.sign_off",
        "agreements.change_status", "agreements.sign", "customers.countersign",
        "agreements.ending", "customers.ending",  # notice or termination ends a contract
    }
    # The decorator keeps the access rule declared on the view.
    assert rule_for_endpoint(app, "reviews.sign_off") is not None


def test_the_form_page_itself_is_not_held_up(sign_in):
    client = sign_in("admin@demo.test")
    age_sessions("admin@demo.test", password_entered_at=minutes(60))
    response = client.get("/admin/users/new")
    assert response.status_code == 200
    assert "Confirm your password" not in text_of(response)


def test_users_without_a_session_row_are_not_signed_in(client):
    account = db.session.scalar(select(User).where(User.email == "ccg@demo.test"))
    with client.session_transaction() as session:
        session["_user_id"] = account.get_id()  # a cookie as it was before this change
    response = client.get("/dashboard")
    assert response.status_code == 302
