"""Demo data: the real CCGs of 2013, the NHS CB regions, the BDU, SHA clusters and CSSs.

Every seeder is idempotent (it looks things up by their natural keys before adding), so
running ``flask seed-demo`` twice changes nothing. Features register their own seeders in
SEEDERS; they run in order after the organisations and users.
"""

from collections.abc import Callable

from .assurance import seed_assurance, seed_checkpoints, seed_review_documents
from .buying import seed_agreements, seed_statements
from .contract_life import seed_contract_life
from .market import seed_market_change
from .organisations import seed_organisations
from .performance import seed_performance
from .procurements import DEMO_NOW, seed_procurements
from .prospectuses import seed_prospectuses
from .scenarios import seed_scenarios
from .specifications import seed_specifications
from .surveys import seed_survey
from .users import DEMO_LOGINS, seed_users

Seeder = Callable[[int], None]

# Offers need the catalogue; buying data (statements, agreements) needs published offers;
# assurance plans take their income from the agreements. Order matters.
SEEDERS: list[Seeder] = [
    seed_organisations,
    seed_users,
    seed_specifications,
    seed_prospectuses,
    seed_scenarios,
    seed_statements,
    seed_agreements,
    seed_checkpoints,
    seed_assurance,
    # Each 2012 review's PDF, issued as of its sign-off before later history changes the data.
    seed_review_documents,
    # By August 2012 the weakest CSSs merge (26 at Checkpoint 2, 23 after), through the
    # merge service: before the competitions, so no merged CSS bids in them.
    seed_market_change,
    # Competitions at every stage, through the services; last, so that a response shows
    # its provider's assurance status as it stands.
    seed_procurements,
    # A shadow-year agreement with KPIs and months of returns, so the performance pages
    # have something to show at the demo's "now".
    seed_performance,
    # The completed September 2012 customer survey, scored in line with each CSS's
    # assurance ratings, for the reviewers' pages and the CSSs' customers pages.
    seed_survey,
    # Shadow-year agreements across the market with seven months of returns, reviews,
    # variations and a notice, each CSS's record in line with its Checkpoint 2 outcome.
    seed_contract_life,
]


def seed_demo(scale: int = 1) -> None:
    """Every seeder in order. Steps of the history pin the clock to their own days; the rest
    (the organisations, users, catalogue, scenarios ...) are stamped as at the demo's "now"
    when no MARKETPLACE_TODAY is set, so nothing seeded is dated after DEMO_NOW."""
    from marketplace import clock
    from marketplace.services.catalogue_cache import catalogue_changed
    from marketplace.services.market_cache import market_changed
    from marketplace.services.notifications import without_emails
    from marketplace.services.transaction import transaction

    held = clock.pinned()
    if clock.parse(held) is None:
        clock.pin(DEMO_NOW)
    try:
        # The seeded history fills the demo users' notification lists, but emails nobody.
        with without_emails():
            for seeder in SEEDERS:  # one transaction each, so a large seed is not one huge one
                with transaction():
                    seeder(scale)
            # The seeders write offers, versions and reviews directly, not through the
            # services that say so: searches and market pages kept from before the seed are
            # not shown after it.
            with transaction():
                catalogue_changed()
                market_changed()
    finally:
        clock.pin(held)


__all__ = ["DEMO_LOGINS", "DEMO_NOW", "SEEDERS", "seed_demo"]
