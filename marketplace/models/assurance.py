"""Assurance checkpoints (reference data an admin edits) and what CSSs submit to them.

A checkpoint names its outcome rule and rating scale by key (marketplace.domain.checkpoints
RULES and RATING_SCALES), so checkpoints 4 and 5 can be added as data that reuse a rule.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain.checkpoints import RATING_SCALES, RULES
from marketplace.extensions import db

from .base import IdMixin, TimestampMixin, UTCDateTime, utcnow
from .organisation import Organisation
from .prospectus import ProspectusVersion
from .user import Role, User


class SubmissionKind(StrEnum):
    PROSPECTUS = "prospectus"
    BUSINESS_PLAN = "business_plan"

    @property
    def label(self) -> str:
        return {"prospectus": "Published prospectus", "business_plan": "Business plan"}[self.value]


class Checkpoint(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "checkpoint"

    number: Mapped[int] = mapped_column(Integer, unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    submission_kind: Mapped[str] = mapped_column(String(16))
    rule_key: Mapped[str] = mapped_column(String(40))
    rating_scale: Mapped[str] = mapped_column(String(20))
    # Peer reviewers from the SHA clusters at checkpoint 1, the BDU after that.
    reviewer_role: Mapped[str] = mapped_column(String(32), default=Role.BDU_REVIEWER)
    due_date: Mapped[date | None] = mapped_column(Date)
    results_date: Mapped[date | None] = mapped_column(Date)
    # Checkpoint 3 asks for a balanced scorecard with the full business plan.
    requires_scorecard: Mapped[bool] = mapped_column(default=False)

    criteria: Mapped[list["Criterion"]] = relationship(
        back_populates="checkpoint", order_by="Criterion.position, Criterion.id",
        cascade="all, delete-orphan",
    )

    @validates("submission_kind")
    def _kind(self, key, value):
        return SubmissionKind(value).value

    @validates("rule_key")
    def _rule(self, key, value):
        if value not in RULES:
            raise ValueError(f"unknown checkpoint rule {value!r}")
        return value

    @validates("rating_scale")
    def _scale(self, key, value):
        if value not in RATING_SCALES:
            raise ValueError(f"unknown rating scale {value!r}")
        return value

    @validates("reviewer_role")
    def _reviewer_role(self, key, value):
        if value not in (Role.BDU_REVIEWER, Role.PEER_REVIEWER):
            raise ValueError("reviews are made by BDU reviewers or peer reviewers")
        return value

    @property
    def title(self) -> str:
        return f"Checkpoint {self.number}: {self.name}"

    @property
    def takes_business_plan(self) -> bool:
        return self.submission_kind == SubmissionKind.BUSINESS_PLAN

    @property
    def submission_kind_label(self) -> str:
        return SubmissionKind(self.submission_kind).label

    @property
    def reviewer_role_label(self) -> str:
        return Role(self.reviewer_role).label

    def __repr__(self) -> str:
        return f"<Checkpoint {self.number}>"


class Criterion(IdMixin, db.Model):
    """One thing rated at a checkpoint: a domain at checkpoint 2, a test at checkpoint 3."""

    __tablename__ = "criterion"
    __table_args__ = (UniqueConstraint("checkpoint_id", "key"),)

    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("checkpoint.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    guidance: Mapped[str] = mapped_column(Text, default="")
    # "order" is an SQL keyword; position is the criterion's place in the list.
    position: Mapped[int] = mapped_column(Integer, default=0)

    checkpoint: Mapped[Checkpoint] = relationship(back_populates="criteria")


class Submission(IdMixin, db.Model):
    """A CSS's entry to one checkpoint: exactly one published prospectus version or plan."""

    __tablename__ = "submission"
    __table_args__ = (
        UniqueConstraint("checkpoint_id", "organisation_id"),
        CheckConstraint(
            "(prospectus_version_id IS NULL) <> (business_plan_id IS NULL)",
            name="one_document",
        ),
    )

    checkpoint_id: Mapped[int] = mapped_column(ForeignKey("checkpoint.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    prospectus_version_id: Mapped[int | None] = mapped_column(ForeignKey("prospectus_version.id"))
    business_plan_id: Mapped[int | None] = mapped_column(ForeignKey("business_plan.id"))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    checkpoint: Mapped[Checkpoint] = relationship()
    organisation: Mapped[Organisation] = relationship()
    prospectus_version: Mapped[ProspectusVersion | None] = relationship()
    business_plan: Mapped["BusinessPlan | None"] = relationship()  # noqa: F821
    submitted_by: Mapped[User | None] = relationship()
    review: Mapped["Review | None"] = relationship(back_populates="submission")  # noqa: F821
    evidence: Mapped[list["EvidenceDocument"]] = relationship(
        back_populates="submission", order_by="EvidenceDocument.id"
    )

    @property
    def document_label(self) -> str:
        if self.prospectus_version is not None:
            return f"Prospectus {self.prospectus_version.label}"
        return f"Business plan version {self.business_plan.version}"


class EvidenceDocument(IdMixin, db.Model):
    """A PDF or OpenDocument file, kept outside the web root under EVIDENCE_DIR."""

    __tablename__ = "evidence_document"
    __table_args__ = (
        CheckConstraint(
            "(submission_id IS NULL) <> (business_plan_id IS NULL)", name="one_parent"
        ),
    )

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"), index=True)
    business_plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("business_plan.id"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    # Name under EVIDENCE_DIR; never derived from the uploaded filename.
    storage_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    submission: Mapped[Submission | None] = relationship(back_populates="evidence")
    business_plan: Mapped["BusinessPlan | None"] = relationship(  # noqa: F821
        back_populates="evidence"
    )
    uploaded_by: Mapped[User | None] = relationship()
