from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, UTCDateTime, utcnow


class AuditEvent(IdMixin, db.Model):
    """Who changed what, written in the same transaction as the change itself."""

    __tablename__ = "audit_event"

    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str] = mapped_column(String(80), index=True)
    object_id: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    changes: Mapped[dict | None] = mapped_column(JSON)

    actor: Mapped["User | None"] = relationship()  # noqa: F821
    organisation: Mapped["Organisation | None"] = relationship()  # noqa: F821


class MarketGeneration(db.Model):
    """One row: a token replaced when a transaction that wrote an audit event commits
    (services.market_cache), and every state change writes one. Pages worked out from the
    whole market (the BDU's sufficiency, the demand across CCGs) are kept in the shared cache
    under the token they were drawn at, so none is shown once a change has committed."""

    __tablename__ = "market_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
