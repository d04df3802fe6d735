"""What users are told: a sentence and a link per event, in the app and (if they wish) by email."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, UTCDateTime


class NotificationKind(StrEnum):
    REVIEW_ISSUED = "review_issued"
    CONDITION_SET = "condition_set"
    CONDITION_DECIDED = "condition_decided"
    AGREEMENT_TO_COUNTERSIGN = "agreement_to_countersign"
    RETURN_DISPUTED = "return_disputed"
    OPPORTUNITY_PUBLISHED = "opportunity_published"
    CLARIFICATION_ANSWERED = "clarification_answered"
    BIDS_CLOSED = "bids_closed"
    AWARD = "award"
    STANDSTILL_ENDED = "standstill_ended"
    SURVEY_OPEN = "survey_open"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


# In the order the settings page lists them; the labels are what people read there.
KIND_LABELS = {
    NotificationKind.REVIEW_ISSUED: "A review of your CSS is issued",
    NotificationKind.CONDITION_SET: "Conditions are set for your CSS",
    NotificationKind.CONDITION_DECIDED: "A reviewer accepts or reopens a condition",
    NotificationKind.AGREEMENT_TO_COUNTERSIGN: "An agreement waits for you to countersign",
    NotificationKind.RETURN_DISPUTED: "A service level return is disputed",
    NotificationKind.OPPORTUNITY_PUBLISHED: "An opportunity you may respond to is published",
    NotificationKind.CLARIFICATION_ANSWERED: "A question about an opportunity is answered",
    NotificationKind.BIDS_CLOSED: "An opportunity closes for responses",
    NotificationKind.AWARD: "A contract is awarded",
    NotificationKind.STANDSTILL_ENDED: "A standstill period ends",
    NotificationKind.SURVEY_OPEN: "A customer survey opens for your CCG to answer",
}


class Notification(IdMixin, db.Model):
    __tablename__ = "notification"
    __table_args__ = (Index("ix_notification_recipient_unread", "recipient_id", "is_read"),)

    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    sentence: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    is_read: Mapped[bool] = mapped_column(default=False)

    recipient: Mapped["User"] = relationship()  # noqa: F821

    @property
    def kind_label(self) -> str:
        return NotificationKind(self.kind).label


class NotificationPreference(IdMixin, db.Model):
    """One row per kind a user has chosen about; without a row, the email is sent."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    by_email: Mapped[bool] = mapped_column(default=True)
