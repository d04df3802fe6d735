from dataclasses import dataclass

import pytest

from marketplace.models import Organisation, Role, User
from marketplace.services import statements

from ..conftest import user
from ..factories import Market, build_market, ccg
from ..procurements.conftest import make_user


@dataclass
class Arden:
    """The Arden cluster's CCGs (2012 lists: 464,596; 183,852; 271,809) and their users."""

    market: Market
    coventry: Organisation
    north: Organisation  # NHS Warwickshire North CCG
    south: Organisation  # NHS South Warwickshire CCG
    lead: User  # ccg@demo.test, Coventry and Rugby
    north_user: User
    south_user: User
    darlington_user: User  # ccg2@demo.test, another cluster and region


@pytest.fixture
def arden(app_context) -> Arden:
    market = build_market()
    north, south = ccg("05H"), ccg("05R")
    return Arden(market, ccg("05A"), north, south, user("ccg@demo.test"),
                 make_user("nina.north@example.nhs.uk", "Nina Brook", north),
                 make_user("sam.south@example.nhs.uk", "Sam Field", south),
                 user("ccg2@demo.test"))


def started(arden: Arden, title="Arden support from April 2013"):
    return statements.create_statement(arden.lead, statements.DetailsInput(
        title, summary="Business intelligence for the cluster", term_months="18"))


def line(spec, **fields) -> statements.LineInput:
    return statements.LineInput(spec.id, **fields)


__all__ = ["Arden", "Role", "line", "started"]
