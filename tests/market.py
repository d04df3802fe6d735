"""A small market for the buying tests: three specifications (and a retired one), three providers
with published offers, a superseded version and a draft offer."""

from dataclasses import dataclass

import pytest

from marketplace.models import Offer, Organisation, ServiceSpecification

from .builders import (
    create_draft_offer,
    create_prospectus_version_with_offers,
    create_specification,
    organisation,
)

COVENTRY_POPULATION = 464_596


@dataclass
class Market:
    bi: ServiceSpecification
    contracts: ServiceSpecification
    comms: ServiceSpecification
    retired: ServiceSpecification
    arden: Organisation
    gem: Organisation
    meridian: Organisation
    arden_old_bi: Offer  # on Arden's superseded v1
    arden_bi: Offer  # £12 per head
    arden_contracts: Offer  # £250,000 a year
    arden_comms: Offer  # £600 a day, 200 days
    gem_bi: Offer  # £9.50 per head
    gem_contracts: Offer  # £150 a case, 1,000 cases
    meridian_bi: Offer  # £0.75 per head
    arden_draft_bi: Offer


def build_market() -> Market:
    bi = create_specification(
        "BI-01",
        "Business intelligence",
        phase="planning",
        scale="shared",
        description="Data management, integration and analysis for commissioning.",
    )
    contracts = create_specification(
        "CM-01",
        "Contract monitoring",
        phase="monitoring_contracts",
        description="Monitoring provider contracts for activity, finance and quality.",
    )
    comms = create_specification(
        "BS-01",
        "Communications and engagement",
        phase="business_support",
        nature="transformational",
        description="Engaging patients and the public.",
    )
    retired = create_specification("OLD-01", "Retired service", retired=True)
    arden = organisation("Arden CSS")
    gem = organisation("Greater East Midlands CSS")
    meridian = organisation("Meridian Commissioning Partners Ltd")

    v1 = create_prospectus_version_with_offers(
        arden, [(bi, {"price": "11.00", "title": "Arden business intelligence (2012)"})]
    )
    v2 = create_prospectus_version_with_offers(
        arden,
        [
            (
                bi,
                {
                    "price": "12.00",
                    "title": "Arden business intelligence",
                    "service_levels": [
                        {"measure": "Monthly dashboard", "target": "By working day 10"}
                    ],
                },
            ),
            (
                contracts,
                {
                    "pricing_model": "fixed_annual",
                    "price": "250000.00",
                    "title": "Arden contract monitoring",
                    "minimum_term_months": 24,
                },
            ),
            (
                comms,
                {
                    "pricing_model": "day_rate",
                    "price": "600.00",
                    "estimated_quantity": "200",
                    "title": "Arden communications",
                },
            ),
        ],
    )
    gem_v1 = create_prospectus_version_with_offers(
        gem,
        [
            (bi, {"price": "9.50", "title": "GEM business intelligence"}),
            (
                contracts,
                {
                    "pricing_model": "per_case",
                    "price": "150.00",
                    "estimated_quantity": "1000",
                    "title": "GEM contract monitoring",
                },
            ),
        ],
    )
    meridian_v1 = create_prospectus_version_with_offers(
        meridian, [(bi, {"price": "0.75", "title": "Meridian analytics at scale"})]
    )
    draft = create_draft_offer(arden, bi, price="13.00", title="Arden BI (draft)")
    return Market(
        bi=bi,
        contracts=contracts,
        comms=comms,
        retired=retired,
        arden=arden,
        gem=gem,
        meridian=meridian,
        arden_old_bi=v1.offers[0],
        arden_bi=v2.offers[0],
        arden_contracts=v2.offers[1],
        arden_comms=v2.offers[2],
        gem_bi=gem_v1.offers[0],
        gem_contracts=gem_v1.offers[1],
        meridian_bi=meridian_v1.offers[0],
        arden_draft_bi=draft,
    )


@pytest.fixture
def market(app_context) -> Market:
    return build_market()
