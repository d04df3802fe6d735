"""The catalogue version: one row whose number moves on whenever anything a search shows
changes (an offer published, withdrawn or superseded, a checkpoint signed off, a provider,
specification or region edited). Search results are cached per version
(marketplace/search/cache.py), so a search reads this one row and, when nothing has changed,
no offer at all beyond the page it shows.

``nonce`` is random and set when the row is made: a database that is emptied and refilled
(the tests do this before every test) starts again at number 1, and the nonce keeps its
versions from being mistaken for the old database's.
"""

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from marketplace.extensions import db

CATALOGUE_VERSION_ID = 1


class CatalogueVersion(db.Model):
    __tablename__ = "catalogue_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    number: Mapped[int] = mapped_column(BigInteger, default=1)
    nonce: Mapped[str] = mapped_column(String(32))
