"""The published-offer listing: one narrow row per offer of a currently published prospectus
version, holding just what search filters, counts and orders by.

It is derived data, kept in step in the same transaction as whatever changes it
(marketplace/search/listing.py): publishing, withdrawing or superseding a version, a
checkpoint review signed off, a provider's region or kind edited. Searching reads it instead
of joining offer, prospectus_version and organisation for every matching offer, and reads the
provider's assurance status from a column instead of working it out per search.

Its full-text index is engine-specific and lives outside these models (migration 0008):
PostgreSQL keeps a tsvector column copied from offer.search_vector with a GIN index;
SQLite keeps an FTS5 table, offer_listing_fts, filled by triggers on this table.
"""

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db

from .base import Money


class OfferListing(db.Model):
    __tablename__ = "offer_listing"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offer.id"), primary_key=True,
                                          autoincrement=False)
    provider_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    specification_id: Mapped[int] = mapped_column(Integer)
    region_id: Mapped[int | None] = mapped_column(Integer)  # None: a national provider
    provider_kind: Mapped[str] = mapped_column(String(32))
    assurance_status: Mapped[str] = mapped_column(String(64))
    pricing_model: Mapped[str] = mapped_column(String(16))
    price: Mapped[Decimal] = mapped_column(Money)
    # £ a year for offers not priced per head: the fee, or price × estimated days or cases.
    annual_price: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
