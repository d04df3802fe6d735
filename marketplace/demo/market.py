"""Demo market change: by August 2012 the weakest CSSs merge, as they did (26 at Checkpoint 2,
23 after), each through the merge service (services/market_change.merge) on the one clock put
back to its date, so its customers, agreements and open conditions move to the successor in
one audited step and the predecessor stays on record, marked as merged.

The three scenario C CSSs of Checkpoint 2 go: West Mercia is taken over by its neighbour
Arden; Peninsula merges with Best West in the South West; the national NHS Communications and
Engagement Service is taken over by North and East London. (Demo data with a believable
geography, not a historical record of who joined whom.)
"""

from datetime import date, time

from sqlalchemy import select

from marketplace import clock
from marketplace.extensions import db
from marketplace.models import MergerKind, Organisation, OrganisationKind, User
from marketplace.services import market_change

from .organisations import css_display_name

MERGERS_2012 = (
    ("West Mercia", "Arden", MergerKind.TAKEOVER, date(2012, 7, 2)),
    ("Peninsula", "Best West", MergerKind.MERGER, date(2012, 8, 1)),
    (
        "NHS Communications and Engagement Service",
        "North and East London",
        MergerKind.TAKEOVER,
        date(2012, 8, 1),
    ),
)
RECORDED_BY = "bdu2@demo.test"


def _css(csv_name: str) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(
            Organisation.kind == OrganisationKind.CSS,
            Organisation.name == css_display_name(csv_name),
        )
    )


def successor_of(organisation: Organisation) -> Organisation:
    """The CSS trading now in the place of one that merged (itself if it did not)."""
    while organisation.merged_into is not None:
        organisation = organisation.merged_into
    return organisation


def seed_market_change(scale: int = 1) -> None:
    actor = db.session.scalar(select(User).where(User.email == RECORDED_BY))
    if actor is None:
        return
    for predecessor_name, successor_name, kind, effective_on in MERGERS_2012:
        predecessor, successor = _css(predecessor_name), _css(successor_name)
        if predecessor is None or successor is None or predecessor.merged_into_id is not None:
            continue
        held = clock.pinned()
        clock.pin(clock.uk_moment(effective_on, time(10, 0)))
        try:
            market_change.merge(
                actor, predecessor, successor, kind=kind.value, effective_on=effective_on
            )
        finally:
            clock.pin(held)
