"""The published-offer listing (models/listing.py) in memory, as columns: one copy per
catalogue version and process, read with two queries when a process first searches a new
version, and shared by every search of it.

Searching then asks the database only for what it alone can answer, the offers matching
the keywords and their relevance (text.py's keyword_matches); filtering, counting facets and
ordering those offers are array operations over these columns, whose cost grows with the
number of matches by microseconds per thousand, not a grouped query per facet.

Each column is held as whole-number codes into a sorted tuple of its distinct values, so
that filtering by values is one table lookup per row and counting by value is one
``numpy.bincount``; neither sorts anything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sqlalchemy import (
    BigInteger,
    String,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)

from marketplace.domain.pricing import PER_HEAD, UNITS_PER_POUND, band_starts
from marketplace.extensions import db
from marketplace.models import OfferListing

listing = OfferListing.__table__
NO_REGION = -1  # the region id of a national provider


@dataclass(frozen=True, eq=False)
class Column:
    """One column: ``codes[row]`` is the index of the row's value in ``values``."""

    codes: np.ndarray  # int64, one per row
    values: tuple  # distinct, sorted

    @classmethod
    def of(cls, values) -> Column:
        """A column of these values (numbers or strings), one per row."""
        distinct, codes = np.unique(np.asarray(values), return_inverse=True)
        return cls(codes.astype(np.int64), tuple(distinct.tolist()))

    @cached_property
    def array(self) -> np.ndarray:
        """The values as an array (for a column of numbers)."""
        return np.array(self.values)

    def allows(self, rows: np.ndarray, chosen: Iterable) -> np.ndarray:
        """Which of these rows hold one of the chosen values (a boolean array)."""
        allowed = np.zeros(len(self.values), bool)
        chosen = set(chosen)
        allowed[[code for code, value in enumerate(self.values) if value in chosen]] = True
        return allowed[self.codes[rows]]

    def counts(self, rows: np.ndarray) -> dict:
        """value -> how many of these rows hold it, for the values some row holds."""
        counts = np.bincount(self.codes[rows], minlength=len(self.values))
        return {self.values[code]: int(counts[code]) for code in np.flatnonzero(counts)}


@dataclass(frozen=True, eq=False)
class TitleWords:
    """Which listing rows hold each word in their offer's title, as PostgreSQL stems it
    (offer_listing.title_lexemes, migration 0010): lexeme -> the rows, ascending."""

    rows: dict[str, np.ndarray]

    @classmethod
    def of(cls, titles: Iterable[str]) -> TitleWords:
        """From each row's title lexemes, space-separated, in row order."""
        postings: dict[str, list[int]] = defaultdict(list)
        for row, lexemes in enumerate(titles):
            for lexeme in lexemes.split():
                postings[lexeme].append(row)
        return cls({lexeme: np.array(rows, np.int64) for lexeme, rows in postings.items()})

    def holding(self, lexemes: list[str], rows: np.ndarray) -> np.ndarray:
        """Which of these rows (ascending) hold all these lexemes in their title (a boolean
        array); none do when there are no lexemes (a word the stemmer drops)."""
        held = np.full(len(rows), bool(lexemes))
        for lexeme in lexemes:
            held &= lookup(self.rows.get(lexeme, _NO_ROWS), rows)[1]
        return held


_NO_ROWS = np.empty(0, np.int64)


@dataclass(frozen=True, eq=False)
class ListingColumns:
    """One row per listed offer, in offer id order."""

    offer_ids: np.ndarray  # int64, ascending
    specification: Column  # specification ids
    region: Column  # region ids, NO_REGION for a national provider
    kind: Column  # provider kinds
    status: Column  # assurance status keys
    model: Column  # pricing models
    price: Column  # PRICE_UNITs: £ per head, or £ a year when not priced per head
    # PostgreSQL's title lexemes, a line per row (SQLite asks its FTS5 table instead).
    title_lines: list[str] | None = None

    def __len__(self) -> int:
        return len(self.offer_ids)

    @cached_property
    def titles(self) -> TitleWords | None:
        """Which rows hold each word in their title; made the first time a keyword search
        asks (about 40 ms at scale 100), so browsing without keywords never pays for it.
        Two threads asking at once both make it, and one is kept: no harm done."""
        return None if self.title_lines is None else TitleWords.of(self.title_lines)

    def positions(self, offer_ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of these offers, and which of the offers have one (an offer listed
        after these columns were read has none)."""
        rows, found = lookup(self.offer_ids, offer_ids)
        return rows[found], found

    def provider_counts(self, rows: np.ndarray) -> list[tuple[int | None, str, str, int]]:
        """(region id or None, provider kind, assurance status, how many) of these rows,
        for each combination some row holds."""
        kinds, statuses = len(self.kind.values), len(self.status.values)
        combined = (self.region.codes[rows] * kinds + self.kind.codes[rows]) * statuses \
            + self.status.codes[rows]
        counts = np.bincount(combined, minlength=len(self.region.values) * kinds * statuses)
        found = []
        for code in np.flatnonzero(counts):
            rest, status = divmod(int(code), statuses)
            region, kind = divmod(rest, kinds)
            region_id = self.region.values[region]
            found.append((None if region_id == NO_REGION else region_id,
                          self.kind.values[kind], self.status.values[status],
                          int(counts[code])))
        return found

    def price_columns(self, rows: np.ndarray) -> dict[str, tuple[list[int], list[int]]]:
        """pricing model -> (its distinct prices, ascending; how many of these rows at
        each), as PriceHistogram.from_sorted takes them."""
        histogram = {}
        for code, model in enumerate(self.model.values):
            of_model = rows[self.model.codes[rows] == code]
            counts = np.bincount(self.price.codes[of_model], minlength=len(self.price.values))
            held = np.flatnonzero(counts)
            if len(held):
                histogram[model] = (self.price.array[held].tolist(), counts[held].tolist())
        return histogram

    def bands(self, rows: np.ndarray, population: int) -> np.ndarray:
        """The price band (its index in PRICE_BANDS) of these rows' offers for a CCG of this
        population, exactly as price_band(cost_per_head(...)) would band them."""
        starts = band_starts(population)
        prices = self.price.array[self.price.codes[rows]]
        per_head = self.model.allows(rows, [PER_HEAD])
        return np.where(
            per_head,
            np.searchsorted(np.array(starts[True], np.int64), prices, side="right"),
            np.searchsorted(np.array(starts[False], np.int64), prices, side="right"),
        )


def lookup(ascending: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``values`` is, or would go, in ``ascending``, and which of them are
    there: one bisection each."""
    at = np.searchsorted(ascending, values)
    found = at < len(ascending)
    found[found] = ascending[at[found]] == values[found]
    return at, found


def joined(column):
    """SQL for all of a column's values as one comma-separated string."""
    text = cast(column, String)
    if db.engine.dialect.name == "postgresql":
        return func.string_agg(text, ",")
    return func.group_concat(text, ",")


def numbers(text: str | None) -> np.ndarray:
    """The whole numbers of a comma-separated string (as ``joined`` makes), in order."""
    return np.fromstring(text or "", np.int64, sep=",")


def read_columns() -> ListingColumns:
    """The whole listing, in two queries answering a handful of rows: the numeric columns
    each as one string of numbers (all aggregated in one pass, so in the same order, with
    PostgreSQL's title lexemes), and for each value of a text column, the offers holding
    it. Sending a row per offer took ten times as long at scale 100 (35,000 offers)."""
    postgresql = db.engine.dialect.name == "postgresql"
    numeric = db.session.execute(select(
        joined(listing.c.offer_id), joined(listing.c.specification_id),
        joined(func.coalesce(listing.c.region_id, NO_REGION)),
        # In PRICE_UNITs (ten-thousandths of a pound): exact, and quick to read.
        joined(cast(func.round(func.coalesce(listing.c.annual_price, listing.c.price)
                                * UNITS_PER_POUND), BigInteger)),
        # In the same pass, so in the same order: a line of lexemes per row.
        *([func.string_agg(func.coalesce(literal_column("offer_listing.title_lexemes"), ""),
                           "\n")] if postgresql else []),
    )).one()
    offer_ids, specs, regions, prices = (numbers(text) for text in numeric[:4])
    order = np.argsort(offer_ids, kind="stable")
    title_lines = None
    if postgresql:
        lines = (numeric[4] or "").split("\n") if len(offer_ids) else []
        assert len(lines) == len(offer_ids), "a listing row without its title line"
        title_lines = [lines[row] for row in order]
    offer_ids = offer_ids[order]
    texts = {name: {} for name in ("provider_kind", "assurance_status", "pricing_model")}
    by_value = union_all(*[
        select(literal(name), cast(listing.c[name], String), joined(listing.c.offer_id))
        .group_by(listing.c[name])
        for name in texts
    ])
    for name, value, ids in db.session.execute(by_value):
        texts[name][value] = numbers(ids)
    return ListingColumns(
        offer_ids=offer_ids,
        specification=Column.of(specs[order]),
        region=Column.of(regions[order]),
        kind=_text_column(offer_ids, texts["provider_kind"]),
        status=_text_column(offer_ids, texts["assurance_status"]),
        model=_text_column(offer_ids, texts["pricing_model"]),
        price=Column.of(prices[order]),
        title_lines=title_lines,
    )


def _text_column(offer_ids: np.ndarray, holders: dict[str, np.ndarray]) -> Column:
    """A column from each value's offers (every offer holds exactly one value)."""
    values = tuple(sorted(holders))
    codes = np.full(len(offer_ids), -1, np.int64)
    for code, value in enumerate(values):
        codes[np.searchsorted(offer_ids, holders[value])] = code
    assert not len(codes) or codes.min() >= 0, "an offer without a value"
    return Column(codes, values)
