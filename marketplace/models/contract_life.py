"""What happens to an agreement once both sides have signed it: service reviews held by
either side, and the actions agreed at them, each tracked to done."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, UTCDateTime
from .buying import Agreement


class ServiceReview(IdMixin, db.Model):
    """A meeting of the CCG and its CSS about the service, recorded by one of them. Never
    changed once recorded: only its actions move on, to done."""

    __tablename__ = "service_review"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The side whose user recorded it (the CCG or the provider), shown beside the review.
    recorded_for_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))

    agreement: Mapped[Agreement] = relationship()
    recorded_by: Mapped["User"] = relationship()  # noqa: F821
    recorded_for: Mapped["Organisation"] = relationship()  # noqa: F821
    actions: Mapped[list["ServiceReviewAction"]] = relationship(
        back_populates="service_review", order_by="ServiceReviewAction.id",
        cascade="all, delete-orphan")


class ServiceReviewAction(IdMixin, db.Model):
    """Something somebody undertook at a review to do by a date. Marked done once, by either
    side, under lock_version so two people marking it at once do not both record it."""

    __tablename__ = "service_review_action"

    service_review_id: Mapped[int] = mapped_column(
        ForeignKey("service_review.id", ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    service_review: Mapped[ServiceReview] = relationship(back_populates="actions")
    done_by: Mapped["User | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def agreement(self) -> Agreement:
        return self.service_review.agreement
