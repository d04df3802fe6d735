"""Bids (called "responses" on screen), their scores, and the letters that report decisions.

A provider's response to an opportunity is private: the buying CCG sees it only after the
closing time, other providers never. In a direct award the CCG's shortlisted offers become
candidate bids priced from their offers (source "shortlist"), so both routes are evaluated,
ranked and awarded the same way.
"""

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import ExactJSON, IdMixin, Money, TimestampMixin, UTCDateTime, utcnow
from .catalogue import ServiceSpecification
from .organisation import Organisation
from .procurement import EvaluationCriterion, Procurement
from .prospectus import Offer, PricingModel
from .user import User

# Quality is scored 0 to 5, the scale most NHS evaluations of the time used.
MAX_QUALITY_SCORE = 5


class BidStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class BidSource(StrEnum):
    RESPONSE = "response"  # written by the provider for a competition
    SHORTLIST = "shortlist"  # a shortlisted offer the CCG evaluates for a direct award

    @property
    def label(self) -> str:
        return {"response": "Response", "shortlist": "Shortlisted offer"}[self.value]


class Bid(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "bid"
    # One response per provider per procurement: a second is refused, not added.
    __table_args__ = (UniqueConstraint("procurement_id", "provider_id"),)

    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    source: Mapped[str] = mapped_column(String(12), default=BidSource.RESPONSE)
    status: Mapped[str] = mapped_column(String(12), default=BidStatus.DRAFT, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    # The provider's assurance position when it submitted, as the buyer was shown it.
    assurance_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(default=1)

    procurement: Mapped[Procurement] = relationship(back_populates="bids")
    provider: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    lines: Mapped[list["BidLine"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidLine.id"
    )
    answers: Mapped[list["BidAnswer"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidAnswer.id"
    )
    attachments: Mapped[list["BidAttachment"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="BidAttachment.id"
    )
    scores: Mapped[list["Score"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="Score.id"
    )
    moderated_scores: Mapped[list["ModeratedScore"]] = relationship(
        back_populates="bid", cascade="all, delete-orphan", order_by="ModeratedScore.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return BidStatus(value).value

    @validates("source")
    def _source(self, key, value):
        return BidSource(value).value

    @property
    def status_label(self) -> str:
        return BidStatus(self.status).label

    @property
    def is_submitted(self) -> bool:
        return self.status == BidStatus.SUBMITTED


class BidLine(IdMixin, db.Model):
    """The price for one specification, in one of the four pricing models, and what it costs
    the buyer (the CCG, or the consortium at its combined population) a year."""

    __tablename__ = "bid_line"
    __table_args__ = (
        UniqueConstraint("bid_id", "specification_id"),
        CheckConstraint("price >= 0", name="bid_price_not_negative"),
    )

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    specification_id: Mapped[int] = mapped_column(ForeignKey("service_specification.id"))
    # The published offer this price comes from, when it does (always, for a shortlist bid).
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    pricing_model: Mapped[str] = mapped_column(String(16))
    price: Mapped[Decimal] = mapped_column(Money)
    estimated_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    annual_cost: Mapped[Decimal] = mapped_column(Money)

    bid: Mapped[Bid] = relationship(back_populates="lines")
    specification: Mapped[ServiceSpecification] = relationship()
    offer: Mapped[Offer | None] = relationship()

    @validates("pricing_model")
    def _pricing(self, key, value):
        return PricingModel(value).value


class BidAnswer(IdMixin, db.Model):
    __tablename__ = "bid_answer"
    __table_args__ = (UniqueConstraint("bid_id", "criterion_id"),)

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criterion.id"))
    answer: Mapped[str] = mapped_column(Text, default="")

    bid: Mapped[Bid] = relationship(back_populates="answers")
    criterion: Mapped[EvaluationCriterion] = relationship()


class BidAttachment(IdMixin, db.Model):
    """A supporting document, under the same rules as assurance evidence (PDF or
    OpenDocument, sniffed, size-bounded, stored outside the web root)."""

    __tablename__ = "bid_attachment"

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bid: Mapped[Bid] = relationship(back_populates="attachments")


class Score(IdMixin, db.Model):
    """One evaluator's independent score for one quality criterion of one bid."""

    __tablename__ = "score"
    __table_args__ = (
        UniqueConstraint("bid_id", "criterion_id", "evaluator_id"),
        CheckConstraint(f"score BETWEEN 0 AND {MAX_QUALITY_SCORE}", name="score_range"),
    )

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criterion.id"))
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bid: Mapped[Bid] = relationship(back_populates="scores")
    criterion: Mapped[EvaluationCriterion] = relationship()
    evaluator: Mapped[User] = relationship()


class ModeratedScore(IdMixin, db.Model):
    """The lead's agreed score after seeing every evaluator's: the one that counts."""

    __tablename__ = "moderated_score"
    __table_args__ = (
        UniqueConstraint("bid_id", "criterion_id"),
        CheckConstraint(f"score BETWEEN 0 AND {MAX_QUALITY_SCORE}", name="moderated_range"),
    )

    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criterion.id"))
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    moderated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    moderated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    bid: Mapped[Bid] = relationship(back_populates="moderated_scores")
    criterion: Mapped[EvaluationCriterion] = relationship()


class DecisionLetter(IdMixin, db.Model):
    """The PDF telling one bidder the decision, its own scores and the winner's: issued once,
    never changed (models/frozen.py); a correction is a new version beside it."""

    __tablename__ = "decision_letter"
    __table_args__ = (UniqueConstraint("bid_id", "version"),)

    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurement.id"), index=True)
    bid_id: Mapped[int] = mapped_column(ForeignKey("bid.id"), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    filename: Mapped[str] = mapped_column(String(200))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    procurement: Mapped[Procurement] = relationship()
    bid: Mapped[Bid] = relationship()


class OcdsRelease(IdMixin, db.Model):
    """An OCDS 1.1 release as published at the moment of the event (tender, award,
    contract): immutable, so the record's history is what was said at the time."""

    __tablename__ = "ocds_release"

    ocid: Mapped[str] = mapped_column(String(80), index=True)
    release_id: Mapped[str] = mapped_column(String(120), unique=True)
    tag: Mapped[str] = mapped_column(String(40))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    procurement_id: Mapped[int | None] = mapped_column(ForeignKey("procurement.id"), index=True)
    agreement_id: Mapped[int | None] = mapped_column(ForeignKey("agreement.id"), index=True)
    # Amounts are Decimal here and JSON numbers in the stored release.
    release: Mapped[dict] = mapped_column(ExactJSON)
