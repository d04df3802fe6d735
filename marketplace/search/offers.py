"""Finding published offers: keywords, facets with counts, a stable order and pages.

Facets are disjunctive: within a facet the chosen values are OR-ed, across facets AND-ed,
and each facet's counts apply every filter except its own (so choosing "Planning" still
shows how many offers the other phases have). Search reads the published-offer listing
(models/listing.py): the database answers which offers match the keywords, and how well
(one full-text query, text.keyword_matches); filtering, counting and ordering those are done
over the listing's columns in memory (columns.py). Facets that describe the same thing are
counted together, then split in Python over a handful of groups:

- specification, phase, nature: counted per specification (the catalogue is small);
- region, provider kind, assurance status: per (region, kind, status);
- pricing model, price band: per (pricing model, price), a histogram from which the bands
  are counted at the searcher's population (domain/pricing.PriceHistogram).

What a search needs besides its keywords' matches (the reference tables, the assurance
labels, the listing's columns) is read once per catalogue version, and a search's facets
and pages are cached per version too (see cache.py), shared by every searcher whatever
their population unless they choose a price band. So a new search costs the full-text
query and that page's offers; a search made before, the version row and the page's offers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from functools import cached_property

import numpy as np
from sqlalchemy import select

from marketplace.data import median_ccg_population
from marketplace.domain.pricing import (
    PRICE_BANDS,
    PriceHistogram,
    PricingError,
    cost_per_head,
)
from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Nature,
    Offer,
    Organisation,
    Phase,
    PricingModel,
    Region,
    ServiceSpecification,
)
from marketplace.services.assurance import NOT_YET_ASSESSED, assurance_statuses

from .cache import cached, catalogue_version
from .columns import NO_REGION, ListingColumns, read_columns
from .hits import PROVIDER_COLUMNS, ListedOffer, full_offers, listed_offers
from .text import MAX_QUERY_LENGTH, keyword_matches

# The median GP-registered population of a CCG in 2012 (data/ccgs_2013.csv): the population
# at which offers not priced per head are banded for anyone who is not a CCG user.
REFERENCE_POPULATION = median_ccg_population()
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
NATIONAL = "national"  # the region key of providers with no region
BAND_LABELS = {band.key: band.label for band in PRICE_BANDS}


@dataclass(frozen=True)
class OfferFilters:
    """What a search asks for; every facet holds the chosen keys (empty: no filter)."""

    q: str = ""
    specification: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    nature: tuple[str, ...] = ()
    region: tuple[str, ...] = ()
    pricing_model: tuple[str, ...] = ()
    price_band: tuple[str, ...] = ()
    provider_kind: tuple[str, ...] = ()
    assurance: tuple[str, ...] = ()

    def facet_names(self) -> list[str]:
        return [f.name for f in fields(self) if f.name != "q"]

    def without(self, *names: str) -> OfferFilters:
        return replace(self, **{name: () for name in names})

    def query_args(self) -> dict[str, list[str] | str]:
        """These filters as URL query arguments (for shareable links and pagination)."""
        args: dict[str, list[str] | str] = {}
        if self.q:
            args["q"] = self.q
        for name in self.facet_names():
            if getattr(self, name):
                args[name] = list(getattr(self, name))
        return args

    @property
    def is_empty(self) -> bool:
        return not self.q and not any(getattr(self, name) for name in self.facet_names())


# Facets are cached and shared between requests: frozen, with tuples for lists.
@dataclass(frozen=True)
class FacetOption:
    key: str
    label: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    name: str
    label: str
    options: tuple[FacetOption, ...]


@dataclass
class OfferHit:
    offer: ListedOffer | Offer  # Offer when search_offers was asked for full offers
    rank: int | None  # relevance (text.relevance); None without keywords
    assurance_status: str
    cost_per_head: Decimal | None  # £ per head a year at the search's population
    assurance_label: str = NOT_YET_ASSESSED


@dataclass
class OfferSearchResult:
    filters: OfferFilters
    hits: list[OfferHit]
    total: int
    page: int
    per_page: int
    facets: list[Facet]
    population: int
    population_is_reference: bool
    assurance_labels: dict[str, str] = field(default_factory=assurance_statuses)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


class _Catalogue:
    """The small reference tables a search needs, as plain rows: read once per catalogue
    version and shared between searches (and threads)."""

    def __init__(self) -> None:
        self.specifications = {
            spec.id: spec
            for spec in db.session.execute(
                select(ServiceSpecification.id, ServiceSpecification.code,
                       ServiceSpecification.name, ServiceSpecification.phase,
                       ServiceSpecification.nature)
                .order_by(ServiceSpecification.code)
            )
        }
        self.regions = {
            region.id: region
            for region in db.session.execute(
                select(Region.id, Region.code, Region.name).order_by(Region.name))
        }
        # For the result cards' names (hits.listed_offers): 3,000 rows at scale 100.
        self.providers = {
            provider.id: provider
            for provider in db.session.execute(
                select(*PROVIDER_COLUMNS).where(Organisation.kind.in_(PROVIDER_KINDS)))
        }

    def specification_ids(self, filters: OfferFilters) -> set[int] | None:
        """The specifications allowed by the specification, phase and nature filters."""
        if not (filters.specification or filters.phase or filters.nature):
            return None
        return {
            spec_id
            for spec_id, spec in self.specifications.items()
            if self.spec_passes(spec, filters)
        }

    @staticmethod
    def spec_passes(spec, filters: OfferFilters) -> bool:
        return (
            (not filters.specification or spec.code in filters.specification)
            and (not filters.phase or spec.phase in filters.phase)
            and (not filters.nature or spec.nature in filters.nature)
        )

    def region_key(self, region_id: int | None) -> str:
        return self.regions[region_id].code if region_id in self.regions else NATIONAL

    def region_ids(self, keys: tuple[str, ...]) -> tuple[set[int], bool]:
        ids = {rid for rid, region in self.regions.items() if region.code in keys}
        return ids, NATIONAL in keys


def _row_filters(filters: OfferFilters, catalogue: _Catalogue, columns: ListingColumns,
                 population: int) -> dict[str, Callable[[np.ndarray], np.ndarray]]:
    """Per chosen filter, a test of listing rows (positions in ``columns``): which of the
    rows' offers pass it, as a boolean array."""
    tests: dict[str, Callable[[np.ndarray], np.ndarray]] = {}
    spec_ids = catalogue.specification_ids(filters)
    if spec_ids is not None:
        # Specification, phase and nature are one test, by specification: each of their
        # facets works out its own counts from the per-specification counts.
        tests["specification"] = lambda rows: columns.specification.allows(rows, spec_ids)
    if filters.region:
        region_ids, national = catalogue.region_ids(filters.region)
        regions = region_ids | ({NO_REGION} if national else set())
        tests["region"] = lambda rows: columns.region.allows(rows, regions)
    for name, column in (("provider_kind", columns.kind), ("pricing_model", columns.model),
                         ("assurance", columns.status)):
        if getattr(filters, name):
            tests[name] = lambda rows, column=column, chosen=getattr(filters, name): \
                column.allows(rows, chosen)
    if filters.price_band:
        bands = np.array([band.key in filters.price_band for band in PRICE_BANDS])
        tests["price_band"] = lambda rows: bands[columns.bands(rows, population)]
    return tests


def _passing(rows: np.ndarray, tests: dict, leaving_out: tuple[str, ...] = ()) -> np.ndarray:
    """Which of these rows pass every test but those named, as a boolean array (the
    specification test stands for the phase and nature filters too)."""
    passing = np.ones(len(rows), bool)
    for name, test in tests.items():
        if name not in leaving_out:
            passing &= test(rows)
    return passing


def _options(labels: dict[str, str], counts: Counter, chosen: tuple[str, ...]):
    return tuple(
        FacetOption(key, label, counts.get(key, 0), key in chosen)
        for key, label in labels.items()
        if counts.get(key, 0) or key in chosen
    )


@dataclass(frozen=True)
class _Summary:
    """What a search shows besides its page of offers; cached per catalogue version.

    The price facets and the total depend on the searcher's population (offers not priced
    per head are banded at it), so the summary holds the prices of the matching offers as a
    histogram instead, and they are counted from it for each request: one summary serves
    every CCG, unless a price band is chosen (then the other facets depend on it too)."""

    facets: tuple[Facet, ...]  # specification, phase, nature, region, kind, assurance
    prices: PriceHistogram  # the offers passing every filter but the two price ones
    assurance_labels: dict[str, str]

    def facets_and_total(self, filters: OfferFilters, population: int):
        counts = self.prices.band_counts(population)
        facets = sorted([*self.facets, *_price_facets(filters, counts)],
                        key=lambda facet: FACET_ORDER.index(facet.name))
        # The price counts hold every offer passing the other filters; those also passing
        # the price filters are the results.
        total = sum(
            count for (model, band_key), count in counts.items()
            if (not filters.pricing_model or model in filters.pricing_model)
            and (not filters.price_band or band_key in filters.price_band)
        )
        return facets, total


PageRows = tuple[tuple[int, int | None, str], ...]  # (offer id, rank, assurance status)


class _Search:
    """Computing one search from the published-offer listing.

    The database gives the offers matching the keywords with their relevance (one
    full-text query, text.keyword_matches), or none is asked when there are no keywords;
    everything else is done over the listing's columns in memory (columns.py), read once
    per catalogue version: each facet group is counted over the matches passing every
    filter but its own, and the page is the matches passing every filter, most relevant
    first, then by offer id.
    """

    def __init__(self, filters: OfferFilters, population: int, version) -> None:
        self.filters = filters
        self.population = population
        self.version = version

    def _per_version(self, name: str, read, *, large: bool = False):
        return cached(None if self.version is None else (name, self.version), read,
                      large=large)

    @cached_property
    def catalogue(self) -> _Catalogue:
        return self._per_version("search catalogue", _Catalogue)

    @cached_property
    def assurance_labels(self) -> dict[str, str]:
        return self._per_version("assurance labels", assurance_statuses)

    @cached_property
    def columns(self) -> ListingColumns:
        return self._per_version("listing columns", read_columns, large=True)

    @cached_property
    def _matches(self) -> tuple[np.ndarray, np.ndarray | None]:
        """The listing rows matching the keywords (all rows when there are none), and their
        relevance (None without keywords)."""
        matches = keyword_matches(self.filters.q, self.columns)
        if matches is None:
            return np.arange(len(self.columns)), None
        return matches

    @cached_property
    def _tests(self):
        return _row_filters(self.filters, self.catalogue, self.columns, self.population)

    def page_rows(self, page: int, per_page: int) -> PageRows:
        """One page of the matches passing every filter, in order."""
        rows, ranks = self._matches
        if self._tests:
            passing = _passing(rows, self._tests)
            rows, ranks = rows[passing], None if ranks is None else ranks[passing]
        columns = self.columns
        if ranks is None:  # the listing's order is offer id order
            chosen, chosen_ranks = rows[(page - 1) * per_page:page * per_page], None
        else:
            order = np.lexsort((columns.offer_ids[rows], -ranks))
            window = order[(page - 1) * per_page:page * per_page]
            chosen, chosen_ranks = rows[window], ranks[window]
        return tuple(
            (int(columns.offer_ids[row]),
             None if chosen_ranks is None else int(chosen_ranks[index]),
             columns.status.values[columns.status.codes[row]])
            for index, row in enumerate(chosen)
        )

    def summary(self) -> _Summary:
        """Every facet's counts (the price facets as a histogram) and the labels."""
        filters, columns, tests = self.filters, self.columns, self._tests
        rows, _ranks = self._matches
        by_spec = columns.specification.counts(rows[_passing(rows, tests, ("specification",))])
        providers = rows[_passing(rows, tests, ("region", "provider_kind", "assurance"))]
        priced = rows[_passing(rows, tests, ("pricing_model", "price_band"))]
        facets = _specification_facets(filters, self.catalogue, by_spec.items())
        facets += _provider_facets(filters, self.catalogue, self.assurance_labels,
                                   columns.provider_counts(providers))
        return _Summary(tuple(facets), PriceHistogram.from_sorted(columns.price_columns(priced)),
                        self.assurance_labels)


def search_offers(
    filters: OfferFilters,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    population: int | None = None,
    full: bool = False,
) -> OfferSearchResult:
    """Published offers matching ``filters``: one page of hits, the total and every facet.

    ``population`` is the signed-in CCG's registered population; without one, offers not
    priced per head are banded at REFERENCE_POPULATION. Order: relevance to the keywords,
    then offer id, a tie-break that favours no provider by name. The hits' offers are
    result cards (hits.ListedOffer), or with ``full`` model objects (for the JSON API).
    """
    is_reference = population is None
    population = population or REFERENCE_POPULATION
    page = max(1, min(page, MAX_PAGE))
    version = catalogue_version()
    search = _Search(filters, population, version)

    # Only a chosen price band makes the matching offers depend on the population.
    banded_at = population if filters.price_band else None

    def key(*parts):
        return None if version is None else ("offers", version, filters, banded_at, *parts)

    summary_key, page_key = key("summary"), key("page", page, per_page)

    summary = cached(summary_key, search.summary)  # computed once however many ask at once
    rows = cached(page_key, lambda: search.page_rows(page, per_page))
    offer_ids = [offer_id for offer_id, _, _ in rows]
    if full:
        offers = full_offers(offer_ids)
    else:
        catalogue = search.catalogue
        offers = listed_offers(offer_ids, specifications=catalogue.specifications,
                               regions=catalogue.regions, providers=catalogue.providers)
    hits = [
        OfferHit(offers[offer_id], row_rank, status, _per_head(offers[offer_id], population),
                 summary.assurance_labels.get(status, NOT_YET_ASSESSED))
        for offer_id, row_rank, status in rows
    ]
    facets, total = summary.facets_and_total(filters, population)
    return OfferSearchResult(
        filters=filters,
        hits=hits,
        total=total,
        page=page,
        per_page=per_page,
        facets=facets,
        population=population,
        population_is_reference=is_reference,
        assurance_labels=summary.assurance_labels,
    )


FACET_ORDER = ["specification", "phase", "nature", "region", "pricing_model", "price_band",
               "provider_kind", "assurance"]


def _per_head(offer: ListedOffer | Offer, population: int) -> Decimal | None:
    try:
        return cost_per_head(
            offer.pricing_model, offer.price, population, offer.estimated_quantity
        )
    except PricingError:
        return None


def _specification_facets(filters, catalogue: _Catalogue, rows) -> list[Facet]:
    by_spec = {spec_id: count for spec_id, count in rows}
    spec_counts, phase_counts, nature_counts = Counter(), Counter(), Counter()
    for spec_id, count in by_spec.items():
        spec = catalogue.specifications[spec_id]
        if catalogue.spec_passes(spec, filters.without("specification")):
            spec_counts[spec.code] += count
        if catalogue.spec_passes(spec, filters.without("phase")):
            phase_counts[spec.phase] += count
        if catalogue.spec_passes(spec, filters.without("nature")):
            nature_counts[spec.nature] += count
    spec_labels = {spec.code: spec.name for spec in catalogue.specifications.values()}
    return [
        Facet("specification", "Service specification",
              _options(spec_labels, spec_counts, filters.specification)),
        Facet("phase", "Commissioning cycle phase",
              _options({p.value: p.label for p in Phase}, phase_counts, filters.phase)),
        Facet("nature", "Nature",
              _options({n.value: n.label for n in Nature}, nature_counts, filters.nature)),
    ]


def _provider_facets(filters, catalogue: _Catalogue, assurance_labels: dict[str, str],
                     rows) -> list[Facet]:
    """Region, kind and assurance counts from (region, kind, status, count) rows; each
    facet counts under the other two's choices but not its own."""
    chosen_regions = set(filters.region)

    def region_ok(region_id):
        return not chosen_regions or catalogue.region_key(region_id) in chosen_regions

    def kind_ok(kind):
        return not filters.provider_kind or kind in filters.provider_kind

    def status_ok(status):
        return not filters.assurance or status in filters.assurance

    region_counts, kind_counts, assurance_counts = Counter(), Counter(), Counter()
    for region_id, kind, status, count in rows:
        if kind_ok(kind) and status_ok(status):
            region_counts[catalogue.region_key(region_id)] += count
        if region_ok(region_id) and status_ok(status):
            kind_counts[kind] += count
        if region_ok(region_id) and kind_ok(kind):
            assurance_counts[status] += count
    region_labels = {region.code: region.name for region in catalogue.regions.values()}
    region_labels[NATIONAL] = "National (no single region)"
    return [
        Facet("region", "Provider's region",
              _options(region_labels, region_counts, filters.region)),
        Facet("provider_kind", "Kind of provider",
              _options({k.value: k.label for k in PROVIDER_KINDS}, kind_counts,
                       filters.provider_kind)),
        Facet("assurance", "Assurance status",
              _options(assurance_labels, assurance_counts, filters.assurance)),
    ]


def _price_facets(filters, counts: dict[tuple[str, str], int]) -> list[Facet]:
    """Pricing model and price band counts from (model, band) -> count; each counts under
    the other's choices but not its own."""
    model_counts, band_counts = Counter(), Counter()
    for (model, band), count in counts.items():
        if not filters.price_band or band in filters.price_band:
            model_counts[model] += count
        if not filters.pricing_model or model in filters.pricing_model:
            band_counts[band] += count
    return [
        Facet("pricing_model", "Pricing model",
              _options({m.value: m.label for m in PricingModel}, model_counts,
                       filters.pricing_model)),
        Facet("price_band", "Price per head a year",
              _options(BAND_LABELS, band_counts, filters.price_band)),
    ]


class FilterError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _allowed_values() -> dict[str, frozenset[str]]:
    version = catalogue_version()
    return cached(None if version is None else ("filter values", version), _read_allowed_values)


def _read_allowed_values() -> dict[str, frozenset[str]]:
    return {
        "specification": frozenset(db.session.scalars(select(ServiceSpecification.code))),
        "phase": frozenset(p.value for p in Phase),
        "nature": frozenset(n.value for n in Nature),
        "region": frozenset(db.session.scalars(select(Region.code))) | {NATIONAL},
        "pricing_model": frozenset(m.value for m in PricingModel),
        "price_band": frozenset(BAND_LABELS),
        "provider_kind": frozenset(k.value for k in PROVIDER_KINDS),
        "assurance": frozenset(assurance_statuses()),
    }


def parse_filters(args) -> tuple[OfferFilters, list[FilterError]]:
    """Filters from query arguments (a MultiDict). Unknown values are left out and reported,
    so a page can ignore them and the API can refuse them, naming the field."""
    errors: list[FilterError] = []
    q = (args.get("q") or "").strip()
    if len(q) > MAX_QUERY_LENGTH:
        errors.append(
            FilterError("q", f"Search words must be {MAX_QUERY_LENGTH} characters or fewer")
        )
        q = q[:MAX_QUERY_LENGTH]
    values = {}
    for name, allowed in _allowed_values().items():
        chosen = []
        for value in args.getlist(name):
            value = value.strip()
            if not value:
                continue
            if value not in allowed:
                label = name.replace("_", " ")
                errors.append(FilterError(name, f"{value!r} is not a known {label}"))
            elif value not in chosen:
                chosen.append(value)
        values[name] = tuple(sorted(chosen))
    return OfferFilters(q=q, **values), errors


def parse_page(args, *, per_page_allowed: bool) -> tuple[int, int, list[FilterError]]:
    errors = []
    page, per_page = 1, DEFAULT_PER_PAGE
    raw_page = args.get("page")
    if raw_page not in (None, ""):
        if raw_page.isdigit() and 1 <= int(raw_page) <= MAX_PAGE:
            page = int(raw_page)
        else:
            errors.append(FilterError("page", f"page must be a whole number from 1 to {MAX_PAGE}"))
    raw_per_page = args.get("per_page")
    if per_page_allowed and raw_per_page not in (None, ""):
        if raw_per_page.isdigit() and 1 <= int(raw_per_page) <= MAX_PER_PAGE:
            per_page = int(raw_per_page)
        else:
            errors.append(
                FilterError("per_page", f"per_page must be a whole number from 1 to {MAX_PER_PAGE}")
            )
    return page, per_page, errors
