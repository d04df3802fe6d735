"""The PDF of a signed-off review as issued: the bytes every later download serves.

An issued document never changes (models/frozen.py refuses updates and deletes); a
correction would be issued as a new version beside it. reports/storage.py is the only code
that reads and writes these rows.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, UTCDateTime, utcnow
from .review import Review


class IssuedDocument(IdMixin, db.Model):
    __tablename__ = "issued_document"
    __table_args__ = (UniqueConstraint("review_id", "version"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("review.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100), default="application/pdf")
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # Deferred: lists of documents (the ZIP, the review pages) never load every PDF at once.
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship()

    def __repr__(self) -> str:
        return f"<IssuedDocument review={self.review_id} v{self.version} {self.sha256[:12]}>"
