"""Finding published offers: keywords, facets with counts, a stable order and pages.

Facets are disjunctive: within a facet the chosen values are OR-ed, across facets AND-ed,
and each facet's counts apply every filter except its own (so choosing "Planning" still
shows how many offers the other phases have). Facets that describe the same thing are
counted together in one grouped query, then split in Python over a handful of rows:

- specification, phase, nature: grouped by specification (the catalogue is small);
- region, provider kind, assurance status: grouped by provider;
- pricing model, price band: grouped by (pricing model, band).

Computing a search reads the reference tables and assurance statuses (four small queries),
the three facet groups (which also give the total), the page's ids in order and that page's
offers. Everything but the last is cached per catalogue version (see cache.py), so a search
made before costs two queries: the version row and the page's offers, whatever the number
of offers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from functools import cached_property

from sqlalchemy import BigInteger, and_, case, func, literal, select
from sqlalchemy.orm import contains_eager

from marketplace.domain.pricing import (
    PRICE_BANDS,
    PricingError,
    annual_band_floors,
    cost_per_head,
)
from marketplace.extensions import db
from marketplace.models import (
    Nature,
    Offer,
    Organisation,
    OrganisationKind,
    Phase,
    PricingModel,
    ProspectusVersion,
    Region,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.services.assurance import (
    NOT_ASSESSED,
    NOT_YET_ASSESSED,
    assessed_provider_statuses,
    assurance_statuses,
)

from .cache import cached, catalogue_version
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
    """The small reference tables a search needs, read once per search."""

    def __init__(self) -> None:
        self.specifications = {
            spec.id: spec
            for spec in db.session.scalars(
                select(ServiceSpecification).order_by(ServiceSpecification.code)
            )
        }
        self.regions = {
            region.id: region for region in db.session.scalars(select(Region).order_by(Region.name))
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


def price_band_expression(population: int):
    """SQL for the price band key of an offer at this population (see annual_band_floors)."""
    floors = annual_band_floors(population)
    per_head = Offer.pricing_model == PricingModel.PER_HEAD
    annual = case(
        (Offer.pricing_model == PricingModel.FIXED_ANNUAL, Offer.price),
        else_=Offer.price * Offer.estimated_quantity,
    )
    whens = []
    for band in PRICE_BANDS[:-1]:
        whens.append((and_(per_head, Offer.price < band.upper), band.key))
    for band, following in zip(PRICE_BANDS, PRICE_BANDS[1:], strict=False):
        # Thousandths of a pound are whole numbers here (population × £0.005 × 1000), so the
        # comparison is exact and binds as an integer on both engines.
        floor_in_thousandths = floors[following.key] * 1000
        assert floor_in_thousandths == floor_in_thousandths.to_integral_value()
        threshold = literal(int(floor_in_thousandths), BigInteger)
        whens.append((and_(~per_head, annual * 1000 < threshold), band.key))
    return case(*whens, else_=PRICE_BANDS[-1].key)


def _conditions(filters: OfferFilters, catalogue: _Catalogue, band, assurance_condition):
    conditions = [ProspectusVersion.status == VersionStatus.PUBLISHED]
    spec_ids = catalogue.specification_ids(filters)
    if spec_ids is not None:
        conditions.append(Offer.specification_id.in_(sorted(spec_ids) or [-1]))
    if filters.region:
        region_ids, national = catalogue.region_ids(filters.region)
        region_condition = Organisation.region_id.in_(sorted(region_ids) or [-1])
        if national:
            region_condition = region_condition | Organisation.region_id.is_(None)
        conditions.append(region_condition)
    if filters.provider_kind:
        conditions.append(Organisation.kind.in_(filters.provider_kind))
    if filters.pricing_model:
        conditions.append(Offer.pricing_model.in_(filters.pricing_model))
    if filters.price_band:
        conditions.append(band.in_(filters.price_band))
    if filters.assurance and assurance_condition is not None:
        conditions.append(assurance_condition)
    return conditions


def _from(statement, keywords):
    statement = statement.select_from(Offer).join(
        ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id
    )
    statement = statement.join(Organisation, Offer.organisation_id == Organisation.id)
    return keywords.apply(statement) if keywords is not None else statement


def _assurance_condition(filters: OfferFilters, statuses: dict[int, str]):
    """The condition for the chosen assurance statuses, or None when it excludes nobody.
    ``statuses`` holds the assessed providers only; every other one is NOT_ASSESSED."""
    if not filters.assurance:
        return None
    chosen = set(filters.assurance)
    if NOT_ASSESSED in chosen:
        excluded = sorted(pid for pid, status in statuses.items() if status not in chosen)
        return Offer.organisation_id.not_in(excluded) if excluded else None
    included = sorted(pid for pid, status in statuses.items() if status in chosen)
    return Offer.organisation_id.in_(included or [-1])


def _options(labels: dict[str, str], counts: Counter, chosen: tuple[str, ...]):
    return tuple(
        FacetOption(key, label, counts.get(key, 0), key in chosen)
        for key, label in labels.items()
        if counts.get(key, 0) or key in chosen
    )


@dataclass(frozen=True)
class _Summary:
    """What a search shows besides its page of offers; cached per catalogue version."""

    facets: tuple[Facet, ...]
    total: int
    assurance_labels: dict[str, str]


class _Search:
    """Computing one search from the database; every part is read at most once, and only
    when the cache does not already hold what needs it."""

    def __init__(self, filters: OfferFilters, population: int) -> None:
        self.filters = filters
        self.population = population

    @cached_property
    def catalogue(self) -> _Catalogue:
        return _Catalogue()

    @cached_property
    def band(self):
        return price_band_expression(self.population)

    @cached_property
    def statuses(self) -> dict[int, str]:
        return assessed_provider_statuses()

    @cached_property
    def assurance_labels(self) -> dict[str, str]:
        return assurance_statuses()

    @cached_property
    def assurance_condition(self):
        return _assurance_condition(self.filters, self.statuses)

    def summary(self) -> _Summary:
        filters, catalogue, band = self.filters, self.catalogue, self.band
        # Counting needs no relevance score.
        counting = keyword_filter(filters.q, ranked=False)

        def grouped(columns, excluded: tuple[str, ...]):
            statement = _from(select(*columns, func.count(Offer.id)), counting)
            conditions = _conditions(filters.without(*excluded), catalogue, band,
                                     self.assurance_condition)
            return db.session.execute(statement.where(*conditions).group_by(*columns)).all()

        facets = _specification_facets(
            filters, catalogue,
            grouped([Offer.specification_id], ("specification", "phase", "nature")),
        )
        # One row per provider under every filter but its own three: region, kind and
        # assurance counts all come from these rows, whatever the number of statuses.
        provider_statement = _from(
            select(Offer.organisation_id, Organisation.region_id, Organisation.kind,
                   func.count(Offer.id)),
            counting,
        ).where(*_conditions(filters.without("region", "provider_kind", "assurance"),
                             catalogue, band, None))
        provider_rows = db.session.execute(
            provider_statement.group_by(Offer.organisation_id, Organisation.region_id,
                                        Organisation.kind)
        ).all()
        facets += _provider_facets(filters, catalogue, self.statuses, self.assurance_labels,
                                   provider_rows)
        price_rows = grouped([Offer.pricing_model, band], ("pricing_model", "price_band"))
        facets += _price_facets(filters, price_rows)
        facets.sort(key=lambda facet: FACET_ORDER.index(facet.name))
        # The price facets' rows hold every offer passing the other filters; those also
        # passing the price filters are the results, so counting needs no query of its own.
        total = sum(
            count for model, band_key, count in price_rows
            if (not filters.pricing_model or model in filters.pricing_model)
            and (not filters.price_band or band_key in filters.price_band)
        )
        return _Summary(tuple(facets), total, self.assurance_labels)

    def page_rows(self, page: int, per_page: int) -> tuple[tuple[int, float | None, str], ...]:
        """(offer id, rank, assurance status) for one page, in order. Found over ids and
        ranks alone, so the sort never carries whole offer rows."""
        keywords = keyword_filter(self.filters.q)
        rank = keywords.rank if keywords is not None else literal(None)
        ordering = [rank.desc()] if keywords is not None else []
        rows = db.session.execute(
            _from(select(Offer.id, rank.label("rank"), Offer.organisation_id), keywords)
            .where(*_conditions(self.filters, self.catalogue, self.band,
                                self.assurance_condition))
            .order_by(*ordering, Offer.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        ).all()
        return tuple(
            (offer_id, row_rank, self.statuses.get(provider_id, NOT_ASSESSED))
            for offer_id, row_rank, provider_id in rows
        )


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
    search = _Search(filters, population)

    def key(*parts):
        return None if version is None else ("offers", version, filters, population, *parts)

    summary = cached(key("summary"), search.summary)
    rows = cached(key("page", page, per_page), lambda: search.page_rows(page, per_page))
    offers = _load_offers([offer_id for offer_id, _, _ in rows])
    hits = [
        OfferHit(offers[offer_id], row_rank, status, _per_head(offers[offer_id], population),
                 summary.assurance_labels.get(status, NOT_YET_ASSESSED))
        for offer_id, row_rank, status in rows
    ]
    return OfferSearchResult(
        filters=filters,
        hits=hits,
        total=summary.total,
        page=page,
        per_page=per_page,
        facets=list(summary.facets),
        population=population,
        population_is_reference=is_reference,
        assurance_labels=summary.assurance_labels,
    )


FACET_ORDER = ["specification", "phase", "nature", "region", "pricing_model", "price_band",
               "provider_kind", "assurance"]


def _load_offers(offer_ids: list[int]) -> dict[int, Offer]:
    """These offers with their provider, its region, specification and version: one query."""
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
                contains_eager(Offer.prospectus_version),
                contains_eager(Offer.organisation).contains_eager(Organisation.region),
                contains_eager(Offer.specification),
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


def _provider_facets(filters, catalogue: _Catalogue, status_of: dict[int, str],
                     assurance_labels: dict[str, str], rows) -> list[Facet]:
    """Region, kind and assurance counts from (provider, region, kind, count) rows; each
    facet counts under the other two's choices but not its own. ``status_of`` holds the
    assessed providers; the rest are NOT_ASSESSED."""
    chosen_regions = set(filters.region)

    def region_ok(region_id):
        return not chosen_regions or catalogue.region_key(region_id) in chosen_regions

    def kind_ok(kind):
        return not filters.provider_kind or kind in filters.provider_kind

    def status_ok(status):
        return not filters.assurance or status in filters.assurance

    region_counts, kind_counts, assurance_counts = Counter(), Counter(), Counter()
    for provider_id, region_id, kind, count in rows:
        status = status_of.get(provider_id, NOT_ASSESSED)
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


def _price_facets(filters, rows) -> list[Facet]:
    model_counts, band_counts = Counter(), Counter()
    for model, band, count in rows:
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
