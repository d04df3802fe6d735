"""A CCG's authorisation evidence pack as issued: the PDF bytes every download serves.

Issued from the CCG's own records (services/authorisation_packs.py), never changed or
deleted afterwards (models/frozen.py); issuing again makes the next version beside it.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, UTCDateTime
from .organisation import Organisation


class AuthorisationPack(IdMixin, db.Model):
    __tablename__ = "authorisation_pack"
    # Two CCG users issuing at once cannot both make version n.
    __table_args__ = (UniqueConstraint("ccg_id", "version", name="uq_authorisation_pack_version"),)

    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Deferred: the list of versions never loads every PDF.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))

    ccg: Mapped[Organisation] = relationship()
    issued_by: Mapped["User"] = relationship()  # noqa: F821
