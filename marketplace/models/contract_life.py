"""What happens to an agreement once both sides have signed it: service reviews held by
either side, and the actions agreed at them, each tracked to done; variations of its terms."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, Money, UTCDateTime
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


class VariationStatus(StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    DECLINED = "declined"


class AgreementVariation(IdMixin, db.Model):
    """A change of a signed agreement's annual value or end date, proposed by one party with
    a reason and agreed (or declined, with a reason) by the other. The agreement row keeps the
    signed original; each agreed variation is the next version (2, 3 ...), its terms the
    previous version's with this change (services/variations.py)."""

    __tablename__ = "agreement_variation"
    __table_args__ = (
        # NULL until agreed; two variations agreed at once cannot both become version n.
        UniqueConstraint("agreement_id", "version", name="uq_agreement_variation_version"),
        CheckConstraint("status IN ('proposed', 'agreed', 'declined')", name="status_known"),
        # At most one open proposal per agreement: two proposed at once cannot both be saved.
        # A partial unique index, which SQLite and PostgreSQL both have.
        Index("uq_agreement_variation_one_open", "agreement_id", unique=True,
              sqlite_where=text("status = 'proposed'"),
              postgresql_where=text("status = 'proposed'")),
    )

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default=VariationStatus.PROPOSED)
    version: Mapped[int | None] = mapped_column(Integer)
    new_annual_value: Mapped[Decimal | None] = mapped_column(Money)
    new_end_date: Mapped[date | None] = mapped_column(Date)
    # New KPI targets, {"<kpi id>": "<target>"}: Decimal as text, so nothing is rounded.
    new_kpi_targets: Mapped[dict | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    proposed_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    proposed_for_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    lock_version: Mapped[int] = mapped_column(default=1)

    agreement: Mapped[Agreement] = relationship()
    proposed_by: Mapped["User"] = relationship(foreign_keys=[proposed_by_id])  # noqa: F821
    proposed_for: Mapped["Organisation"] = relationship()  # noqa: F821
    answered_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[answered_by_id])

    __mapper_args__ = {"version_id_col": lock_version}

    @property
    def kpi_targets(self) -> dict[int, Decimal]:
        return {int(k): Decimal(v) for k, v in (self.new_kpi_targets or {}).items()}


class EndingKind(StrEnum):
    NOTICE = "notice"
    TERMINATION = "termination"


class AgreementEnding(IdMixin, db.Model):
    """How a signed agreement is being brought to an end before its term runs out: notice
    given by either party (it ends when the notice runs out), or termination with a reason
    (it ends that day). One per agreement: a termination after notice replaces the notice."""

    __tablename__ = "agreement_ending"
    __table_args__ = (
        UniqueConstraint("agreement_id", name="uq_agreement_ending_agreement_id"),
        CheckConstraint("kind IN ('notice', 'termination')", name="kind_known"),
    )

    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreement.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    given_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    given_at: Mapped[datetime] = mapped_column(UTCDateTime)
    given_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    given_for_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))

    agreement: Mapped[Agreement] = relationship()
    given_by: Mapped["User"] = relationship()  # noqa: F821
    given_for: Mapped["Organisation"] = relationship()  # noqa: F821
