"""Whom a demo CCG buys its commissioning support from, from April 2013, and what it pays.

Each CCG buys mostly from its home CSS of 2012 (ccg_clusters_2012.csv) and pays about that
CSS's end-to-end price a head (£8 South London, £9.50 Greater East Midlands, £10 CSS South,
£12 Arden, the others £8-£11.50 in their prospectuses), from 10% under it to 4% over by
CCG and never outside £8-£12: the average CCG spent just over £9 a head on its CSU in
2013/14 (domain.md, "The ready reckoner"). About a third of the CCGs priced here (one in
four of all) buy a line or two elsewhere: business intelligence or risk stratification
from a neighbouring CSS of its region, communications or engagement from the national NHS
Communications and Engagement Service, or a specialism from an independent provider. Those
lines cost their catalogue price and come out of the same total, so the home CSS keeps
most of every CCG's spend; the home CSS's lines share the rest in proportion to their
catalogue prices.

Every choice is drawn from a random generator seeded by the CCG's ODS code, so every run
makes the same data.
"""

import random
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    Offer,
    Organisation,
    OrganisationKind,
    PricingModel,
    ProspectusVersion,
    ServiceSpecification,
    VersionStatus,
)
from marketplace.services.offers_for_buyers import annual_cost

from .market import MERGERS_2012
from .organisations import INDEPENDENT_PROVIDERS, css_display_name

END_TO_END = "E2E-CSS"
LOWEST, HIGHEST = Decimal("8.00"), Decimal("12.00")  # a head a year: the 2012 CSS prices
FALLBACK_PER_HEAD = Decimal("9.50")  # a CSS without an end-to-end offer
PENNY = Decimal("0.01")

NEIGHBOUR, NATIONAL, INDEPENDENT = "neighbour", "national", "independent"
# What a CCG buys from each kind of supplier other than its home CSS.
NEIGHBOUR_SPECS = ("PLN-RSK", "BI-DSS", "BI-DMIC")  # risk stratification, business intelligence
NATIONAL_SERVICE = "NHS Communications and Engagement Service"
NATIONAL_SPECS = ("BUS-COM", "PLN-PPE")
INDEPENDENTS = tuple(name for name, _ in INDEPENDENT_PROVIDERS)
ELSEWHERE_SHARE = 0.35  # CCGs buying at least one line elsewhere
SECOND_LINE_SHARE = 0.25  # of those, the ones buying a second
KIND_WEIGHTS = {NEIGHBOUR: 4, INDEPENDENT: 3, NATIONAL: 2}
MOST_ELSEWHERE = Decimal("0.35")  # of a CCG's spend: the home CSS always keeps the most
# Those that merged in the summer of 2012 sell nothing of their own as neighbours.
MERGED_AWAY = tuple(css_display_name(predecessor) for predecessor, *_ in MERGERS_2012)


def home_price(offers: list[Offer]) -> Decimal:
    """The CSS's end-to-end price a head, from its published offers."""
    for offer in offers:
        if offer.specification.code == END_TO_END and offer.pricing_model == PricingModel.PER_HEAD:
            return offer.price
    return FALLBACK_PER_HEAD


def published_home_price(organisation: Organisation, fallback: Decimal) -> Decimal:
    """The CSS's end-to-end price a head in its published prospectus; fallback without."""
    price = db.session.scalar(
        select(Offer.price)
        .join(ProspectusVersion, Offer.prospectus_version_id == ProspectusVersion.id)
        .join(ServiceSpecification, Offer.specification_id == ServiceSpecification.id)
        .where(Offer.organisation_id == organisation.id,
               ProspectusVersion.status == VersionStatus.PUBLISHED,
               ServiceSpecification.code == END_TO_END,
               Offer.pricing_model == PricingModel.PER_HEAD)
        .limit(1))
    return fallback if price is None else price


def per_head(ccg_code: str, price: Decimal) -> Decimal:
    """What the CCG pays a head a year in all for its commissioning support."""
    rng = random.Random(f"per-head-{ccg_code}")
    figure = (price * Decimal(rng.randint(90, 104)) / 100).quantize(PENNY, ROUND_HALF_UP)
    return min(max(figure, LOWEST), HIGHEST)


def kind_of(supplier: Organisation) -> str:
    if supplier.kind == OrganisationKind.INDEPENDENT_PROVIDER:
        return INDEPENDENT
    return NATIONAL if supplier.name == NATIONAL_SERVICE else NEIGHBOUR


def _candidates(kind: str, ccg: Organisation, home: Organisation,
                providers: dict[int, Organisation], offers: dict[int, list[Offer]]
                ) -> list[Offer]:
    if kind == NEIGHBOUR:
        wanted = [p for p in providers.values() if p.kind == OrganisationKind.CSS
                  and p.region_id is not None and p.region_id == home.region_id
                  and p.id != home.id and p.name not in MERGED_AWAY]
        codes = NEIGHBOUR_SPECS
    elif kind == NATIONAL:
        wanted = [p for p in providers.values() if p.name == NATIONAL_SERVICE]
        codes = NATIONAL_SPECS
    else:
        named = [p for p in providers.values() if p.name in INDEPENDENTS]
        wanted = [p for p in named if p.region_id == ccg.region_id] or named
        codes = None
    return [offer for provider in sorted(wanted, key=lambda p: p.name)
            for offer in offers.get(provider.id, ())
            if offer.specification.code != END_TO_END
            and (codes is None or offer.specification.code in codes)]


def elsewhere(ccg: Organisation, home: Organisation, providers: dict[int, Organisation],
              offers: dict[int, list[Offer]]) -> list[Offer]:
    """The offers (none, one or two, each from a different supplier and for a different
    specification) the CCG buys from someone other than its home CSS."""
    rng = random.Random(f"elsewhere-{ccg.ods_code}")
    if rng.random() >= ELSEWHERE_SHARE:
        return []
    count = 2 if rng.random() < SECOND_LINE_SHARE else 1
    kinds = list(KIND_WEIGHTS)
    first = rng.choices(kinds, weights=list(KIND_WEIGHTS.values()))[0]
    order = [first, *sorted((kind for kind in kinds if kind != first), key=lambda _: rng.random())]
    chosen: list[Offer] = []
    for kind in order:
        taken_specs = {offer.specification_id for offer in chosen}
        taken_providers = {offer.organisation_id for offer in chosen}
        candidates = [offer for offer in _candidates(kind, ccg, home, providers, offers)
                      if offer.specification_id not in taken_specs
                      and offer.organisation_id not in taken_providers]
        if candidates:
            chosen.append(rng.choice(candidates))
        if len(chosen) == count:
            break
    return chosen


def priced_lines(ccg: Organisation, total_per_head: Decimal, home_offers: list[Offer],
                 other_offers: list[Offer]) -> tuple[list[tuple[Offer, Decimal]],
                                                     list[tuple[Offer, Decimal]]]:
    """(home lines, lines elsewhere), each offer with its annual cost to the CCG: the lines
    elsewhere at their catalogue price, the home CSS's lines sharing the rest of the CCG's
    total in proportion to theirs. A line elsewhere that would take the home CSS's spend
    under two thirds of the total is left out."""
    population = ccg.population or 0
    total = (population * total_per_head).quantize(PENNY, ROUND_HALF_UP)
    others = sorted(((offer, annual_cost(offer, population)) for offer in other_offers),
                    key=lambda pair: pair[1])
    while others and sum(cost for _, cost in others) > total * MOST_ELSEWHERE:
        others.pop()  # the dearest goes
    rest = total - sum((cost for _, cost in others), Decimal(0))
    catalogue = [annual_cost(offer, population) for offer in home_offers]
    weights = catalogue if sum(catalogue) > 0 else [Decimal(1)] * len(home_offers)
    whole = sum(weights, Decimal(0))
    home = [(offer, (rest * weight / whole).quantize(PENNY, ROUND_HALF_UP))
            for offer, weight in zip(home_offers, weights, strict=True)]
    if home:
        biggest = max(range(len(home)), key=lambda index: home[index][1])
        offer, cost = home[biggest]
        home[biggest] = (offer, cost + rest - sum((c for _, c in home), Decimal(0)))
    return home, others
