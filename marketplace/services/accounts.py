"""Signing in, passwords, and the administration of user accounts."""

import secrets

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import ROLE_ORGANISATION_KINDS, Organisation, Role, User
from marketplace.security import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password

from .audit import record_event
from .errors import ServiceError
from .transaction import transactional


def new_session_token() -> str:
    return secrets.token_hex(16)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == (email or "").strip().lower())
    )


@transactional
def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown, wrong and inactive look the same."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        return None
    if not user.is_active_user:
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record_event("user.signed_in", user, f"{user.email} signed in", actor=user)
    return user


@transactional
def record_sign_out(user: User) -> None:
    record_event("user.signed_out", user, f"{user.email} signed out", actor=user)


def _check_password_strength(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field=field
        )


@transactional
def change_own_password(user: User, current_password: str, new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not right", field="current_password")
    _check_password_strength(new_password, "new_password")
    if current_password == new_password:
        raise ServiceError(
            "Your new password must be different from your current password",
            field="new_password",
        )
    user.password_hash = hash_password(new_password)
    user.session_token = new_session_token()
    record_event("user.password_changed", user, f"{user.email} changed their password", actor=user)


def _check_role_fits(role: str, organisation: Organisation) -> None:
    if organisation.kind not in ROLE_ORGANISATION_KINDS[Role(role)]:
        raise ServiceError(
            f"A {Role(role).label} cannot belong to a {organisation.kind_label.lower()}",
            field="role",
        )


@transactional
def create_user(
    actor: User | None,
    *,
    email: str,
    full_name: str,
    role: str,
    organisation: Organisation,
    password: str,
) -> User:
    email = email.strip().lower()
    if find_user_by_email(email) is not None:
        raise ServiceError("A user with this email address already exists", field="email")
    _check_role_fits(role, organisation)
    _check_password_strength(password, "password")
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        organisation=organisation,
        password_hash=hash_password(password),
        session_token=new_session_token(),
        is_active_user=True,
    )
    db.session.add(user)
    record_event(
        "user.created",
        user,
        f"Created {email} as {Role(role).label} at {organisation.name}",
        changes={"role": role, "organisation": organisation.name},
        actor=actor,
    )
    return user


@transactional
def update_user(actor: User, user: User, *, role: str, organisation: Organisation, active: bool):
    if user.id == actor.id and (not active or role != Role.ADMIN):
        raise ServiceError(
            "You cannot deactivate yourself or remove your own administrator role",
            field="role" if role != Role.ADMIN else "active",
        )
    _check_role_fits(role, organisation)
    changes = {}
    if user.role != role:
        changes["role"] = [user.role, role]
        user.role = role
    if user.organisation_id != organisation.id:
        changes["organisation"] = [user.organisation.name, organisation.name]
        user.organisation = organisation
    if user.is_active_user != active:
        changes["active"] = [user.is_active_user, active]
        user.is_active_user = active
    if not changes:
        return user
    # Any change of who someone is or whether they may sign in ends their open sessions.
    user.session_token = new_session_token()
    verb = "deactivated" if changes.get("active") == [True, False] else "updated"
    record_event(f"user.{verb}", user, f"{actor.email} {verb} {user.email}", changes=changes)
    return user
