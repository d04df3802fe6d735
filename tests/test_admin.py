from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent

from .conftest import DEMO_PASSWORD, html, text_of, user


def test_admin_lists_users_with_status_in_words(admin_client):
    page = text_of(admin_client.get("/admin/users"))
    assert "ccg@demo.test" in page
    assert "Inactive" in page and "Active" in page


def test_admin_creates_a_user_who_can_sign_in(app, admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "full_name": "New Person",
            "email": "New.Person@Demo.test ",
            "password": "temporary-password-1",
            "role": "ccg_user",
            "organisation_name": "NHS Darlington CCG",
        },
    )
    assert response.status_code == 302
    created = user("new.person@demo.test")
    assert created.organisation.name == "NHS Darlington CCG"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.created"))
    assert event.object_id == str(created.id)
    assert event.actor.email == "admin@demo.test"

    fresh = app.test_client()
    signed_in = fresh.post(
        "/sign-in", data={"email": "new.person@demo.test", "password": "temporary-password-1"}
    )
    assert signed_in.status_code == 302


def test_a_role_must_fit_the_organisation(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "full_name": "Wrong Place",
            "email": "wrong@demo.test",
            "password": "temporary-password-1",
            "role": "css_leader",
            "organisation_name": "NHS Darlington CCG",
        },
    )
    assert response.status_code == 200
    page = html(response)
    assert "cannot belong to a clinical commissioning group" in page.select_one("#role-error").text
    assert user("wrong@demo.test") is None


def test_duplicate_email_is_refused_at_the_field(admin_client):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "full_name": "Copy",
            "email": "ccg@demo.test",
            "password": "temporary-password-1",
            "role": "ccg_user",
            "organisation_name": "NHS Darlington CCG",
        },
    )
    assert "already exists" in html(response).select_one("#email-error").text


def test_admin_deactivates_a_user_and_their_session_ends(app, admin_client):
    victim = app.test_client()
    victim.post("/sign-in", data={"email": "ccg2@demo.test", "password": DEMO_PASSWORD})
    assert victim.get("/dashboard").status_code == 200

    target = user("ccg2@demo.test")
    response = admin_client.post(
        f"/admin/users/{target.id}/edit",
        data={"role": "ccg_user", "organisation_name": target.organisation.name},  # box unticked
    )
    assert response.status_code == 302
    assert user("ccg2@demo.test").is_active_user is False
    assert victim.get("/dashboard").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.deactivated"))


def test_admin_re_roles_a_user(admin_client):
    target = user("peer2@demo.test")
    response = admin_client.post(
        f"/admin/users/{target.id}/edit",
        data={"role": "ccg_user", "organisation_name": "nhs ealing ccg", "active": "y"},
    )
    assert response.status_code == 302
    changed = user("peer2@demo.test")
    assert (changed.role, changed.organisation.name) == ("ccg_user", "NHS Ealing CCG")


def test_the_user_form_names_the_organisation_and_refuses_one_that_does_not_exist(
        admin_client):
    target = user("peer2@demo.test")
    form = html(admin_client.get(f"/admin/users/{target.id}/edit"))
    assert form.select_one("input#organisation_name")["value"] == target.organisation.name
    assert form.select_one("select#organisation_name") is None  # no list of 3,000 names
    response = admin_client.post(f"/admin/users/{target.id}/edit",
                                 data={"role": "ccg_user", "organisation_name": "NHS Nowhere CCG"})
    assert response.status_code in (200, 400)
    assert "No organisation has that name or ODS code" in text_of(response)
    assert user("peer2@demo.test").role == "peer_reviewer"


def test_admins_cannot_lock_themselves_out(admin_client):
    me = user("admin@demo.test")
    response = admin_client.post(
        f"/admin/users/{me.id}/edit",
        data={"role": "admin",
              "organisation_name": me.organisation.ods_code or me.organisation.name},
    )
    assert response.status_code == 200
    assert user("admin@demo.test").is_active_user


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999/edit").status_code == 404


def test_audit_page_lists_and_filters_events(admin_client, sign_in):
    ccg = sign_in("ccg@demo.test")
    ccg.post(
        "/account/password",
        data={"current_password": DEMO_PASSWORD, "new_password": "a-brand-new-password"},
    )
    everything = text_of(admin_client.get("/admin/audit-events"))
    changed = "Priya Shah (NHS Coventry and Rugby CCG) changed the password of Priya Shah."
    assert changed in everything
    assert "user.password_changed" not in everything  # the kind is in words, not its key
    filtered = text_of(admin_client.get("/admin/audit-events?action=user.signed_in"))
    assert changed not in filtered
    by_actor = text_of(admin_client.get(f"/admin/audit-events?actor={user('ccg@demo.test').id}"))
    assert changed in by_actor
    # An email typed into the address is not a person on the list: refused at the field.
    assert admin_client.get("/admin/audit-events?actor=ccg@demo.test").status_code == 400
