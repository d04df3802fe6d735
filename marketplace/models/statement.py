"""Statements of requirements: what one CCG, or several together, need to buy.

A statement is led by one CCG. Every CCG taking part has a party row (the lead's included);
partners are invited by the lead and confirm their own lines. Each line is one catalogue
specification for one CCG: how much of it, with which local service levels and exclusions,
do / buy / share, priority and an annual budget (typed, or taken from one of the CCG's
scenario lines, which then points back at the line).

The lines are also the CCG's stated intentions that CSS business plans are checked against.
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, Money, Quantity, TimestampMixin, UTCDateTime
from .catalogue import ServiceSpecification
from .organisation import Organisation
from .user import User


class Priority(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class IntendedMode(StrEnum):
    DO = "do"
    BUY = "buy"
    SHARE = "share"

    @property
    def label(self) -> str:
        return {"do": "Do in-house", "buy": "Buy", "share": "Share with other CCGs"}[self.value]


class StatementStatus(StrEnum):
    DRAFT = "draft"  # the lead and partners are still writing it
    READY = "ready"  # every party has confirmed its lines: a route can be chosen
    IN_PROCUREMENT = "in_procurement"  # a procurement has been started from it
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "ready": "Ready to buy",
            "in_procurement": "Being bought",
            "withdrawn": "Withdrawn",
        }[self.value]


class SplitMethod(StrEnum):
    """How a joint statement's budget, and the eventual cost, are split between CCGs."""

    POPULATION = "population"
    AGREED_SHARES = "agreed_shares"

    @property
    def label(self) -> str:
        return {"population": "By population", "agreed_shares": "By agreed shares"}[self.value]


class PartyStatus(StrEnum):
    INVITED = "invited"
    CONFIRMED = "confirmed"
    DECLINED = "declined"

    @property
    def label(self) -> str:
        return {
            "invited": "Invited, not yet confirmed",
            "confirmed": "Confirmed",
            "declined": "Declined",
        }[self.value]


class Statement(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "statement"

    lead_ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=StatementStatus.DRAFT, index=True)
    split_method: Mapped[str] = mapped_column(String(16), default=SplitMethod.POPULATION)
    # When the support is wanted, and for how long (the 2012 guidance: at most 18 months).
    wanted_from: Mapped[date | None] = mapped_column(Date)
    term_months: Mapped[int] = mapped_column(default=12)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    lead_ccg: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    parties: Mapped[list["StatementParty"]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="StatementParty.id"
    )
    lines: Mapped[list["StatementLine"]] = relationship(
        back_populates="statement", cascade="all, delete-orphan", order_by="StatementLine.id"
    )

    __table_args__ = (CheckConstraint("term_months BETWEEN 1 AND 60", name="term_months_range"),)
    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return StatementStatus(value).value

    @validates("split_method")
    def _split(self, key, value):
        return SplitMethod(value).value

    @property
    def status_label(self) -> str:
        return StatementStatus(self.status).label

    @property
    def is_joint(self) -> bool:
        return len(self.parties) > 1

    def party_for(self, ccg_id: int) -> "StatementParty | None":
        return next((party for party in self.parties if party.ccg_id == ccg_id), None)

    @property
    def bought_lines(self) -> list["StatementLine"]:
        """The lines a provider is asked to supply: those the CCGs chose to buy."""
        return [line for line in self.lines if line.mode == IntendedMode.BUY]

    @property
    def party_ccg_ids(self) -> set[int]:
        """The lead CCG and every partner that confirmed its lines."""
        return {self.lead_ccg_id} | {party.ccg_id for party in self.parties
                                     if party.status == PartyStatus.CONFIRMED}


class StatementParty(IdMixin, db.Model):
    """A CCG taking part in a statement: the lead (confirmed when it says so) or a partner."""

    __tablename__ = "statement_party"
    __table_args__ = (
        UniqueConstraint("statement_id", "ccg_id"),
        CheckConstraint(
            "agreed_share_percent IS NULL OR "
            "(agreed_share_percent >= 0 AND agreed_share_percent <= 100)",
            name="agreed_share_range",
        ),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), index=True
    )
    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_lead: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default=PartyStatus.INVITED)
    # Used when the statement splits by agreed shares; the shares total 100.
    agreed_share_percent: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    statement: Mapped[Statement] = relationship(back_populates="parties")
    ccg: Mapped[Organisation] = relationship()
    confirmed_by: Mapped[User | None] = relationship()

    @validates("status")
    def _status(self, key, value):
        return PartyStatus(value).value

    @property
    def status_label(self) -> str:
        return PartyStatus(self.status).label


class StatementLine(IdMixin, TimestampMixin, db.Model):
    """One specification one CCG needs, and how much of it."""

    __tablename__ = "statement_line"
    __table_args__ = (
        UniqueConstraint("statement_id", "ccg_id", "specification_id"),
        CheckConstraint("budget_annual IS NULL OR budget_annual >= 0", name="budget_not_negative"),
        CheckConstraint(
            "population_covered IS NULL OR population_covered > 0", name="population_positive"
        ),
    )

    statement_id: Mapped[int] = mapped_column(
        ForeignKey("statement.id", ondelete="CASCADE"), index=True
    )
    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    specification_id: Mapped[int] = mapped_column(
        ForeignKey("service_specification.id"), index=True
    )
    mode: Mapped[str] = mapped_column(String(8), default=IntendedMode.BUY)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.MEDIUM)
    # Volume or scale: the population covered (default the CCG's), and for activity-priced
    # services the cases or days a year.
    population_covered: Mapped[int | None]
    activity_per_year: Mapped[Decimal | None] = mapped_column(Quantity)
    days_per_year: Mapped[Decimal | None] = mapped_column(Quantity)
    # Service levels the CCG wants on top of the specification's: [{"measure", "target"}].
    local_service_levels: Mapped[list] = mapped_column(JSON, default=list)
    exclusions: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    budget_annual: Mapped[Decimal | None] = mapped_column(Money)
    # The scenario line the budget was taken from; that line points back (ScenarioLine.
    # statement_line) so either side shows the other.
    scenario_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("scenario_line.id", ondelete="SET NULL"), unique=True
    )
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    statement: Mapped[Statement] = relationship(back_populates="lines")
    ccg: Mapped[Organisation] = relationship()
    specification: Mapped[ServiceSpecification] = relationship()
    scenario_line: Mapped["ScenarioLine | None"] = relationship(  # noqa: F821
        back_populates="statement_line"
    )

    @validates("mode")
    def _mode(self, key, value):
        return IntendedMode(value).value

    @validates("priority")
    def _priority(self, key, value):
        return Priority(value).value

    @property
    def mode_label(self) -> str:
        return IntendedMode(self.mode).label

    @property
    def priority_label(self) -> str:
        return Priority(self.priority).label
