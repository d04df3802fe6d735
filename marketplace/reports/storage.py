"""Where issued review PDFs live: one interface, so the store can change without callers.

Today the bytes are a column of issued_document (one backup, one transaction with the
sign-off). A file or object store would implement the same four functions and keep the row
for the hash; nothing outside this module reads IssuedDocument.content.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import undefer

from marketplace.extensions import db
from marketplace.models import IssuedDocument, Review, Submission


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def store(review: Review, content: bytes, *, filename: str, issued_at: datetime,
          version: int) -> IssuedDocument:
    """Stage the issued bytes in the current transaction; the caller commits."""
    document = IssuedDocument(review_id=review.id, version=version, filename=filename,
                              content_type="application/pdf", size_bytes=len(content),
                              sha256=sha256_hex(content), content=content, issued_at=issued_at)
    db.session.add(document)
    return document


def latest(review_id: int) -> IssuedDocument | None:
    return db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.review_id == review_id)
        .order_by(IssuedDocument.version.desc()).limit(1))


def next_version(review_id: int) -> int:
    current = db.session.scalar(
        select(func.max(IssuedDocument.version)).where(IssuedDocument.review_id == review_id))
    return (current or 0) + 1


def read(document: IssuedDocument) -> bytes:
    return document.content


def latest_for_checkpoint(checkpoint_id: int, *, with_content: bool = False
                          ) -> list[IssuedDocument]:
    """The latest issued document of each review at a checkpoint, in filename order."""
    newest = (select(IssuedDocument.review_id, func.max(IssuedDocument.version).label("version"))
              .group_by(IssuedDocument.review_id).subquery())
    statement = (
        select(IssuedDocument)
        .join(newest, (newest.c.review_id == IssuedDocument.review_id)
              & (newest.c.version == IssuedDocument.version))
        .join(Review, Review.id == IssuedDocument.review_id)
        .join(Submission, Submission.id == Review.submission_id)
        .where(Submission.checkpoint_id == checkpoint_id)
        .order_by(IssuedDocument.filename)
    )
    if with_content:
        statement = statement.options(undefer(IssuedDocument.content))
    return list(db.session.scalars(statement))
