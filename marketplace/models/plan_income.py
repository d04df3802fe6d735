"""A plan's income, one row per customer, specification and plan year.

Kept in step with the plan's financial model (services/plan_income.py writes the rows every
time the model is saved), so the BDU can add up what every CSS plans to earn from a CCG or
from a specification without reading each plan's JSON.

customer_code and service_line keep the plan's own keys: a row whose customer_id or
specification_id is empty says which key could not be matched. customer_id is empty for
the NHS Commissioning Board ("board") and other non-CCG customers ("other");
specification_id is empty for a line that is no catalogue specification.
"""

from decimal import Decimal

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from marketplace.extensions import db

from .base import IdMixin, Money
from .catalogue import ServiceSpecification
from .organisation import Organisation


class PlanIncome(IdMixin, db.Model):
    __tablename__ = "plan_income"
    __table_args__ = (
        Index("ix_plan_income_customer_year", "customer_id", "plan_year"),
        Index("ix_plan_income_specification_year", "specification_id", "plan_year"),
    )

    business_plan_id: Mapped[int] = mapped_column(
        ForeignKey("business_plan.id", ondelete="CASCADE"), index=True
    )
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    specification_id: Mapped[int | None] = mapped_column(ForeignKey("service_specification.id"))
    # The first year of the financial year: 2013 for 2013/14.
    plan_year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    # The plan's own keys: an ODS code, "board" or "other"; a specification code or an
    # older template's line.
    customer_code: Mapped[str] = mapped_column(String(200))
    service_line: Mapped[str] = mapped_column(String(200))

    business_plan: Mapped["BusinessPlan"] = relationship(  # noqa: F821
        back_populates="income_rows"
    )
    customer: Mapped[Organisation | None] = relationship()
    specification: Mapped[ServiceSpecification | None] = relationship()

    def __repr__(self) -> str:
        return (
            f"<PlanIncome plan={self.business_plan_id} {self.customer_code} "
            f"{self.service_line} {self.plan_year} {self.amount}>"
        )
