"""Search results cached per catalogue version.

Facet counts and the order of the hits depend only on the published catalogue, the
providers' assurance statuses and the search itself, and change only when one of those does.
So they are kept in a small in-process LRU keyed by the catalogue version (one row, read
with one primary-key query per search) and the search: a repeated search costs that read
and loading its page of offers, however many offers there are.

The version moves on in the same transaction as the change, so a process never serves
results older than the version it read:

- by the flush hook below, for changes made through the ORM (publishing, withdrawing,
  superseding, signing off a review, editing a specification, provider or region), which
  also refreshes the published-offer listing of the providers touched (listing.py), and
- by ``bump_catalogue_version()``, which code writing with bulk Core statements calls
  itself (the demo seeders), after ``refresh_listing()``.

A result computed while another transaction commits may be newer than its key, never older.
Each process has its own cache; processes agree through the version row.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from flask import current_app, has_app_context, has_request_context, request
from sqlalchemy import event, insert, inspect, select, update
from sqlalchemy.orm import Session

from marketplace.extensions import db
from marketplace.models import (
    CATALOGUE_VERSION_ID,
    CatalogueVersion,
    Checkpoint,
    Offer,
    Organisation,
    ProspectusVersion,
    Region,
    Review,
    ServiceSpecification,
    Submission,
)
from marketplace.search.listing import providers_touched, refresh_listing

DEFAULT_SIZE = 512
_MISSING = object()


class LRUCache:
    """A thread-safe least-recently-used mapping of at most ``size`` entries."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}
        self.hits = self.misses = 0

    def get_or_compute(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value under ``key``, computing it when missing. Threads asking for the same
        missing key at once compute it once: the others wait for it (a burst of people
        making the same search just after the catalogue changed costs one search)."""
        value = self.get(key, _MISSING)
        if value is not _MISSING:
            return value
        with self._lock:
            computing = self._computing.setdefault(key, threading.Lock())
        try:
            with computing:
                value = self.get(key, _MISSING)  # computed while this thread waited?
                if value is _MISSING:
                    value = compute()
                    self.put(key, value)
        finally:
            with self._lock:
                if self._computing.get(key) is computing:
                    del self._computing[key]
        return value

    def get(self, key: Hashable, default: Any = None) -> Any:
        """The value under ``key``, or ``default`` when there is none."""
        with self._lock:
            value = self._entries.get(key, _MISSING)
            if value is _MISSING:
                self.misses += 1
                return default
            self._entries.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self, where: Callable[[Hashable], bool] | None = None) -> None:
        """Forget every entry, or those whose key ``where`` is true of (then the hit and
        miss counts are kept)."""
        with self._lock:
            if where is None:
                self._entries.clear()
                self.hits = self.misses = 0
                return
            for key in [key for key in self._entries if where(key)]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)


results = LRUCache()
# What is too big to keep for versions gone by (the listing's columns, megabytes at scale
# 100): the current catalogue version's, and the one before for searches still under way.
large_results = LRUCache(size=2)


# Where a request keeps the version it read (see catalogue_version).
_REQUEST_VERSION = "marketplace.catalogue_version"


def catalogue_version() -> tuple[str, int] | None:
    """The current (nonce, number), or None when there is no version row (then nothing is
    cached). One primary-key read per request: a request reads it once, however many
    times it asks (checking the filters and searching both do), unless it moves the
    version on itself (bump_catalogue_version forgets it)."""
    environ = request.environ if has_request_context() else {}
    if _REQUEST_VERSION in environ:
        return environ[_REQUEST_VERSION]
    row = db.session.execute(
        select(CatalogueVersion.nonce, CatalogueVersion.number)
        .where(CatalogueVersion.id == CATALOGUE_VERSION_ID)
    ).first()
    version = (row[0], row[1]) if row is not None else None
    environ[_REQUEST_VERSION] = version
    return version


def cached(key: Hashable, compute: Callable[[], Any], *, large: bool = False) -> Any:
    """``compute()``, kept under ``key`` plus the catalogue version; key None: not cached.
    ``large``: kept in large_results, which holds two entries.

    SEARCH_CACHE_SIZE = 0 in the app config turns the cache off."""
    if not _enabled(key):
        return compute()
    return (large_results if large else results).get_or_compute(key, compute)


def clear() -> None:
    """Forget everything cached (both caches)."""
    results.clear()
    large_results.clear()


def _enabled(key: Hashable) -> bool:
    return key is not None and not (
        has_app_context() and current_app.config.get("SEARCH_CACHE_SIZE") == 0
    )


def bump_catalogue_version(connection=None) -> None:
    """Move the catalogue version on, in the caller's transaction."""
    if has_request_context():
        request.environ.pop(_REQUEST_VERSION, None)
    connection = connection if connection is not None else db.session.connection()
    moved = connection.execute(
        update(CatalogueVersion)
        .where(CatalogueVersion.id == CATALOGUE_VERSION_ID)
        .values(number=CatalogueVersion.number + 1)
    )
    if moved.rowcount == 0:
        connection.execute(insert(CatalogueVersion).values(
            id=CATALOGUE_VERSION_ID, number=1, nonce=uuid.uuid4().hex
        ))


# Whatever a search result shows or counts. Offers on a draft are not searched.
_ALWAYS = (ProspectusVersion, Organisation, Region, ServiceSpecification, Checkpoint)


def _changes_search(obj, how: str) -> bool:
    """Whether flushing ``obj`` (``how``: "new", "deleted" or "dirty") can change a search."""
    if isinstance(obj, _ALWAYS):
        return True
    if isinstance(obj, Offer):
        # Read without loading anything. A new offer never given a version has no key for
        # it; a loaded one that has been expired has none either, and then we cannot tell.
        state = inspect(obj).dict
        if "prospectus_version_id" in state and state["prospectus_version_id"] is not None:
            return True
        if state.get("prospectus_version") is not None:
            return True
        return how != "new" and "prospectus_version_id" not in state
    if isinstance(obj, Review):
        # Saving a review in progress changes nothing a search shows; its status does.
        return how != "dirty" or inspect(obj).attrs.status.history.has_changes()
    if isinstance(obj, Submission):
        return how != "dirty" or inspect(obj).attrs.organisation_id.history.has_changes()
    return False


@event.listens_for(Session, "after_flush")
def _bump_on_catalogue_changes(session, flush_context):
    # After a flush the new, dirty and deleted collections still hold what was flushed.
    changed = [(obj, "new") for obj in session.new]
    changed += [(obj, "deleted") for obj in session.deleted]
    changed += [(obj, "dirty") for obj in session.dirty
                if session.is_modified(obj, include_collections=False)]
    relevant = [(obj, how) for obj, how in changed if _changes_search(obj, how)]
    if relevant:
        connection = session.connection()
        refresh_listing(connection, providers_touched(connection, relevant))
        bump_catalogue_version(connection)
