"""Signing in, passwords, and the administration of user accounts."""

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import func, select

from marketplace.clock import session_now
from marketplace.domain.sessions import WRONG_PASSWORDS_BEFORE_SIGN_OUT
from marketplace.extensions import db
from marketplace.models import ROLE_ORGANISATION_KINDS, Organisation, Role, User, UserSession
from marketplace.security import MIN_PASSWORD_LENGTH, hash_password, needs_rehash, verify_password

from . import sessions
from .audit import record_event
from .errors import ServiceError
from .transaction import transactional


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == (email or "").strip().lower())
    )


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str  # for the cookie; the database keeps only its hash


@transactional
def sign_in(email: str, password: str, *, user_agent: str | None) -> SignedIn | None:
    """A new session for these credentials, or None. Unknown, wrong and inactive look the same
    to the person signing in; the audit trail tells them apart.

    A refusal is recorded with no actor and without what was typed: an unknown address may be
    someone's own mistyped one, or a password typed in the wrong box, and the trail keeps no
    network address (see README, "Sign-in limits")."""
    user = find_user_by_email(email)
    if not verify_password(user.password_hash if user else None, password):
        if user is None:
            record_event("user.sign_in_failed", None,
                         "A sign-in was refused: no account has that email address",
                         changes={"reason": "unknown_account"}, actor=None)
        else:
            record_event("user.sign_in_failed", user,
                         f"A sign-in to {user.email} was refused: wrong password",
                         changes={"reason": "wrong_password"}, actor=None)
        return None
    if not user.is_active_user:
        record_event("user.sign_in_failed", user,
                     f"A sign-in to {user.email} was refused: the account is deactivated",
                     changes={"reason": "deactivated"}, actor=None)
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    token = sessions.start(user, user_agent)
    record_event("user.signed_in", user, f"{user.email} signed in", actor=user)
    return SignedIn(user, token)


@transactional
def sign_out(user: User, session_row: UserSession | None) -> None:
    if session_row is not None:
        sessions.end(session_row, sessions.EndReason.SIGNED_OUT)
    record_event("user.signed_out", user, f"{user.email} signed out", actor=user)


class Confirmation(StrEnum):
    CONFIRMED = "confirmed"
    WRONG = "wrong"
    SIGNED_OUT = "signed_out"  # too many wrong passwords in a row: the session has ended


@transactional
def confirm_password(user: User, session_row: UserSession, password: str) -> Confirmation:
    """Check the password someone gave to go on with a sensitive action in this session."""
    if verify_password(user.password_hash, password or ""):
        session_row.password_entered_at = session_now()
        session_row.wrong_passwords = 0
        return Confirmation.CONFIRMED
    session_row.wrong_passwords += 1
    outcome = Confirmation.WRONG
    summary = f"{user.email} gave a wrong password to confirm an action"
    if session_row.wrong_passwords >= WRONG_PASSWORDS_BEFORE_SIGN_OUT:
        sessions.end(session_row, sessions.EndReason.WRONG_PASSWORDS)
        outcome = Confirmation.SIGNED_OUT
        summary += f"; the session ended after {session_row.wrong_passwords} in a row"
    record_event("user.password_confirmation_failed", user, summary, actor=user,
                 changes={"wrong_passwords": session_row.wrong_passwords})
    return outcome


def _check_password_strength(password: str, field: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ServiceError(
            f"Password must be {MIN_PASSWORD_LENGTH} characters or more", field=field
        )


@transactional
def change_own_password(user: User, current_password: str, new_password: str, *,
                        session_row: UserSession | None) -> None:
    """Change the password and sign out everywhere else; this session carries on, the
    password having just been given."""
    if not verify_password(user.password_hash, current_password):
        raise ServiceError("Your current password is not right", field="current_password")
    _check_password_strength(new_password, "new_password")
    if current_password == new_password:
        raise ServiceError(
            "Your new password must be different from your current password",
            field="new_password",
        )
    user.password_hash = hash_password(new_password)
    sessions.end_all_for(user, sessions.EndReason.PASSWORD_CHANGED, keep=session_row)
    if session_row is not None:
        session_row.password_entered_at = session_now()
        session_row.wrong_passwords = 0
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
    sessions.end_all_for(user, sessions.EndReason.ACCOUNT_CHANGED)
    verb = "deactivated" if changes.get("active") == [True, False] else "updated"
    record_event(f"user.{verb}", user, f"{actor.email} {verb} {user.email}", changes=changes)
    return user
