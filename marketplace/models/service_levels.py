"""What an agreement promises and what the provider reports against it.

Each agreement line carries its key performance indicators (AgreementKpi), drafted from the
offer's service levels and changed by the CCG only while the agreement is a draft; once
signed they are frozen with the rest of its terms (models/frozen.py refuses the flush).
"""

from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain.service_levels import Direction, Frequency, Unit
from marketplace.extensions import db

from .base import IdMixin, Quantity, TimestampMixin
from .buying import AgreementLine


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
