"""Market change: the Board's hosting decision (apart from the BDU's recommendation), a CSS's
licence to operate and its conditions, and mergers and takeovers between CSSs.

A merger moves what a CSS is answerable for to its successor in one step
(services/market_change.merge); the predecessor stays, marked as merged into the successor,
so its reviews, plans and agreements' history can still be read.
"""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, TimestampMixin, UTCDateTime, utcnow
from .organisation import Organisation


class BoardDecision(StrEnum):
    HOST = "host"
    HOST_WITH_CONDITIONS = "host_with_conditions"
    DO_NOT_HOST = "do_not_host"
    MERGE = "merge"

    @property
    def label(self) -> str:
        return BOARD_DECISION_LABELS[self]


BOARD_DECISION_LABELS = {
    BoardDecision.HOST: "Host",
    BoardDecision.HOST_WITH_CONDITIONS: "Host with conditions",
    BoardDecision.DO_NOT_HOST: "Do not host",
    BoardDecision.MERGE: "Merge with another CSS",
}


class BoardHostingDecision(IdMixin, TimestampMixin, db.Model):
    """What the NHS Commissioning Board decided about hosting a CSS. The BDU's recommendation
    is the Checkpoint 3 review's outcome; this is recorded beside it, never over it."""

    __tablename__ = "board_hosting_decision"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The signed-off Checkpoint 3 review whose recommendation the Board considered, if any.
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))
    decision: Mapped[str] = mapped_column(String(32))
    merge_with_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    decided_on: Mapped[date] = mapped_column(Date)
    reasons: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    merge_with: Mapped[Organisation | None] = relationship(foreign_keys=[merge_with_id])
    review: Mapped["Review | None"] = relationship()  # noqa: F821
    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821

    @validates("decision")
    def _decision(self, key, value):
        return BoardDecision(value).value

    @property
    def decision_label(self) -> str:
        return BoardDecision(self.decision).label


class LicenceStatus(StrEnum):
    IN_FORCE = "in_force"
    ENDED = "ended"  # the CSS merged into another, or was taken over

    @property
    def label(self) -> str:
        return {"in_force": "In force", "ended": "Ended"}[self.value]


class Licence(IdMixin, TimestampMixin, db.Model):
    """A CSS's licence to operate."""

    __tablename__ = "licence"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    granted_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=LicenceStatus.IN_FORCE)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    organisation: Mapped[Organisation] = relationship()
    conditions: Mapped[list["LicenceCondition"]] = relationship(
        back_populates="licence", order_by="LicenceCondition.id"
    )

    @validates("status")
    def _status(self, key, value):
        return LicenceStatus(value).value

    @property
    def status_label(self) -> str:
        return LicenceStatus(self.status).label


class LicenceConditionStatus(StrEnum):
    OPEN = "open"
    MET = "met"

    @property
    def label(self) -> str:
        return {"open": "Open", "met": "Met"}[self.value]


class LicenceCondition(IdMixin, TimestampMixin, db.Model):
    """A condition of a licence. ``organisation`` is the CSS answerable for it now: the
    licence holder, or its successor once it has merged (``moved_from`` says from whom)."""

    __tablename__ = "licence_condition"

    licence_id: Mapped[int] = mapped_column(ForeignKey("licence.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    moved_from_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    text: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=LicenceConditionStatus.OPEN)

    licence: Mapped[Licence] = relationship(back_populates="conditions")
    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    moved_from: Mapped[Organisation | None] = relationship(foreign_keys=[moved_from_id])

    @validates("status")
    def _status(self, key, value):
        return LicenceConditionStatus(value).value

    @property
    def status_label(self) -> str:
        return LicenceConditionStatus(self.status).label


class MergerKind(StrEnum):
    MERGER = "merger"
    TAKEOVER = "takeover"

    @property
    def label(self) -> str:
        return {"merger": "Merger", "takeover": "Takeover"}[self.value]


class Merger(IdMixin, db.Model):
    """One CSS merged into (or taken over by) another: what moved, when, and who recorded it.
    ``moved`` lists the ids of the agreements, review conditions and licence conditions
    moved, and the customers (CCGs) they served, so the step can be read back later."""

    __tablename__ = "css_merger"

    predecessor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    successor_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    moved: Mapped[dict] = mapped_column(JSON, default=dict)

    predecessor: Mapped[Organisation] = relationship(foreign_keys=[predecessor_id])
    successor: Mapped[Organisation] = relationship(foreign_keys=[successor_id])
    recorded_by: Mapped["User | None"] = relationship()  # noqa: F821

    @validates("kind")
    def _kind(self, key, value):
        return MergerKind(value).value

    @property
    def kind_label(self) -> str:
        return MergerKind(self.kind).label
