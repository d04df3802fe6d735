"""What an agreement promises and what the provider reports against it.

Each agreement line carries its key performance indicators (AgreementKpi), drafted from the
offer's service levels and changed by the CCG only while the agreement is a draft; once
signed they are frozen with the rest of its terms (models/frozen.py refuses the flush).
Each month the provider submits a PerformanceReturn of PerformanceFigures, one per KPI due;
the CCG accepts or disputes each figure, and a dispute is answered by a new version.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain.service_levels import Direction, Frequency, Rating, Unit, rate
from marketplace.extensions import db

from .base import IdMixin, Quantity, TimestampMixin, UTCDateTime
from .buying import Agreement, AgreementLine


class AgreementKpi(IdMixin, TimestampMixin, db.Model):
    """One key performance indicator of an agreement line; rules in domain/service_levels.py."""

    __tablename__ = "agreement_kpi"
    __table_args__ = (
        CheckConstraint("unit IN ('percent', 'working_days', 'days', 'hours', 'count')",
                        name="unit_known"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction_known"),
        CheckConstraint("frequency IN ('monthly', 'quarterly')", name="frequency_known"),
        CheckConstraint("tolerance >= 0", name="tolerance_not_negative"),
    )

    agreement_line_id: Mapped[int] = mapped_column(
        ForeignKey("agreement_line.id", ondelete="CASCADE"), index=True
    )
    measure: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default=Unit.PERCENT)
    # None only for a KPI drafted from an offer whose service level named no number: the
    # agreement cannot be signed until the CCG sets it.
    target: Mapped[Decimal | None] = mapped_column(Quantity)
    direction: Mapped[str] = mapped_column(String(8), default=Direction.HIGHER)
    tolerance: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    frequency: Mapped[str] = mapped_column(String(12), default=Frequency.MONTHLY)
    # The offer's words it was drafted from ("Monthly dashboard: By working day 10").
    offer_wording: Mapped[str] = mapped_column(Text, default="", server_default="")

    line: Mapped[AgreementLine] = relationship(back_populates="kpis")

    @validates("unit")
    def _unit(self, key, value):
        return Unit(value).value

    @validates("direction")
    def _direction(self, key, value):
        return Direction(value).value

    @validates("frequency")
    def _frequency(self, key, value):
        return Frequency(value).value

    @property
    def agreement(self):
        return self.line.agreement

    @property
    def unit_label(self) -> str:
        return Unit(self.unit).label

    @property
    def direction_label(self) -> str:
        return Direction(self.direction).label

    @property
    def frequency_label(self) -> str:
        return Frequency(self.frequency).label

    def show(self, value: Decimal | None) -> str:
        return Unit(self.unit).show(value)

    @property
    def target_text(self) -> str:
        return self.show(self.target)

    @property
    def tolerance_text(self) -> str:
        if not self.tolerance:
            return "None"
        if self.unit == Unit.PERCENT:
            return f"{Unit.COUNT.show(self.tolerance)} percentage points"
        return self.show(self.tolerance)


class FigureReview(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DISPUTED = "disputed"

    @property
    def label(self) -> str:
        return {"pending": "Awaiting the CCG", "accepted": "Accepted",
                "disputed": "Disputed"}[self.value]


class PerformanceReturn(IdMixin, db.Model):
    """The provider's return for one month of an agreement: one version per submission.

    The first version is the return; a later version is the provider's resubmission after the
    CCG disputed figures of the one before. Never changed once submitted (models/frozen.py):
    only the CCG's review of each figure moves on."""

    __tablename__ = "performance_return"
    __table_args__ = (UniqueConstraint("agreement_id", "period_number", "version"),)

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    period_number: Mapped[int] = mapped_column(Integer)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    # The first version's lateness is the return's; a resubmission is never "late".
    submitted_late: Mapped[bool] = mapped_column(Boolean, default=False)
    due_on: Mapped[date] = mapped_column(Date)

    agreement: Mapped[Agreement] = relationship()
    submitted_by: Mapped["User"] = relationship()  # noqa: F821
    figures: Mapped[list["PerformanceFigure"]] = relationship(
        back_populates="performance_return", cascade="all, delete-orphan",
        order_by="PerformanceFigure.id")


class PerformanceFigure(IdMixin, db.Model):
    """One KPI's figure in a return, with the provider's commentary and the CCG's review.

    value and commentary never change; the review (accepted, or disputed with a reason) is the
    CCG's, once, under lock_version so that two CCG users reviewing at once cannot both win."""

    __tablename__ = "performance_figure"
    __table_args__ = (UniqueConstraint("return_id", "kpi_id"),)

    return_id: Mapped[int] = mapped_column(
        ForeignKey("performance_return.id", ondelete="CASCADE"), index=True
    )
    kpi_id: Mapped[int] = mapped_column(ForeignKey("agreement_kpi.id"), index=True)
    value: Mapped[Decimal] = mapped_column(Quantity)
    commentary: Mapped[str] = mapped_column(Text, default="")
    # Accepted in an earlier version and carried into this resubmission unchanged.
    carried_forward: Mapped[bool] = mapped_column(Boolean, default=False)
    review: Mapped[str] = mapped_column(String(12), default=FigureReview.PENDING)
    dispute_reason: Mapped[str] = mapped_column(Text, default="")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    performance_return: Mapped[PerformanceReturn] = relationship(back_populates="figures")
    kpi: Mapped[AgreementKpi] = relationship()
    reviewed_by: Mapped["User | None"] = relationship()  # noqa: F821

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("review")
    def _review(self, key, value):
        return FigureReview(value).value

    @property
    def agreement(self) -> Agreement:
        return self.performance_return.agreement

    @property
    def review_label(self) -> str:
        return FigureReview(self.review).label

    @property
    def rating(self) -> Rating | None:
        kpi = self.kpi
        if kpi.target is None:
            return None
        return rate(self.value, kpi.target, kpi.direction, kpi.tolerance)


# What a submitted figure says; only its review may change afterwards.
FIGURE_FIXED = ("return_id", "kpi_id", "value", "commentary", "carried_forward")
