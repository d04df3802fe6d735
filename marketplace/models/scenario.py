"""Ready reckoner reference data and a CCG's saved do / buy / share scenarios."""

from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, Money, Quantity, TimestampMixin


class FinancialYearAllowance(IdMixin, TimestampMixin, db.Model):
    """Running cost allowance per head for one financial year; administrators edit these."""

    __tablename__ = "financial_year_allowance"

    financial_year: Mapped[str] = mapped_column(String(7), unique=True)  # "2013/14"
    allowance_per_head: Mapped[Decimal] = mapped_column(Money)

    def __repr__(self) -> str:
        return f"<FinancialYearAllowance {self.financial_year} {self.allowance_per_head}>"


class ScenarioStatus(StrEnum):
    DRAFT = "draft"
    FINAL = "final"

    @property
    def label(self) -> str:
        return {"draft": "Draft", "final": "Final"}[self.value]


class Scenario(IdMixin, TimestampMixin, db.Model):
    """One CCG's costed configuration. Private to that CCG; BDU reviewers may read it."""

    __tablename__ = "scenario"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default=ScenarioStatus.DRAFT)
    population: Mapped[int]
    # The year whose figures the scenario leads with; the three-year view shows every year.
    financial_year: Mapped[str] = mapped_column(String(7))
    # When set, used for every year instead of the published allowance (e.g. the 2011 £20).
    allowance_per_head_override: Mapped[Decimal | None] = mapped_column(Money)
    in_house_non_pay: Mapped[Decimal] = mapped_column(Money, default=Decimal("0"))
    # Set when the scenario is marked final: the allowances per head and warning thresholds
    # it was costed with ({"allowances": {"2013/14": "25.00", ...}, "benchmark_per_head":
    # "9.00", "overheads_share": "0.5"}), so its figures stay as finalised when an
    # administrator later changes an allowance.
    final_figures: Mapped[dict | None] = mapped_column(JSON)
    # Optimistic locking: a save based on an older read is refused, not silently lost.
    lock_version: Mapped[int] = mapped_column(default=1, server_default="1")

    organisation: Mapped["Organisation"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    fixed_costs: Mapped[list["ScenarioFixedCost"]] = relationship(
        back_populates="scenario",
        cascade="all, delete-orphan",
        order_by="ScenarioFixedCost.position",
    )
    in_house_roles: Mapped[list["ScenarioInHouseRole"]] = relationship(
        back_populates="scenario",
        cascade="all, delete-orphan",
        order_by="ScenarioInHouseRole.position",
    )
    lines: Mapped[list["ScenarioLine"]] = relationship(
        back_populates="scenario",
        cascade="all, delete-orphan",
        order_by="ScenarioLine.position",
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _validate_status(self, key, value):
        return ScenarioStatus(value).value

    @validates("population")
    def _validate_population(self, key, value):
        if value is None or value <= 0:
            raise ValueError("population must be positive")
        return value

    @property
    def status_label(self) -> str:
        return ScenarioStatus(self.status).label

    @property
    def is_draft(self) -> bool:
        return self.status == ScenarioStatus.DRAFT

    def __repr__(self) -> str:
        return f"<Scenario {self.id} {self.name!r}>"


class ScenarioFixedCost(IdMixin, db.Model):
    __tablename__ = "scenario_fixed_cost"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(100))
    amount: Mapped[Decimal] = mapped_column(Money)

    scenario: Mapped[Scenario] = relationship(back_populates="fixed_costs")


class ScenarioInHouseRole(IdMixin, db.Model):
    __tablename__ = "scenario_in_house_role"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    role: Mapped[str] = mapped_column(String(100))
    wte: Mapped[Decimal] = mapped_column(Quantity)
    cost_per_wte: Mapped[Decimal] = mapped_column(Money)

    scenario: Mapped[Scenario] = relationship(back_populates="in_house_roles")


scenario_line_partner = Table(
    "scenario_line_partner",
    db.metadata,
    Column(
        "line_id",
        Integer,
        ForeignKey("scenario_line.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("organisation_id", Integer, ForeignKey("organisation.id"), primary_key=True),
)


class ScenarioLine(IdMixin, db.Model):
    """One service specification done in-house, bought or shared. Which columns apply depends
    on the mode: do (wte, cost_per_wte, non_pay), buy (pricing_model, price,
    estimated_quantity, or manual_amount), share (shared_total, split_method, partners)."""

    __tablename__ = "scenario_line"

    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    service: Mapped[str] = mapped_column(String(200))
    # The catalogue specification the line costs, so a statement line, an offer and a
    # business plan's income can all be traced to the same thing.
    specification_id: Mapped[int | None] = mapped_column(
        ForeignKey("service_specification.id"), index=True
    )
    mode: Mapped[str] = mapped_column(String(8))

    wte: Mapped[Decimal | None] = mapped_column(Quantity)
    cost_per_wte: Mapped[Decimal | None] = mapped_column(Money)
    non_pay: Mapped[Decimal | None] = mapped_column(Money)

    pricing_model: Mapped[str | None] = mapped_column(String(20))
    price: Mapped[Decimal | None] = mapped_column(Money)
    estimated_quantity: Mapped[Decimal | None] = mapped_column(Quantity)
    manual_amount: Mapped[Decimal | None] = mapped_column(Money)
    # Will link to the marketplace's offers (another branch builds them); until then a plain
    # integer with no foreign key, so this table does not depend on theirs.
    offer_id: Mapped[int | None]

    shared_total: Mapped[Decimal | None] = mapped_column(Money)
    split_method: Mapped[str | None] = mapped_column(String(16))

    scenario: Mapped[Scenario] = relationship(back_populates="lines")
    partners: Mapped[list["Organisation"]] = relationship(  # noqa: F821
        secondary=scenario_line_partner, order_by="Organisation.name"
    )
    specification: Mapped["ServiceSpecification | None"] = relationship()  # noqa: F821
    # The statement line whose budget was taken from this line, if any.
    statement_line: Mapped["StatementLine | None"] = relationship(  # noqa: F821
        back_populates="scenario_line", uselist=False
    )

    @validates("mode")
    def _validate_mode(self, key, value):
        if value not in ("do", "buy", "share"):
            raise ValueError(f"unknown mode {value!r}")
        return value


__all__ = [
    "FinancialYearAllowance",
    "Scenario",
    "ScenarioFixedCost",
    "ScenarioInHouseRole",
    "ScenarioLine",
    "ScenarioStatus",
    "scenario_line_partner",
]
