"""A review of one submission: ratings, conditions and a binding development plan.

Signed-off reviews and submitted business plans are frozen: services refuse changes first
with a message, and the before_flush guard in models/frozen.py is the backstop.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .assurance import Criterion, Submission
from .base import IdMixin, TimestampMixin, UTCDateTime, utcnow
from .organisation import Organisation
from .user import User


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    SIGNED_OFF = "signed_off"

    @property
    def label(self) -> str:
        return {"draft": "In review", "signed_off": "Signed off"}[self.value]


class ConditionStatus(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    ACCEPTED = "accepted"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def colour(self) -> str:
        return {"open": "orange", "responded": "blue", "accepted": "green",
                "reopened": "red"}[self.value]


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    ACCEPTED = "accepted"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        return {"open": "Open", "done": "Done (awaiting acceptance)", "accepted": "Accepted",
                "reopened": "Reopened"}[self.value]

    @property
    def colour(self) -> str:
        return {"open": "orange", "done": "blue", "accepted": "green",
                "reopened": "red"}[self.value]


class Review(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "review"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.DRAFT, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # What the checkpoint's rule makes of the ratings; None until every criterion is rated.
    computed_outcome_code: Mapped[str | None] = mapped_column(String(40))
    # The outcome given: the computed one, or an override with its written reason.
    outcome_code: Mapped[str | None] = mapped_column(String(40))
    outcome_label: Mapped[str | None] = mapped_column(String(200))
    override_reason: Mapped[str] = mapped_column(Text, default="")
    # Checkpoint 3: a merge recommendation names the CSS to merge with.
    merge_with_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The BDU's plan-check thresholds and hosting policy the review was judged against
    # (key -> value as stored), recorded at each save and fixed at sign-off.
    thresholds_in_force: Mapped[dict | None] = mapped_column(JSON)
    # Optimistic locking: a save based on an older read is refused, and nothing is lost.
    lock_version: Mapped[int] = mapped_column(default=1)

    submission: Mapped[Submission] = relationship(back_populates="review")
    author: Mapped[User] = relationship(foreign_keys=[author_id])
    signed_off_by: Mapped[User | None] = relationship(foreign_keys=[signed_off_by_id])
    merge_with: Mapped[Organisation | None] = relationship()
    assignments: Mapped[list["ReviewAssignment"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewAssignment.id"
    )
    ratings: Mapped[list["Rating"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Rating.id"
    )
    conditions: Mapped[list["Condition"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="Condition.id"
    )
    actions: Mapped[list["DevelopmentAction"]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="DevelopmentAction.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return ReviewStatus(value).value

    @property
    def is_signed_off(self) -> bool:
        return self.status == ReviewStatus.SIGNED_OFF

    @property
    def status_label(self) -> str:
        return ReviewStatus(self.status).label

    @property
    def reference(self) -> str:
        """How a CSS board and the Board quote this review: CP2-00007."""
        return f"CP{self.submission.checkpoint.number}-{self.id:05d}"

    @property
    def is_overridden(self) -> bool:
        return bool(self.outcome_code) and self.outcome_code != self.computed_outcome_code

    def reviewer_ids(self) -> set[int]:
        return {assignment.reviewer_id for assignment in self.assignments} | {self.author_id}

    def rating_for(self, criterion_id: int) -> "Rating | None":
        return next((r for r in self.ratings if r.criterion_id == criterion_id), None)


class ReviewAssignment(IdMixin, db.Model):
    __tablename__ = "review_assignment"
    __table_args__ = (UniqueConstraint("review_id", "reviewer_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    review: Mapped[Review] = relationship(back_populates="assignments")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])


class Rating(IdMixin, db.Model):
    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criterion.id"), index=True)
    value: Mapped[str] = mapped_column(String(40))
    commentary: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="ratings")
    criterion: Mapped[Criterion] = relationship()


class Condition(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "review_condition"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=ConditionStatus.OPEN, index=True)
    css_response: Mapped[str] = mapped_column(Text, default="")
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    reviewer_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Set when the CSS reviewed merged into another: the successor answers the condition now.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))

    review: Mapped[Review] = relationship(back_populates="conditions")
    answered_by: Mapped[Organisation | None] = relationship(foreign_keys=[answered_by_id])

    @property
    def answering_organisation_id(self) -> int:
        """The CSS that answers this condition: the one reviewed, or its successor."""
        return self.answered_by_id or self.review.submission.organisation_id

    @validates("status")
    def _status(self, key, value):
        return ConditionStatus(value).value

    @property
    def status_enum(self) -> ConditionStatus:
        return ConditionStatus(self.status)


class DevelopmentAction(IdMixin, TimestampMixin, db.Model):
    """One milestone of the binding development plan."""

    __tablename__ = "development_action"

    review_id: Mapped[int] = mapped_column(
        ForeignKey("review.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=ActionStatus.OPEN, index=True)
    evidence_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewer_note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    review: Mapped[Review] = relationship(back_populates="actions")

    @validates("status")
    def _status(self, key, value):
        return ActionStatus(value).value

    @property
    def status_enum(self) -> ActionStatus:
        return ActionStatus(self.status)
