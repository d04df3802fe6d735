"""Finding published offers: keywords, facets with counts, a stable order and pages.

Facets are disjunctive: within a facet the chosen values are OR-ed, across facets AND-ed,
and each facet's counts apply every filter except its own (so choosing "Planning" still
shows how many offers the other phases have).

The database does the work (``_listed``): the published offers, each with the value every
facet counts it under (its price band worked out at the searcher's population), kept to
the offers matching the keywords, with their relevance (text.match_keywords). Over those,
one statement counts every facet, a GROUP BY per facet under every filter but its own,
and the total; another gives the page, most relevant first, then by offer id.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal

from sqlalchemy import (
    Float,
    Integer,
    Numeric,
    String,
    bindparam,
    case,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from marketplace.data import median_ccg_population
from marketplace.domain.pricing import (
    FIXED_ANNUAL,
    PER_HEAD,
    PRICE_BANDS,
    UNITS_PER_POUND,
    PricingError,
    annual_cost,
    band_starts,
    cost_per_head,
)
from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db
from marketplace.models import (
    PROVIDER_KINDS,
    Nature,
    Offer,
    Organisation,
    Phase,
    PricingModel,
    ProspectusVersion,
    Region,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.services import catalogue_cache
from marketplace.services.assurance import (
    NOT_ASSESSED,
    NOT_YET_ASSESSED,
    assurance_statuses,
    latest_statuses,
)

from .hits import ListedOffer, full_offers, listed_offers
from .text import MAX_QUERY_LENGTH, keyword_parameter, keywords, match_keywords

# The median GP-registered population of a CCG in 2012 (data/ccgs_2013.csv): the population
# at which offers not priced per head are banded for anyone who is not a CCG user.
REFERENCE_POPULATION = median_ccg_population()
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10_000
NATIONAL = "national"  # the region key of providers with no region
BAND_LABELS = {band.key: band.label for band in PRICE_BANDS}
FACET_LABELS = {
    "specification": "Service specification",
    "phase": "Commissioning cycle phase",
    "nature": "Nature",
    "region": "Provider's region",
    "pricing_model": "Pricing model",
    "price_band": "Price per head a year",
    "provider_kind": "Kind of provider",
    "assurance": "Assurance status",
}
FACET_ORDER = list(FACET_LABELS)

# How results may be ordered, in words for the "Sort by" choice. Price compares offers
# priced differently (per head, a fixed fee, days or cases) by what each costs a CCG of the
# reference population a year; cost by what each costs the viewing CCG, at its population.
RELEVANCE, PRICE, COST = "relevance", "price", "cost"
SORT_LABELS = {
    RELEVANCE: "Most relevant",
    PRICE: "Lowest price (for a CCG of median size)",
    COST: "Lowest cost to your CCG",
}


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
    rank: float | None  # relevance to the keywords (text.match_keywords); None without
    assurance_status: str
    cost_per_head: Decimal | None  # £ per head a year at the search's population
    assurance_label: str = NOT_YET_ASSESSED
    annual_cost: Decimal | None = None  # £ a year to the viewing CCG; None for anyone else


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
    assurance_labels: dict[str, str] = field(default_factory=dict)
    sort: str = RELEVANCE

    @property
    def reference_population(self) -> int:
        return REFERENCE_POPULATION

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _price_band(columns):
    """SQL for the price band of an offer, as its index in PRICE_BANDS, as
    price_band(cost_per_head(...)) bands it at the population the band starts were worked
    out for (_band_parameters, see domain.pricing.band_starts): per head, its price;
    otherwise its £ a year, the fee or price × estimated days or cases.

    Compared in pounds with each band's start less half a PRICE_UNIT: an amount (at most
    four decimal places) is at or above a start in whole units exactly when it is above
    that, also in SQLite's floating point; and nothing is multiplied or rounded per
    comparison. The starts are searched by halves, so an offer takes two or three
    comparisons rather than up to four, and the band is a small integer to group by: this
    runs once for every published offer on each search (_band_key names it afterwards)."""
    def band(amount, limits: list, first: int = 0):
        if not limits:
            return literal(first, Integer)
        middle = len(limits) // 2
        return case((amount >= limits[middle],
                     band(amount, limits[middle + 1:], first + middle + 1)),
                    else_=band(amount, limits[:middle], first))

    model = columns.pricing_model
    annual = [bindparam(name, type_=Numeric()) for name in ANNUAL_BAND_STARTS]
    return case((model == PER_HEAD, band(columns.price, PER_HEAD_BAND_LIMITS)),
                (model == FIXED_ANNUAL, band(columns.price, annual)),
                else_=band(columns.price * columns.estimated_quantity, annual))


def _band_limit(start: int) -> Decimal:
    return (Decimal(start) - Decimal("0.5")) / UNITS_PER_POUND


# Per head, the bands start at the same prices for every population; for the other offers,
# their starts (bound parameters) depend on the searcher's population.
PER_HEAD_BAND_LIMITS = [_band_limit(start) for start in band_starts(REFERENCE_POPULATION)[True]]
ANNUAL_BAND_STARTS = [f"annual_band_start_{number}" for number in range(1, len(PRICE_BANDS))]


def _band_parameters(population: int) -> dict[str, Decimal]:
    return {name: _band_limit(start)
            for name, start in zip(ANNUAL_BAND_STARTS, band_starts(population)[False],
                                   strict=True)}


def _band_key(index):
    """SQL for the key of the price band at this index in PRICE_BANDS (_price_band)."""
    return case({number: band.key for number, band in enumerate(PRICE_BANDS)}, value=index)


def _annual_cost(columns, population):
    """SQL for an offer's £ a year at this population, as domain.pricing.annual_cost works
    it out (unrounded: it only orders offers); NULL when a day rate or per-case offer has no
    estimated quantity, and such offers come last."""
    model = columns.pricing_model
    return case((model == PER_HEAD, columns.price * population),
                (model == FIXED_ANNUAL, columns.price),
                else_=columns.price * columns.estimated_quantity)


def _provider_keys():
    """Per organisation, the keys the provider facets count its offers under.

    Only providers still trading: a CSS merged into another (its agreements moved to the
    successor, services/market_change.merge) is left out here, so its published offers are
    in neither the results nor any facet's counts, which both join this."""
    latest = latest_statuses()
    return (
        select(
            Organisation.id.label("provider_id"),
            func.coalesce(Region.code, NATIONAL).label("region"),
            Organisation.kind.label("provider_kind"),
            func.coalesce(latest.c.status, NOT_ASSESSED).label("assurance"),
        )
        .outerjoin(Region, Organisation.region_id == Region.id)
        .outerjoin(latest, latest.c.provider_id == Organisation.id)
        .where(Organisation.merged_into_id.is_(None))
        .subquery("provider_keys")
    )


def _providers():
    """_provider_keys, and each provider's class: one number per combination of those keys
    (a few dozen where there are thousands of providers). A CTE of a few thousand rows,
    joined to each offer once, for the counts."""
    keys = _provider_keys()
    return select(
        *keys.c,
        func.dense_rank().over(order_by=[keys.c.region, keys.c.provider_kind,
                                         keys.c.assurance]).label("provider_class"),
    ).cte("providers")


def _published(with_keywords: bool, providers, columns: list, *, specification: bool = True):
    """``columns`` of the published offers, if asked matching the bound keywords, joined to
    ``providers`` (_providers) and, if asked, their specification; and their relevance
    ("rank"), None without keywords."""
    # The provider is joined to the version (a provider's prospectus holds only its own
    # offers): once per version, not once per offer.
    statement = (
        select(*columns)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(providers, providers.c.provider_id == ProspectusVersion.organisation_id)
        # Stated as well as implied by the join: it lets PostgreSQL use the partial GIN index.
        .where(Offer.prospectus_version_id.is_not(None),
               ProspectusVersion.status == VersionStatus.PUBLISHED)
    )
    if specification:
        statement = statement.join(ServiceSpecification,
                                   Offer.specification_id == ServiceSpecification.id)
    if not with_keywords:
        return statement.add_columns(cast(null(), Float).label("rank"))
    statement, rank = match_keywords(statement)
    return statement.add_columns(rank.label("rank"))


def _listed(with_keywords: bool, providers):
    """The published offers (matching the keywords, if asked): their id, relevance, the
    key each facet (but the price band) filters them on and their price; with keywords,
    also what the counts group them by (_counted), as the counts read these."""
    return _published(with_keywords, providers, [
        Offer.id.label("offer_id"),
        ServiceSpecification.code.label("specification"),
        ServiceSpecification.phase.label("phase"),
        ServiceSpecification.nature.label("nature"),
        providers.c.region,
        Offer.pricing_model.label("pricing_model"),
        Offer.price.label("price"),
        Offer.estimated_quantity.label("estimated_quantity"),
        providers.c.provider_kind,
        providers.c.assurance,
        Offer.specification_id.label("specification_id"),
        *([providers.c.provider_class] if with_keywords else []),
    ])


def _counted(with_keywords: bool, providers):
    """What the counts read of each matching offer: numbers only (its specification's id,
    its provider's class, its price), so that grouping them is cheap; the keys are joined
    to the groups afterwards. Without the offer's id or text PostgreSQL reads the offers
    from an index that holds every column needed (ix_offer_search_facets)."""
    return _published(with_keywords, providers, [
        Offer.specification_id.label("specification_id"),
        providers.c.provider_class,
        Offer.pricing_model.label("pricing_model"),
        Offer.price.label("price"),
        Offer.estimated_quantity.label("estimated_quantity"),
    ], specification=False)


def _combos(counted, providers):
    """The matching offers counted per combination of facet keys ("offers"): grouped first by
    numbers (specification id, provider class, pricing model and price band), a few
    hundred groups, then given their keys."""
    band = _price_band(counted.c)
    grouped = (
        select(counted.c.specification_id, counted.c.provider_class,
               counted.c.pricing_model, band.label("price_band"),
               func.count().label("offers"))
        .group_by(counted.c.specification_id, counted.c.provider_class,
                  counted.c.pricing_model, band)
        .subquery("grouped")
    )
    classes = (select(providers.c.provider_class, providers.c.region,
                      providers.c.provider_kind, providers.c.assurance)
               .distinct().subquery("classes"))
    keys = {
        "specification": ServiceSpecification.code,
        "phase": ServiceSpecification.phase,
        "nature": ServiceSpecification.nature,
        "region": classes.c.region,
        "pricing_model": grouped.c.pricing_model,
        "price_band": _band_key(grouped.c.price_band),
        "provider_kind": classes.c.provider_kind,
        "assurance": classes.c.assurance,
    }
    return (
        select(*[keys[name].label(name) for name in FACET_ORDER], grouped.c.offers)
        .join(ServiceSpecification, ServiceSpecification.id == grouped.c.specification_id)
        .join(classes, classes.c.provider_class == grouped.c.provider_class)
        .cte("combos")
    )


def _facet_keys(columns, chosen: tuple[str, ...]) -> dict:
    """The key of each chosen facet (the price band only if chosen: it is worked out)."""
    keys = {name: columns[name] for name in chosen if name != "price_band"}
    if "price_band" in chosen:
        keys["price_band"] = _band_key(_price_band(columns))
    return keys


def _tests(chosen: tuple[str, ...], keys: dict) -> dict:
    """Per chosen facet, its filter: the offer's key is one of those chosen (bound as
    "chosen_<facet>")."""
    return {name: keys[name].in_(bindparam(f"chosen_{name}", expanding=True))
            for name in chosen}


def _search(filters: OfferFilters, population: int, page: int, per_page: int,
            sort: str = RELEVANCE):
    """Every facet's counts (facet -> key -> offers), each under every filter but its own,
    the total under all of them, and one page of (offer id, relevance, assurance status),
    most relevant first, then in the order the offers were published; and the names of
    every specification and region (see _labels): one statement (_statement), which every
    value of the search is bound to."""
    words = keywords(filters.q)
    chosen = tuple(name for name in FACET_ORDER if getattr(filters, name))
    parameters = {
        **{f"chosen_{name}": list(getattr(filters, name)) for name in chosen},
        **_band_parameters(population),
        "sort_population": population if sort == COST else REFERENCE_POPULATION,
        "per_page": per_page,
        "offset": (page - 1) * per_page,
    }
    if words:
        parameters["keywords"] = keyword_parameter(words)
    statement = _statement(chosen, bool(words), sort, db.engine.dialect.name)

    counts: dict[str, dict[str, int]] = {name: {} for name in FACET_ORDER}
    names: dict[str, list[tuple[str, str]]] = {"specification": [], "region": []}
    total, rows = 0, []
    for facet, key, offers, offer_id, rank, label in db.session.execute(statement, parameters):
        if facet == "page":
            rows.append((offer_id, rank, key))
        elif facet == "total":
            total = int(offers or 0)
        elif label is not None:
            names[facet].append((key, label))
        else:
            counts[facet][key] = int(offers)
    # UNION ALL keeps no order: the page's rows are put back in the order they were chosen.
    if sort == RELEVANCE:
        rows.sort(key=lambda row: (-(row[1] or 0), row[0]))
    else:
        rows.sort(key=lambda row: (row[1] is None, row[1] or 0, row[0]))
        rows = [(offer_id, None, status) for offer_id, _cost, status in rows]
    return counts, total, rows, names


# Building the statement (a few hundred SQL expressions) took longer than any other Python of
# a search, and it depends only on the facets chosen, whether there are keywords, the order
# and the engine: so each such statement is built once per process. Only SQL is kept: every
# value is bound when it runs, and the database counts afresh on every search.
@functools.lru_cache(maxsize=256)
def _statement(chosen: tuple[str, ...], with_keywords: bool, sort: str, dialect: str):
    """The search statement for these choices (see _search); ``dialect`` because keywords
    are matched in SQL of the engine's own (text.match_keywords).

    For the counts the matching offers are grouped once per combination of facet keys
    (hundreds of groups where there are tens of thousands of offers), and each facet sums
    those groups under the other facets' filters. The page is chosen from the offers
    separately when there are no keywords: a second reading, which stops at the page,
    while the counts read only an index. With keywords, the offers matching them are
    found once (in the full-text index) and used for both."""
    providers = _providers()
    if with_keywords:
        listed = counted = _listed(True, providers).cte("listed")
    else:
        counted = _counted(False, providers).subquery("counted")
        # The page reads offers in order until it has enough, each joined to its provider:
        # to the providers CTE, which has no index, that was a scan of it per offer (a
        # thousand scans for page 50); to the tables, an index look-up.
        listed = _listed(False, _provider_keys()).subquery("listed")
    combos = _combos(counted, providers)
    tests = _tests(chosen, combos.c)
    # Typed, as PostgreSQL takes a UNION's column types from its first branch.
    no_offer, no_rank = cast(null(), Integer), cast(null(), Float)
    no_label = cast(null(), String)
    branches = [
        select(literal_column(f"'{name}'").label("facet"), combos.c[name].label("key"),
               func.sum(combos.c.offers).label("offers"),
               no_offer.label("offer_id"), no_rank.label("rank"), no_label.label("label"))
        .where(*[test for other, test in tests.items() if other != name])
        .group_by(combos.c[name])
        for name in FACET_ORDER
    ]
    branches.append(select(literal_column("'total'"), null(), func.sum(combos.c.offers),
                           no_offer, no_rank, no_label).where(*tests.values()))
    branches.append(select(literal_column("'specification'"), ServiceSpecification.code, null(),
                           no_offer, no_rank, ServiceSpecification.name))
    branches.append(select(literal_column("'region'"), Region.code, null(),
                           no_offer, no_rank, Region.name))
    if sort == RELEVANCE:
        by = listed.c.rank
        order = [listed.c.rank.desc(), listed.c.offer_id] if with_keywords \
            else [listed.c.offer_id]
    else:  # by what the offer costs a year at the reference or the CCG's population
        by = cast(_annual_cost(listed.c, bindparam("sort_population", type_=Integer)), Float)
        order = [by.is_(None), by, listed.c.offer_id]
    on_page = (select(listed.c.offer_id, by.label("rank"), listed.c.assurance)
               .where(*_tests(chosen, _facet_keys(listed.c, chosen)).values())
               .order_by(*order)
               .limit(bindparam("per_page", type_=Integer))
               .offset(bindparam("offset", type_=Integer))
               .subquery("on_page"))
    branches.append(select(literal_column("'page'"), on_page.c.assurance, null(),
                           on_page.c.offer_id, on_page.c.rank, no_label))
    return union_all(*branches)


def _labels(assurance_labels: dict[str, str],
            names: dict[str, list[tuple[str, str]]]) -> dict[str, dict[str, str]]:
    """Per facet, every key it may show with its label, in the order options are shown:
    specifications by code, regions by name (``names``: the (code, name) of each, _search)."""
    return {
        "specification": dict(sorted(names["specification"])),
        "phase": {p.value: p.label for p in Phase},
        "nature": {n.value: n.label for n in Nature},
        "region": {**dict(sorted(names["region"], key=lambda code_name: code_name[1])),
                   NATIONAL: "National (no single region)"},
        "pricing_model": {m.value: m.label for m in PricingModel},
        "price_band": BAND_LABELS,
        "provider_kind": {k.value: k.label for k in PROVIDER_KINDS},
        "assurance": assurance_labels,
    }


def search_offers(
    filters: OfferFilters,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    population: int | None = None,
    full: bool = False,
    sort: str = RELEVANCE,
) -> OfferSearchResult:
    """Published offers matching ``filters``: one page of hits, the total and every facet.

    ``population`` is the signed-in CCG's registered population; without one, offers not
    priced per head are banded at REFERENCE_POPULATION. Order: relevance to the keywords,
    then offer id, a tie-break that favours no provider by name; or ``sort`` PRICE or COST
    (only with a CCG's ``population``), cheapest first. The hits' offers are
    result cards (hits.ListedOffer), or with ``full`` model objects (for the JSON API).
    """
    is_reference = population is None
    population = population or REFERENCE_POPULATION
    page = max(1, min(page, MAX_PAGE))
    if sort == COST and is_reference:
        raise ValueError("the cost to a CCG needs the CCG's population")
    question = {"asked": "offer search", "filters": filters.query_args(),
                "population": population, "page": page, "per_page": per_page, "sort": sort}
    counts, total, rows, names = catalogue_cache.remembered(
        question, lambda: _search(filters, population, page, per_page, sort))
    assurance_labels = assurance_statuses()
    labels = _labels(assurance_labels, names)
    facets = [
        Facet(name, FACET_LABELS[name], tuple(
            FacetOption(key, label, counts[name].get(key, 0), key in getattr(filters, name))
            for key, label in labels[name].items()
            if counts[name].get(key) or key in getattr(filters, name)
        ))
        for name in FACET_ORDER
    ]
    offer_ids = [offer_id for offer_id, _, _ in rows]
    offers = full_offers(offer_ids) if full else listed_offers(offer_ids)
    hits = [
        OfferHit(offers[offer_id], rank, status, _per_head(offers[offer_id], population),
                 assurance_labels.get(status, NOT_YET_ASSESSED),
                 None if is_reference else _annual(offers[offer_id], population))
        for offer_id, rank, status in rows
    ]
    return OfferSearchResult(
        filters=filters,
        hits=hits,
        total=total,
        page=page,
        per_page=per_page,
        facets=facets,
        population=population,
        population_is_reference=is_reference,
        assurance_labels=assurance_labels,
        sort=sort,
    )


def _annual(offer: ListedOffer | Offer, population: int) -> Decimal | None:
    try:
        return annual_cost(
            offer.pricing_model, offer.price, population, offer.estimated_quantity
        )
    except PricingError:
        return None


def _per_head(offer: ListedOffer | Offer, population: int) -> Decimal | None:
    try:
        return cost_per_head(
            offer.pricing_model, offer.price, population, offer.estimated_quantity
        )
    except PricingError:
        return None


class FilterError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _allowed_values(name: str) -> frozenset[str]:
    """The keys a filter may choose; the database is asked only for a filter in use."""
    if name == "specification":
        return frozenset(db.session.scalars(select(ServiceSpecification.code)))
    if name == "region":
        return frozenset(db.session.scalars(select(Region.code))) | {NATIONAL}
    if name == "assurance":
        return frozenset(assurance_statuses())
    return frozenset({
        "phase": [p.value for p in Phase],
        "nature": [n.value for n in Nature],
        "pricing_model": [m.value for m in PricingModel],
        "price_band": BAND_LABELS,
        "provider_kind": [k.value for k in PROVIDER_KINDS],
    }[name])


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
    for name in FACET_ORDER:
        chosen = []
        given = [value.strip() for value in args.getlist(name) if value.strip()]
        allowed = _allowed_values(name) if given else frozenset()
        for value in given:
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
        read = whole_number(raw_page, minimum=1, maximum=MAX_PAGE)
        if read is not None:
            page = read
        else:
            errors.append(FilterError("page", f"page must be a whole number from 1 to {MAX_PAGE}"))
    raw_per_page = args.get("per_page")
    if per_page_allowed and raw_per_page not in (None, ""):
        read = whole_number(raw_per_page, minimum=1, maximum=MAX_PER_PAGE)
        if read is not None:
            per_page = read
        else:
            errors.append(
                FilterError("per_page", f"per_page must be a whole number from 1 to {MAX_PER_PAGE}")
            )
    return page, per_page, errors


def parse_sort(args, *, for_ccg: bool) -> tuple[str, FilterError | None]:
    """The order asked for (relevance when none is): a value not in SORT_LABELS, or the cost
    to a CCG asked for by somebody not signed in for one, is an error naming the field."""
    raw = (args.get("sort") or "").strip()
    if not raw:
        return RELEVANCE, None
    if raw not in SORT_LABELS:
        choices = ", ".join(SORT_LABELS)
        return RELEVANCE, FilterError("sort", f"Sort by one of: {choices}")
    if raw == COST and not for_ccg:
        return RELEVANCE, FilterError(
            "sort", "Sorting by the cost to your CCG needs you to be signed in for a CCG")
    return raw, None
