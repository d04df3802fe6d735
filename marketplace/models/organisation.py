from datetime import date
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from marketplace.extensions import db

from .base import IdMixin, TimestampMixin


class OrganisationKind(StrEnum):
    CCG = "ccg"
    CSS = "css"
    BDU = "bdu"
    SHA_CLUSTER = "sha_cluster"
    LOCAL_AUTHORITY = "local_authority"
    INDEPENDENT_PROVIDER = "independent_provider"

    @property
    def label(self) -> str:
        return ORGANISATION_KIND_LABELS[self]


ORGANISATION_KIND_LABELS = {
    OrganisationKind.CCG: "Clinical commissioning group",
    OrganisationKind.CSS: "Commissioning support service",
    OrganisationKind.BDU: "Business Development Unit",
    OrganisationKind.SHA_CLUSTER: "SHA cluster",
    OrganisationKind.LOCAL_AUTHORITY: "Local authority",
    OrganisationKind.INDEPENDENT_PROVIDER: "Independent provider",
}

# The kinds of organisation that publish offers and respond to opportunities.
PROVIDER_KINDS = (OrganisationKind.CSS, OrganisationKind.INDEPENDENT_PROVIDER)


class Region(IdMixin, db.Model):
    """One of the four NHS Commissioning Board regions of 2013."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(8), unique=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)

    organisations: Mapped[list["Organisation"]] = relationship(back_populates="region")

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Organisation(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "organisation"

    kind: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    ods_code: Mapped[str | None] = mapped_column(String(10), unique=True)
    ons_code: Mapped[str | None] = mapped_column(String(12), unique=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"), index=True)
    # Registered (GP list) population; only CCGs have one.
    population: Mapped[int | None]
    # The PCT cluster a CCG sat in during 2012 (data/ccg_clusters_2012.csv): the scale at
    # which SHA clusters were asked to aggregate demand, so the demand page groups by it.
    pct_cluster: Mapped[str | None] = mapped_column(String(120), index=True)
    # A CSS that merged into another, or was taken over (models/market.py Merger): its
    # records stay readable under its own name; its customers are the successor's now.
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    merged_on: Mapped[date | None] = mapped_column(Date)

    region: Mapped[Region | None] = relationship(back_populates="organisations")
    users: Mapped[list["User"]] = relationship(back_populates="organisation")  # noqa: F821
    merged_into: Mapped["Organisation | None"] = relationship(remote_side="Organisation.id")

    @validates("kind")
    def _validate_kind(self, key, value):
        return OrganisationKind(value).value

    @validates("population")
    def _validate_population(self, key, value):
        if value is not None and value <= 0:
            raise ValueError("population must be positive")
        return value

    @property
    def kind_label(self) -> str:
        return OrganisationKind(self.kind).label

    @property
    def is_ccg(self) -> bool:
        return self.kind == OrganisationKind.CCG

    @property
    def is_css(self) -> bool:
        return self.kind == OrganisationKind.CSS

    def __repr__(self) -> str:
        return f"<Organisation {self.kind} {self.name}>"
