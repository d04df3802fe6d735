from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.clock import session_now
from marketplace.extensions import db

from .base import IdMixin, UTCDateTime


class UserSession(IdMixin, db.Model):
    """One signed-in browser session, so that signing out ends it on the server too.

    The browser's cookie carries a random token; only its SHA-256 is kept here, so a copy of
    the database does not let anyone sign in as the people whose sessions are in it.
    """

    __tablename__ = "user_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=session_now)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=session_now)
    # When the password was last entered in this session: at sign-in, or to confirm an
    # action that asks for it again.
    password_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=session_now)
    # Wrong passwords given to confirm an action since the last right one.
    wrong_passwords: Mapped[int] = mapped_column(default=0)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # Enough of the browser's User-Agent to tell one's own sessions apart; no address is kept.
    user_agent: Mapped[str] = mapped_column(String(200), default="")

    user: Mapped["User"] = relationship()  # noqa: F821
