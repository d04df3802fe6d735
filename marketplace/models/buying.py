"""What CCGs intend to buy, the offers they shortlist, and the agreements they make."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, Money, TimestampMixin, UTCDateTime
from .catalogue import ServiceSpecification
from .organisation import Organisation
from .prospectus import Offer


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


class Requirement(IdMixin, TimestampMixin, db.Model):
    """A CCG's intention for one specification: what CSS business plans are checked against."""

    __tablename__ = "requirement"
    __table_args__ = (UniqueConstraint("organisation_id", "specification_id"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    specification_id: Mapped[int] = mapped_column(ForeignKey("service_specification.id"))
    needed: Mapped[bool] = mapped_column(default=True)
    priority: Mapped[str] = mapped_column(String(8), default=Priority.MEDIUM)
    intended_mode: Mapped[str] = mapped_column(String(8), default=IntendedMode.BUY)
    notes: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship()
    specification: Mapped[ServiceSpecification] = relationship()

    @validates("priority")
    def _priority(self, key, value):
        return Priority(value).value

    @validates("intended_mode")
    def _mode(self, key, value):
        return IntendedMode(value).value


class Shortlist(IdMixin, TimestampMixin, db.Model):
    """A CCG's shortlist for one specification, of exact (published, immutable) offer rows."""

    __tablename__ = "shortlist"
    __table_args__ = (UniqueConstraint("organisation_id", "specification_id"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    specification_id: Mapped[int] = mapped_column(ForeignKey("service_specification.id"))

    organisation: Mapped[Organisation] = relationship()
    specification: Mapped[ServiceSpecification] = relationship()
    entries: Mapped[list["ShortlistEntry"]] = relationship(
        back_populates="shortlist", cascade="all, delete-orphan", order_by="ShortlistEntry.id"
    )


class ShortlistEntry(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "shortlist_entry"
    __table_args__ = (UniqueConstraint("shortlist_id", "offer_id"),)

    shortlist_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    shortlist: Mapped[Shortlist] = relationship(back_populates="entries")
    offer: Mapped[Offer] = relationship()


class AgreementStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    FINAL = "final"
    ENDED = "ended"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Agreement(IdMixin, TimestampMixin, db.Model):
    """A service level agreement between a CCG and a CSS for chosen offers."""

    __tablename__ = "agreement"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(8), default=AgreementStatus.DRAFT, index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The value computed from the offers at the CCG's population; annual_value is what was
    # agreed, which differs only with a recorded reason.
    computed_annual_value: Mapped[Decimal] = mapped_column(Money)
    annual_value: Mapped[Decimal] = mapped_column(Money)
    value_change_reason: Mapped[str] = mapped_column(Text, default="")
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lock_version: Mapped[int] = mapped_column(default=1)

    ccg: Mapped[Organisation] = relationship(foreign_keys=[ccg_id])
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id])
    lines: Mapped[list["AgreementLine"]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementLine.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return AgreementStatus(value).value

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label


# What a CCG and a CSS signed up to; after signing only the status (and signed_at) may move.
TERMS_FIXED_ONCE_SIGNED = (
    "reference",
    "ccg_id",
    "provider_id",
    "start_date",
    "end_date",
    "computed_annual_value",
    "annual_value",
    "value_change_reason",
)


@event.listens_for(Agreement, "before_update")
def _signed_terms_never_change(mapper, connection, agreement: Agreement) -> None:
    """A last line behind the agreements service: a signed agreement's terms cannot be saved."""
    state = inspect(agreement)
    old_status = state.attrs.status.history.deleted
    status_before = old_status[0] if old_status else agreement.status
    if status_before == AgreementStatus.DRAFT:
        return
    changed = [name for name in TERMS_FIXED_ONCE_SIGNED if state.attrs[name].history.has_changes()]
    if changed:
        raise ValueError(
            f"agreement {agreement.reference} is {status_before}: {', '.join(changed)} "
            "cannot change"
        )


class AgreementLine(IdMixin, db.Model):
    """One offer under an agreement, with its annual cost at the CCG's population then."""

    __tablename__ = "agreement_line"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"))
    annual_cost: Mapped[Decimal] = mapped_column(Money)

    agreement: Mapped[Agreement] = relationship(back_populates="lines")
    offer: Mapped[Offer] = relationship()
