"""Signed-in sessions kept on the server: started at sign-in, ended by signing out, by a
password change, by an administrator's change to the account, or by the limits in
marketplace/domain/sessions.py.

Functions that only stage a change (start, end_all_for) leave the commit to the service that
calls them, so the session and its audit event are saved together.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from marketplace.clock import session_now
from marketplace.domain import sessions as rules
from marketplace.extensions import db
from marketplace.models import Notification, User, UserSession

from .transaction import transactional

USER_AGENT_CHARS = 200


class EndReason:
    SIGNED_OUT = "signed_out"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_CHANGED = "account_changed"
    WRONG_PASSWORDS = "wrong_passwords"


def limits() -> rules.SessionLimits:
    config = current_app.config
    return rules.SessionLimits(
        idle=timedelta(minutes=config["SESSION_IDLE_MINUTES"]),
        lifetime=timedelta(hours=config["SESSION_MAX_HOURS"]),
        recent_password=timedelta(minutes=config["RECENT_PASSWORD_MINUTES"]),
    )


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user_agent_hint(user_agent: str | None) -> str:
    return "".join(ch for ch in (user_agent or "") if ch.isprintable())[:USER_AGENT_CHARS]


def start(user: User, user_agent: str | None) -> str:
    """Stage a new session for the user and return the token its cookie is to carry."""
    now = session_now()
    session_limits = limits()
    # Whatever of this user's sessions can no longer be used goes now, so the table holds
    # only live sessions and the last few, without a clean-up job.
    db.session.execute(delete(UserSession).where(
        UserSession.user_id == user.id,
        or_(UserSession.ended_at.is_not(None),
            UserSession.created_at < now - session_limits.lifetime,
            UserSession.last_seen_at < now - session_limits.idle),
    ))
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(
        token_hash=_hash(token), user=user, created_at=now, last_seen_at=now,
        password_entered_at=now, user_agent=_user_agent_hint(user_agent),
    ))
    return token


def find(token: str | None) -> tuple[UserSession | None, int]:
    """The session a cookie's token names, with its user and their organisation, and how
    many of the user's notifications are unread (the header shows it on every page: read
    with the session, it costs no statement of its own)."""
    if not token or not isinstance(token, str):
        return None, 0
    unread = (select(func.count(Notification.id))
              .where(Notification.recipient_id == UserSession.user_id,
                     Notification.is_read.is_(False))
              .scalar_subquery())
    found = db.session.execute(
        select(UserSession, unread)
        .where(UserSession.token_hash == _hash(token))
        .options(joinedload(UserSession.user).joinedload(User.organisation))
    ).first()
    return (found[0], found[1] or 0) if found else (None, 0)


def state_of(row: UserSession) -> rules.SessionState:
    return rules.state_of(limits(), now=session_now(), created_at=row.created_at,
                          last_seen_at=row.last_seen_at, ended_at=row.ended_at)


def keep_alive(row: UserSession) -> None:
    """Record activity at most once a minute; called before the request does anything else,
    so the commit holds nothing but this. Most requests have nothing to record, and then
    commit nothing either: a commit would expire the signed-in user and their organisation,
    and the request's first look at them would read them again."""
    now = session_now()
    if rules.needs_touch(limits(), now=now, last_seen_at=row.last_seen_at):
        _touch(row, now)


@transactional
def _touch(row: UserSession, now) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == row.id, UserSession.ended_at.is_(None))
        .values(last_seen_at=now)
    )


def password_is_recent(row: UserSession) -> bool:
    return rules.password_is_recent(limits(), now=session_now(),
                                    password_entered_at=row.password_entered_at)


def end(row: UserSession, reason: str) -> None:
    """Stage the end of one session."""
    if row.ended_at is None:
        row.ended_at = session_now()
        row.end_reason = reason


def end_all_for(user: User, reason: str, *, keep: UserSession | None = None) -> None:
    """Stage the end of every open session of a user (but ``keep``, the one asking)."""
    statement = update(UserSession).where(
        UserSession.user_id == user.id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        statement = statement.where(UserSession.id != keep.id)
    db.session.execute(statement.values(ended_at=session_now(), end_reason=reason),
                       execution_options={"synchronize_session": "fetch"})
