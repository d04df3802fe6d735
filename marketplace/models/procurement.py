"""Procurements: buying what a statement of requirements asks for, by one of two routes.

- Direct award: the CCG evaluates the offers on a frozen shortlist (each becomes a candidate
  bid priced from its offer) and awards one, recording why no competition was needed.
- Further competition: an opportunity published to every provider of the statement's
  specifications (or to a chosen list), with clarifications until a cut-off, sealed responses
  until the closing time, independent scoring by named evaluators, moderation by the lead,
  award (or "none suitable", or cancellation) with a rationale, a standstill period and a
  decision letter to every bidder.

One procurement is one OCDS contracting process (ocid from its reference).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, Money, TimestampMixin, UTCDateTime, utcnow
from .organisation import Organisation
from .statement import Statement
from .user import User


class Route(StrEnum):
    DIRECT_AWARD = "direct_award"
    FURTHER_COMPETITION = "further_competition"

    @property
    def label(self) -> str:
        return {
            "direct_award": "Direct award from a shortlist",
            "further_competition": "Further competition",
        }[self.value]


class ProcurementStatus(StrEnum):
    DRAFT = "draft"
    OPEN = "open"  # published: providers may ask questions and respond
    EVALUATION = "evaluation"  # closed to responses; evaluators score
    STANDSTILL = "standstill"  # awarded; bidders may challenge until standstill ends
    AWARDED = "awarded"  # standstill over; the contract is drawn up and signed
    NONE_SUITABLE = "none_suitable"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "draft": "Draft",
            "open": "Open for responses",
            "evaluation": "Closed: under evaluation",
            "standstill": "Awarded: in standstill",
            "awarded": "Awarded",
            "none_suitable": "Closed: none suitable",
            "cancelled": "Cancelled",
        }[self.value]


procurement_invitee = Table(
    "procurement_invitee",
    db.metadata,
    Column("procurement_id", ForeignKey("procurement.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class Procurement(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "procurement"
    __table_args__ = (
        CheckConstraint("standstill_days BETWEEN 0 AND 60", name="standstill_days_range"),
    )

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("statement.id"), index=True)
    lead_ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    route: Mapped[str] = mapped_column(String(24))
    route_reason: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=ProcurementStatus.DRAFT, index=True)
    # Competition only: who may respond (every provider of the specifications, or a list).
    open_to_all_providers: Mapped[bool] = mapped_column(default=True)
    budget_shown: Mapped[bool] = mapped_column(default=False)
    clarifications_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contract_start: Mapped[date | None] = mapped_column(Date)
    contract_end: Mapped[date | None] = mapped_column(Date)
    # Set when published (competition) or started (direct award), from the statement and the
    # threshold data in force then, so later edits to either do not rewrite the record.
    budget_annual: Mapped[Decimal | None] = mapped_column(Money)
    estimated_value_full_term: Mapped[Decimal | None] = mapped_column(Money)
    threshold_id: Mapped[int | None] = mapped_column(ForeignKey("procurement_threshold.id"))
    standstill_days: Mapped[int] = mapped_column(Integer, default=10)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    statement: Mapped[Statement] = relationship()
    lead_ccg: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    threshold: Mapped["ProcurementThreshold | None"] = relationship()
    invitees: Mapped[list[Organisation]] = relationship(
        secondary=procurement_invitee, order_by="Organisation.name"
    )
    criteria: Mapped[list["EvaluationCriterion"]] = relationship(
        back_populates="procurement",
        cascade="all, delete-orphan",
        order_by="EvaluationCriterion.position, EvaluationCriterion.id",
    )
    evaluators: Mapped[list["ProcurementEvaluator"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan",
        order_by="ProcurementEvaluator.id",
    )
    clarifications: Mapped[list["Clarification"]] = relationship(
        back_populates="procurement", cascade="all, delete-orphan", order_by="Clarification.id"
    )
    bids: Mapped[list["Bid"]] = relationship(  # noqa: F821
        back_populates="procurement", order_by="Bid.id"
    )
    decision: Mapped["ProcurementDecision | None"] = relationship(  # noqa: F821
        back_populates="procurement", uselist=False
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("route")
    def _route(self, key, value):
        return Route(value).value

    @validates("status")
    def _status(self, key, value):
        return ProcurementStatus(value).value

    @property
    def status_label(self) -> str:
        return ProcurementStatus(self.status).label

    @property
    def route_label(self) -> str:
        return Route(self.route).label

    @property
    def is_competition(self) -> bool:
        return self.route == Route.FURTHER_COMPETITION


class CriterionKind(StrEnum):
    QUALITY = "quality"
    PRICE = "price"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class EvaluationCriterion(IdMixin, db.Model):
    """A weighted criterion; one procurement's weights total 100, one of them price."""

    __tablename__ = "evaluation_criterion"
    __table_args__ = (CheckConstraint("weight BETWEEN 0 AND 100", name="weight_range"),)

    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(8), default=CriterionKind.QUALITY)
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer)

    procurement: Mapped[Procurement] = relationship(back_populates="criteria")

    @validates("kind")
    def _kind(self, key, value):
        return CriterionKind(value).value


class ProcurementEvaluator(IdMixin, db.Model):
    """A CCG user the lead names to score the bids (the lead's own users or partners')."""

    __tablename__ = "procurement_evaluator"
    __table_args__ = (UniqueConstraint("procurement_id", "user_id"),)

    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    named_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Until then the evaluator's scores are theirs to change and hidden from the others.
    scores_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    procurement: Mapped[Procurement] = relationship(back_populates="evaluators")
    user: Mapped[User] = relationship()


class ClarificationStage(StrEnum):
    TENDER = "tender"  # answers are published to every provider, the asker unnamed
    STANDSTILL = "standstill"  # a bidder's question about the decision; answered to it alone

    @property
    def label(self) -> str:
        return {"tender": "Clarification", "standstill": "Question about the decision"}[
            self.value
        ]


class Clarification(IdMixin, db.Model):
    __tablename__ = "clarification"

    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[str] = mapped_column(String(12), default=ClarificationStage.TENDER)
    # Never shown to other providers or published: answers are anonymous.
    asked_by_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    procurement: Mapped[Procurement] = relationship(back_populates="clarifications")
    asked_by_organisation: Mapped[Organisation] = relationship()

    @validates("stage")
    def _stage(self, key, value):
        return ClarificationStage(value).value

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


class ProcurementThreshold(IdMixin, TimestampMixin, db.Model):
    """Reference data an administrator edits: a value above which a route is required.

    Seeded with the thresholds in force in 2012 (see marketplace/data/SOURCES.md)."""

    __tablename__ = "procurement_threshold"
    __table_args__ = (CheckConstraint("standstill_days BETWEEN 0 AND 60", name="standstill_range"),)

    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # The value over the full term at or above which the threshold applies.
    amount: Mapped[Decimal] = mapped_column(Money)
    # The route a procurement of that value should take; a different route is warned about.
    required_route: Mapped[str] = mapped_column(String(24), default=Route.FURTHER_COMPETITION)
    standstill_days: Mapped[int] = mapped_column(Integer, default=10)
    applies_from: Mapped[date] = mapped_column(Date)
    applies_until: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text, default="")

    @validates("required_route")
    def _route(self, key, value):
        return Route(value).value


class DecisionOutcome(StrEnum):
    AWARDED = "awarded"
    NONE_SUITABLE = "none_suitable"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return {
            "awarded": "Awarded",
            "none_suitable": "None suitable",
            "cancelled": "Cancelled",
        }[self.value]


class ProcurementDecision(IdMixin, db.Model):
    """The CCG's decision, with the ranking as it stood then (what the letters report)."""

    __tablename__ = "procurement_decision"

    procurement_id: Mapped[int] = mapped_column(
        ForeignKey("procurement.id", ondelete="CASCADE"), unique=True
    )
    outcome: Mapped[str] = mapped_column(String(16))
    winning_bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    rationale: Mapped[str] = mapped_column(Text)
    # Why the award goes to a response that did not rank first ("" when it did).
    departure_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # [{"bid_id", "provider", "quality", "price", "total", "rank", "criteria": [...]}]
    results: Mapped[list] = mapped_column(JSON, default=list)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    standstill_ends_on: Mapped[date | None] = mapped_column(Date)

    procurement: Mapped[Procurement] = relationship(back_populates="decision")
    winning_bid: Mapped["Bid | None"] = relationship()  # noqa: F821
    decided_by: Mapped[User | None] = relationship()

    @validates("outcome")
    def _outcome(self, key, value):
        return DecisionOutcome(value).value

    @property
    def outcome_label(self) -> str:
        return DecisionOutcome(self.outcome).label
