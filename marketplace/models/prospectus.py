"""Prospectuses: one editable draft per CSS, published as immutable numbered versions.

Offers live either on the draft (prospectus_version_id is NULL) or on a published version.
Publishing copies the draft's offers onto the new version, so a version's offers never change
and shortlists and agreements can point at exactly what the CCG saw. ``lineage`` ties the
copies of one offer across versions together, for the "what changed" view.
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
    Index,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, Money, TimestampMixin, UTCDateTime, utcnow
from .catalogue import ServiceSpecification
from .organisation import Organisation


class VersionStatus(StrEnum):
    PUBLISHED = "published"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class DeliveryModel(StrEnum):
    LOCAL_TEAM = "local_team"
    SHARED = "shared"
    NATIONAL_PARTNER = "national_partner"

    @property
    def label(self) -> str:
        return {"local_team": "Local team", "shared": "Shared with other CSSs",
                "national_partner": "National partner"}[self.value]


class PricingModel(StrEnum):
    PER_HEAD = "per_head"
    FIXED_ANNUAL = "fixed_annual"
    DAY_RATE = "day_rate"
    PER_CASE = "per_case"

    @property
    def label(self) -> str:
        return {"per_head": "Per head of population a year", "fixed_annual": "Fixed annual fee",
                "day_rate": "Day rate", "per_case": "Per case"}[self.value]


prospectus_draft_ccg = Table(
    "prospectus_draft_ccg",
    db.metadata,
    Column("prospectus_id", ForeignKey("prospectus.id", ondelete="CASCADE"), primary_key=True),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)

prospectus_version_ccg = Table(
    "prospectus_version_ccg",
    db.metadata,
    Column(
        "prospectus_version_id",
        ForeignKey("prospectus_version.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("organisation_id", ForeignKey("organisation.id"), primary_key=True),
)


class ProspectusContent:
    """The narrative a CSS writes, held by the draft and copied into each version."""

    vision: Mapped[str] = mapped_column(Text, default="")
    operating_model: Mapped[str] = mapped_column(Text, default="")
    geography: Mapped[str] = mapped_column(Text, default="")
    leadership_team: Mapped[str] = mapped_column(Text, default="")
    partnerships: Mapped[str] = mapped_column(Text, default="")

    CONTENT_FIELDS = ("vision", "operating_model", "geography", "leadership_team", "partnerships")


class Prospectus(IdMixin, TimestampMixin, ProspectusContent, db.Model):
    """The one draft prospectus of a CSS (or independent provider)."""

    __tablename__ = "prospectus"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    # Optimistic locking: a save based on an older read is refused, not silently lost.
    lock_version: Mapped[int] = mapped_column(default=1)

    organisation: Mapped[Organisation] = relationship()
    ccgs_served: Mapped[list[Organisation]] = relationship(secondary=prospectus_draft_ccg)
    draft_offers: Mapped[list["Offer"]] = relationship(
        primaryjoin="and_(Offer.prospectus_id == Prospectus.id, "
        "Offer.prospectus_version_id.is_(None))",
        viewonly=True,
        order_by="Offer.id",
    )
    versions: Mapped[list["ProspectusVersion"]] = relationship(
        back_populates="prospectus", order_by="ProspectusVersion.number"
    )

    __mapper_args__ = {"version_id_col": lock_version}


class ProspectusVersion(IdMixin, ProspectusContent, db.Model):
    """A published, immutable prospectus: v1, v2, ... Only its status may change."""

    __tablename__ = "prospectus_version"
    __table_args__ = (UniqueConstraint("prospectus_id", "number"),)

    prospectus_id: Mapped[int] = mapped_column(ForeignKey("prospectus.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.PUBLISHED, index=True)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    change_note: Mapped[str] = mapped_column(Text, default="")

    prospectus: Mapped[Prospectus] = relationship(back_populates="versions")
    organisation: Mapped[Organisation] = relationship()
    ccgs_served: Mapped[list[Organisation]] = relationship(secondary=prospectus_version_ccg)
    offers: Mapped[list["Offer"]] = relationship(
        back_populates="prospectus_version", order_by="Offer.id"
    )

    @validates("status")
    def _status(self, key, value):
        return VersionStatus(value).value

    @property
    def label(self) -> str:
        return f"v{self.number}"

    @property
    def status_label(self) -> str:
        return VersionStatus(self.status).label


class Offer(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "offer"
    __table_args__ = (
        CheckConstraint("price >= 0", name="price_not_negative"),
        CheckConstraint("minimum_term_months BETWEEN 0 AND 120", name="minimum_term_range"),
        # Both orders: counting published offers per specification, or of one, reads an
        # index alone instead of every offer row (see catalogue's offer counts). Both also
        # hold what search counts offers by, so that search reads an index and not the
        # offers' wide rows (their texts): PostgreSQL reads each published version's offers
        # from the version-first one; SQLite's planner starts from the specification.
        Index("ix_offer_version_facets", "prospectus_version_id", "specification_id",
              "pricing_model", "price", "estimated_quantity"),
        Index("ix_offer_search_facets", "specification_id", "prospectus_version_id",
              "organisation_id", "pricing_model", "price", "estimated_quantity"),
    )

    prospectus_id: Mapped[int] = mapped_column(ForeignKey("prospectus.id"), index=True)
    prospectus_version_id: Mapped[int | None] = mapped_column(ForeignKey("prospectus_version.id"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    specification_id: Mapped[int] = mapped_column(ForeignKey("service_specification.id"))
    lineage: Mapped[str] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    delivery_model: Mapped[str] = mapped_column(String(24))
    pricing_model: Mapped[str] = mapped_column(String(16))
    price: Mapped[Decimal] = mapped_column(Money)
    # Days a year for a day rate, cases a year for a per-case price.
    estimated_quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    minimum_term_months: Mapped[int] = mapped_column(Integer, default=12)
    available_from: Mapped[date | None] = mapped_column(Date)
    # [{"measure": "...", "target": "..."}]
    service_levels: Mapped[list] = mapped_column(JSON, default=list)
    # What keyword search reads besides the title: description, specification, provider and
    # service levels, written once when the offer is published (published offers never change).
    # The full-text index over it is engine-specific and lives outside these models
    # (see marketplace/search/schema.py and migration 0005).
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: a save based on an older read is refused, not silently lost.
    lock_version: Mapped[int] = mapped_column(default=1, server_default="1")

    prospectus: Mapped[Prospectus] = relationship()
    prospectus_version: Mapped[ProspectusVersion | None] = relationship(back_populates="offers")
    organisation: Mapped[Organisation] = relationship()
    specification: Mapped[ServiceSpecification] = relationship()

    __mapper_args__ = {"version_id_col": lock_version}

    @validates("delivery_model")
    def _delivery(self, key, value):
        return DeliveryModel(value).value

    @validates("pricing_model")
    def _pricing(self, key, value):
        return PricingModel(value).value

    @property
    def delivery_model_label(self) -> str:
        return DeliveryModel(self.delivery_model).label

    @property
    def pricing_model_label(self) -> str:
        return PricingModel(self.pricing_model).label

    @property
    def is_draft(self) -> bool:
        return self.prospectus_version_id is None

    @property
    def is_published(self) -> bool:
        return (
            self.prospectus_version is not None
            and self.prospectus_version.status == VersionStatus.PUBLISHED
        )
