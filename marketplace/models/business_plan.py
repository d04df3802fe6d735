"""A CSS's business plan: numbered versions, frozen once submitted.

The financial model is stored as JSON with every figure a decimal string, in the shape
marketplace.domain.business_plan.FinancialModel reads; services/business_plans.py converts.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, TimestampMixin, UTCDateTime
from .organisation import Organisation
from .user import User


class PlanStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return self.value.capitalize()


NARRATIVE_SECTIONS = {
    "leadership": "Leadership",
    "customers": "Customers",
    "services": "Services",
    "operating_model": "Operating model",
    "workforce": "Workforce",
    "risks": "Risks",
}

# The four perspectives of a balanced scorecard (Kaplan and Norton), asked for at checkpoint 3.
SCORECARD_PERSPECTIVES = {
    "financial": "Financial",
    "customer": "Customer",
    "internal_processes": "Internal processes",
    "learning_and_growth": "Learning and growth",
}


class BusinessPlan(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "business_plan"
    __table_args__ = (UniqueConstraint("organisation_id", "version"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=PlanStatus.DRAFT, index=True)
    leadership: Mapped[str] = mapped_column(Text, default="")
    customers: Mapped[str] = mapped_column(Text, default="")
    services: Mapped[str] = mapped_column(Text, default="")
    operating_model: Mapped[str] = mapped_column(Text, default="")
    workforce: Mapped[str] = mapped_column(Text, default="")
    risks: Mapped[str] = mapped_column(Text, default="")
    financial_model: Mapped[dict | None] = mapped_column(JSON)
    # perspective key -> measures and targets, in the CSS's words
    balanced_scorecard: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # Optimistic locking: a save based on an older read is refused, not silently lost.
    lock_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    evidence: Mapped[list["EvidenceDocument"]] = relationship(  # noqa: F821
        back_populates="business_plan", order_by="EvidenceDocument.id"
    )
    # The financial model's income, one row per customer, specification and year.
    income_rows: Mapped[list["PlanIncome"]] = relationship(  # noqa: F821
        back_populates="business_plan", cascade="all, delete-orphan", passive_deletes=True,
        order_by="PlanIncome.id")

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return PlanStatus(value).value

    @property
    def is_submitted(self) -> bool:
        return self.status == PlanStatus.SUBMITTED

    @property
    def status_label(self) -> str:
        return PlanStatus(self.status).label

    @property
    def label(self) -> str:
        return f"Version {self.version}"

    def narrative(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in NARRATIVE_SECTIONS}
