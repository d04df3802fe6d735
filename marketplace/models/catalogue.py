"""The shared catalogue of service specifications that CSS offers are made against."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column, validates

from marketplace.extensions import db

from .base import IdMixin, TimestampMixin, UTCDateTime


class Phase(StrEnum):
    PLANNING = "planning"
    AGREEING_CONTRACTS = "agreeing_contracts"
    MONITORING_CONTRACTS = "monitoring_contracts"
    BUSINESS_SUPPORT = "business_support"

    @property
    def label(self) -> str:
        return {
            "planning": "Planning",
            "agreeing_contracts": "Agreeing contracts",
            "monitoring_contracts": "Monitoring contracts",
            "business_support": "Business support",
        }[self.value]


class Nature(StrEnum):
    TRANSFORMATIONAL = "transformational"
    TRANSACTIONAL = "transactional"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Scale(StrEnum):
    LOCAL = "local"
    SHARED = "shared"
    NATIONAL = "national"

    @property
    def label(self) -> str:
        return {"local": "Local (per CCG)", "shared": "Shared (several CCGs or CSSs)",
                "national": "National"}[self.value]


class ServiceSpecification(IdMixin, TimestampMixin, db.Model):
    __tablename__ = "service_specification"

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    description: Mapped[str] = mapped_column(Text)
    phase: Mapped[str] = mapped_column(String(32), index=True)
    nature: Mapped[str] = mapped_column(String(32))
    scale: Mapped[str] = mapped_column(String(16))
    expected_outputs: Mapped[str] = mapped_column(Text, default="")
    expected_service_levels: Mapped[str] = mapped_column(Text, default="")
    # Retired specifications stay (offers and agreements point at them) but take no new offers.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @validates("phase")
    def _phase(self, key, value):
        return Phase(value).value

    @validates("nature")
    def _nature(self, key, value):
        return Nature(value).value

    @validates("scale")
    def _scale(self, key, value):
        return Scale(value).value

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None

    @property
    def phase_label(self) -> str:
        return Phase(self.phase).label

    @property
    def nature_label(self) -> str:
        return Nature(self.nature).label

    @property
    def scale_label(self) -> str:
        return Scale(self.scale).label

    def __repr__(self) -> str:
        return f"<ServiceSpecification {self.code}>"


class CatalogueGeneration(db.Model):
    """One row: a token replaced, in the same transaction, by every change to the published
    catalogue (services.catalogue_cache.catalogue_changed). Answers worked out from it
    (offer searches, the offers per specification) are kept in the shared cache under the
    token they were worked out at, so none is shown once a change has committed."""

    __tablename__ = "catalogue_generation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
