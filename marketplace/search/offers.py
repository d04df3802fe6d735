"""Finding published offers: keywords, facets with counts, a stable order and pages.

Facets are disjunctive: within a facet the chosen values are OR-ed, across facets AND-ed,
and each facet's counts apply every filter except its own (so choosing "Planning" still
shows how many offers the other phases have). Search reads the published-offer listing
(models/listing.py). Facets that describe the same thing are counted together in one
grouped select, then split in Python over a handful of rows:

- specification, phase, nature: grouped by specification (the catalogue is small);
- region, provider kind, assurance status: grouped by (region, kind, status);
- pricing model, price band: grouped by (pricing model, price), a histogram from which the
  bands are counted at the searcher's population (domain/pricing.PriceHistogram).

Computing a search reads the reference tables and assurance labels (three small queries),
then one statement for the three facet groups and the page's ids in order (see _Search),
then that page's offers. Everything but the last is cached per catalogue version (see
cache.py), and shared by every searcher whatever their population unless they choose a
price band; so a search made before costs two queries: the version row and the page's
offers, whatever the number of offers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from functools import cached_property

from sqlalchemy import (
    BigInteger,
    Float,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import contains_eager, defer

from marketplace.domain.pricing import (
    PRICE_BANDS,
    UNITS_PER_POUND,
    PriceHistogram,
    PricingError,
    annual_band_floors,
    cost_per_head,
)
from marketplace.extensions import db
from marketplace.models import (
    Nature,
    Offer,
    OfferListing,
    Organisation,
    OrganisationKind,
    Phase,
    PricingModel,
    ProspectusVersion,
    Region,
    ServiceSpecification,
)
from marketplace.services.assurance import NOT_YET_ASSESSED, assurance_statuses

from .cache import cached, catalogue_version, store
from .text import MAX_QUERY_LENGTH, keyword_filter

# The median GP-registered population of a CCG in 2012 (data/ccgs_2013.csv): the population
# at which offers not priced per head are banded for anyone who is not a CCG user.
REFERENCE_POPULATION = 226_054
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
NATIONAL = "national"  # the region key of providers with no region
PROVIDER_KINDS = (OrganisationKind.CSS, OrganisationKind.INDEPENDENT_PROVIDER)
BAND_LABELS = {band.key: band.label for band in PRICE_BANDS}
listing = OfferListing.__table__


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
    offer: Offer
    rank: float | None
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


def price_band_expression(population: int, pricing_model, price, annual):
    """SQL for the price band key of an offer at this population (see annual_band_floors),
    from its pricing model, price and annual price (listing.annual_price or
    annual_price_of(Offer) from search/listing.py for an offer row)."""
    floors = annual_band_floors(population)
    per_head = pricing_model == PricingModel.PER_HEAD
    whens = []
    for band in PRICE_BANDS[:-1]:
        whens.append((and_(per_head, price < band.upper), band.key))
    for band, following in zip(PRICE_BANDS, PRICE_BANDS[1:], strict=False):
        # Thousandths of a pound are whole numbers here (population × £0.005 × 1000), so the
        # comparison is exact and binds as an integer on both engines.
        floor_in_thousandths = floors[following.key] * 1000
        assert floor_in_thousandths == floor_in_thousandths.to_integral_value()
        threshold = literal(int(floor_in_thousandths), BigInteger)
        whens.append((and_(~per_head, annual * 1000 < threshold), band.key))
    return case(*whens, else_=PRICE_BANDS[-1].key)


def _conditions(filters: OfferFilters, catalogue: _Catalogue, matches) -> list:
    """Conditions on the ``matches`` CTE (listing columns plus band) for these filters."""
    conditions = []
    spec_ids = catalogue.specification_ids(filters)
    if spec_ids is not None:
        conditions.append(matches.c.specification_id.in_(sorted(spec_ids) or [-1]))
    if filters.region:
        region_ids, national = catalogue.region_ids(filters.region)
        region_condition = matches.c.region_id.in_(sorted(region_ids) or [-1])
        if national:
            region_condition = region_condition | matches.c.region_id.is_(None)
        conditions.append(region_condition)
    if filters.provider_kind:
        conditions.append(matches.c.provider_kind.in_(filters.provider_kind))
    if filters.pricing_model:
        conditions.append(matches.c.pricing_model.in_(filters.pricing_model))
    if filters.price_band:
        conditions.append(matches.c.band.in_(filters.price_band))
    if filters.assurance:
        conditions.append(matches.c.assurance_status.in_(filters.assurance))
    return conditions


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


PageRows = tuple[tuple[int, float | None, str], ...]  # (offer id, rank, assurance status)

# The parts of the one statement a search makes (see _Search.compute).
_SPECIFICATIONS, _PROVIDERS, _PRICES, _PAGE = "s", "p", "m", "h"


class _Search:
    """Computing one search from the published-offer listing (models/listing.py).

    One statement does it all: the offers matching the keywords (and only those: every
    facet is counted under the keywords) are gathered once in a CTE, with their relevance
    (and their price band at this population, when a band is chosen); three grouped
    selects over it give the facet counts, each under every filter but its own (the price
    facets as counts per price), and a fourth the page's offer ids in order. The full-text
    index is read, and relevance scored, once per search.
    """

    def __init__(self, filters: OfferFilters, population: int, version) -> None:
        self.filters = filters
        self.population = population
        self.version = version

    def _per_version(self, name: str, read):
        return cached(None if self.version is None else (name, self.version), read)

    @cached_property
    def catalogue(self) -> _Catalogue:
        return self._per_version("search catalogue", _Catalogue)

    @cached_property
    def assurance_labels(self) -> dict[str, str]:
        return self._per_version("assurance labels", assurance_statuses)

    def _matches(self):
        """The matching offers as a CTE, and whether keywords (so a rank) were given."""
        keywords = keyword_filter(self.filters.q)
        rank = keywords.rank if keywords is not None else None
        columns = [listing.c.offer_id, listing.c.specification_id, listing.c.region_id,
                   listing.c.provider_kind, listing.c.assurance_status,
                   listing.c.pricing_model,
                   # In PRICE_UNITs (ten-thousandths of a pound): exact, and quick to read.
                   cast(func.round(func.coalesce(listing.c.annual_price, listing.c.price)
                                   * UNITS_PER_POUND), BigInteger).label("price"),
                   (rank if rank is not None else cast(null(), Float)).label("rank")]
        if self.filters.price_band:  # only then does anything but the price facets need it
            columns.append(price_band_expression(
                self.population, listing.c.pricing_model, listing.c.price,
                listing.c.annual_price).label("band"))
        statement = select(*columns).select_from(listing)
        if keywords is not None:
            statement = keywords.apply(statement)
        return statement.cte("matches"), keywords is not None

    def _page_select(self, matches, ranked: bool, page: int, per_page: int):
        ordering = [matches.c.rank.desc()] if ranked else []
        return (
            select(matches.c.offer_id, matches.c.rank, matches.c.assurance_status)
            .where(*_conditions(self.filters, self.catalogue, matches))
            .order_by(*ordering, matches.c.offer_id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )

    def compute(self, page: int, per_page: int) -> tuple[_Summary, PageRows]:
        """The summary (facets and total) and one page's rows, from one statement."""
        filters, catalogue = self.filters, self.catalogue
        matches, ranked = self._matches()

        def grouped(part: str, columns: list, excluded: tuple[str, ...]):
            keys = [cast(column, String) for column in columns]
            keys += [cast(null(), String)] * (3 - len(keys))
            return (
                select(literal(part, String).label("part"), *keys,
                       func.count().label("n"), cast(null(), Float))
                .where(*_conditions(filters.without(*excluded), catalogue, matches))
                .group_by(*columns)
            )

        # The price histogram can hold thousands of distinct prices: each pricing model's
        # come back as one "price:count,price:count,..." string, not a row each.
        prices = (
            select(matches.c.pricing_model, matches.c.price, func.count().label("n"))
            .where(*_conditions(filters.without("pricing_model", "price_band"), catalogue,
                                matches))
            .group_by(matches.c.pricing_model, matches.c.price)
            .subquery("prices")
        )
        price_counts = cast(prices.c.price, String) + ":" + cast(prices.c.n, String)
        page_rows = self._page_select(matches, ranked, page, per_page).subquery("page")
        statement = union_all(
            grouped(_SPECIFICATIONS, [matches.c.specification_id],
                    ("specification", "phase", "nature")),
            grouped(_PROVIDERS, [matches.c.region_id, matches.c.provider_kind,
                                 matches.c.assurance_status],
                    ("region", "provider_kind", "assurance")),
            select(literal(_PRICES, String), prices.c.pricing_model,
                   func.aggregate_strings(price_counts, ","), cast(null(), String),
                   cast(null(), BigInteger), cast(null(), Float))
            .group_by(prices.c.pricing_model),
            select(literal(_PAGE, String), cast(page_rows.c.offer_id, String),
                   page_rows.c.assurance_status, cast(null(), String),
                   cast(null(), BigInteger), page_rows.c.rank),
        )
        parts: dict[str, list] = {_SPECIFICATIONS: [], _PROVIDERS: [], _PRICES: [], _PAGE: []}
        for part, a, b, c, count, rank in db.session.execute(statement):
            parts[part].append((a, b, c, count, rank))
        # In the page's order (a union's rows need not keep their branch's order).
        rows = tuple(sorted(((int(a), rank, b) for a, b, _c, _n, rank in parts[_PAGE]),
                            key=lambda row: (-(row[1] or 0), row[0])))
        spec_rows = [(int(a), count) for a, _b, _c, count, _r in parts[_SPECIFICATIONS]]
        provider_rows = [(None if a is None else int(a), b, c, count)
                         for a, b, c, count, _r in parts[_PROVIDERS]]
        histogram = PriceHistogram.from_columns({
            model: (numbers[0::2], numbers[1::2])
            for model, aggregated, _c, _n, _r in parts[_PRICES]
            for numbers in [list(map(int, aggregated.replace(":", ",").split(",")))]
        })
        facets = _specification_facets(filters, catalogue, spec_rows)
        facets += _provider_facets(filters, catalogue, self.assurance_labels, provider_rows)
        return _Summary(tuple(facets), histogram, self.assurance_labels), rows

    def page_rows(self, page: int, per_page: int) -> PageRows:
        """One page's rows alone, for when the summary is already cached."""
        matches, ranked = self._matches()
        rows = db.session.execute(self._page_select(matches, ranked, page, per_page)).all()
        return tuple((offer_id, rank, status) for offer_id, rank, status in rows)


def search_offers(
    filters: OfferFilters,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    population: int | None = None,
) -> OfferSearchResult:
    """Published offers matching ``filters``: one page of hits, the total and every facet.

    ``population`` is the signed-in CCG's registered population; without one, offers not
    priced per head are banded at REFERENCE_POPULATION. Order: relevance to the keywords,
    then offer id, a tie-break that favours no provider by name.
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
    computed: list[PageRows] = []

    def compute() -> _Summary:
        summary, rows = search.compute(page, per_page)
        computed.append(rows)
        store(page_key, rows)
        return summary

    summary = cached(summary_key, compute)  # computed once however many ask at once
    rows = computed[0] if computed else cached(
        page_key, lambda: search.page_rows(page, per_page))
    offers = _load_offers([offer_id for offer_id, _, _ in rows])
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


def _load_offers(offer_ids: list[int]) -> dict[int, Offer]:
    """These offers with their provider, its region, specification and version: one query.
    The long texts a result never shows (the offer's search text, the prospectus's own
    sections, the specification's outputs) are left unread."""
    if not offer_ids:
        return {}
    return {
        offer.id: offer
        for offer in db.session.scalars(
            select(Offer)
            .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
            .join(Organisation, Offer.organisation_id == Organisation.id)
            .join(ServiceSpecification, Offer.specification_id == ServiceSpecification.id)
            .outerjoin(Region, Organisation.region_id == Region.id)
            .options(
                defer(Offer.search_text),
                contains_eager(Offer.prospectus_version).load_only(
                    ProspectusVersion.number, ProspectusVersion.status),
                contains_eager(Offer.organisation).contains_eager(Organisation.region),
                contains_eager(Offer.specification).load_only(
                    ServiceSpecification.code, ServiceSpecification.name,
                    ServiceSpecification.phase, ServiceSpecification.nature),
            )
            .where(Offer.id.in_(offer_ids))
        )
    }


def _per_head(offer: Offer, population: int) -> Decimal | None:
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
