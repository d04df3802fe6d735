"""The offers CCGs shortlist and the agreements they make with providers.

What CCGs intend to buy lives in statements of requirements (models/statement.py).
"""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Text, UniqueConstraint, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.domain import agreement_terms
from marketplace.extensions import db

from .base import IdMixin, Money, TimestampMixin, UTCDateTime
from .catalogue import ServiceSpecification
from .organisation import Organisation
from .prospectus import Offer


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
    # Signed by the CCG; the provider has still to countersign in its own account.
    AWAITING_COUNTERSIGNATURE = "awaiting_countersignature"
    SIGNED = "signed"  # by both parties
    FINAL = "final"
    ENDED = "ended"

    @property
    def label(self) -> str:
        if self is AgreementStatus.AWAITING_COUNTERSIGNATURE:
            return "Awaiting countersignature"
        return self.value.capitalize()


class AgreementRoute(StrEnum):
    """How the agreement was procured."""

    DIRECT_AWARD = "direct_award"
    FURTHER_COMPETITION = "further_competition"
    # Recorded before procurements were run in the product (the 2012 draft SLAs).
    RECORDED = "recorded"

    @property
    def label(self) -> str:
        return {
            "direct_award": "Direct award",
            "further_competition": "Further competition",
            "recorded": "Recorded agreement (before procurement in the product)",
        }[self.value]


class Agreement(IdMixin, TimestampMixin, db.Model):
    """A service level agreement between a CCG and a CSS for chosen offers."""

    __tablename__ = "agreement"
    # One agreement per CCG per award (NULL procurement ids, recorded agreements, never clash).
    __table_args__ = (UniqueConstraint("procurement_id", "ccg_id"),)

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    ccg_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    status: Mapped[str] = mapped_column(String(32), default=AgreementStatus.DRAFT, index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    # The value computed from the offers at the CCG's population; annual_value is what was
    # agreed, which differs only with a recorded reason.
    computed_annual_value: Mapped[Decimal] = mapped_column(Money)
    annual_value: Mapped[Decimal] = mapped_column(Money)
    value_change_reason: Mapped[str] = mapped_column(Text, default="")
    # How it was procured: a competition's award, or a direct award with its rationale.
    route: Mapped[str] = mapped_column(String(24), default=AgreementRoute.RECORDED)
    route_rationale: Mapped[str] = mapped_column(Text, default="")
    procurement_id: Mapped[int | None] = mapped_column(ForeignKey("procurement.id"), index=True)
    bid_id: Mapped[int | None] = mapped_column(ForeignKey("bid.id"))
    # Both parties sign, each in its own account; signed_at is when the second signature
    # made the agreement binding.
    ccg_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ccg_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    provider_signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The provider's last refusal to countersign: the agreement went back to the CCG as a
    # draft, and both sides see why.
    provider_declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_declined_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    provider_decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The provider it was signed with, when a merger has moved it to that CSS's successor.
    novated_from_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    lock_version: Mapped[int] = mapped_column(default=1)

    ccg: Mapped[Organisation] = relationship(foreign_keys=[ccg_id])
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id])
    novated_from: Mapped[Organisation | None] = relationship(foreign_keys=[novated_from_id])
    procurement: Mapped["Procurement | None"] = relationship()  # noqa: F821
    bid: Mapped["Bid | None"] = relationship()  # noqa: F821
    ccg_signed_by: Mapped["User | None"] = relationship(foreign_keys=[ccg_signed_by_id])  # noqa: F821
    provider_signed_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[provider_signed_by_id]
    )
    provider_declined_by: Mapped["User | None"] = relationship(  # noqa: F821
        foreign_keys=[provider_declined_by_id]
    )
    lines: Mapped[list["AgreementLine"]] = relationship(
        back_populates="agreement", cascade="all, delete-orphan", order_by="AgreementLine.id"
    )

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("status")
    def _status(self, key, value):
        return AgreementStatus(value).value

    @validates("route")
    def _route(self, key, value):
        return AgreementRoute(value).value

    @property
    def status_label(self) -> str:
        return AgreementStatus(self.status).label

    @property
    def route_label(self) -> str:
        return AgreementRoute(self.route).label

    @property
    def value_over_term(self) -> Decimal:
        """The agreed annual value over the whole term (what OCDS publishes as its value)."""
        return agreement_terms.value_over_term(self.annual_value, self.start_date, self.end_date)


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
    "route",
    "route_rationale",
    "procurement_id",
    "bid_id",
)


def _novated(state) -> bool:
    """The provider changes only with the old one recorded as novated_from in the same save
    (services/market_change.merge: a CSS merged into its successor)."""
    old_provider = state.attrs.provider_id.history.deleted
    new_from = state.attrs.novated_from_id.history.added
    return bool(old_provider and new_from and new_from[0] == old_provider[0])


def signed_terms_never_change(mapper, connection, agreement: Agreement) -> None:
    """A last line behind the agreements service: a signed agreement's terms cannot be saved.
    create_app attaches it to Agreement's updates (models.LISTENERS)."""
    state = inspect(agreement)
    old_status = state.attrs.status.history.deleted
    status_before = old_status[0] if old_status else agreement.status
    if status_before == AgreementStatus.DRAFT:
        return
    changed = [name for name in TERMS_FIXED_ONCE_SIGNED if state.attrs[name].history.has_changes()]
    if changed == ["provider_id"] and _novated(state):
        return  # a merger moved it to the successor, recording whom it was with
    if changed:
        raise ValueError(
            f"agreement {agreement.reference} is {status_before}: {', '.join(changed)} "
            "cannot change"
        )


class AgreementLine(IdMixin, db.Model):
    """One specification under an agreement, with its annual cost to this CCG.

    The line names the catalogue specification always, and where it came from: the offer
    (direct award), the winning bid's line (competition) and the CCG's statement line."""

    __tablename__ = "agreement_line"

    agreement_id: Mapped[int] = mapped_column(
        ForeignKey("agreement.id", ondelete="CASCADE"), index=True
    )
    specification_id: Mapped[int] = mapped_column(
        ForeignKey("service_specification.id"), index=True
    )
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("offer.id"))
    bid_line_id: Mapped[int | None] = mapped_column(ForeignKey("bid_line.id"))
    statement_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("statement_line.id"), index=True
    )
    annual_cost: Mapped[Decimal] = mapped_column(Money)

    agreement: Mapped[Agreement] = relationship(back_populates="lines")
    specification: Mapped[ServiceSpecification] = relationship()
    offer: Mapped[Offer | None] = relationship()
    bid_line: Mapped["BidLine | None"] = relationship()  # noqa: F821
    statement_line: Mapped["StatementLine | None"] = relationship()  # noqa: F821
    kpis: Mapped[list["AgreementKpi"]] = relationship(  # noqa: F821
        back_populates="line", cascade="all, delete-orphan", order_by="AgreementKpi.id"
    )
