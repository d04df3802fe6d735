"""How many providers may respond to a competition open to all: every provider offering a
service it buys, counted over the published catalogue, kept with the catalogue cache until
a publication (or any change to the catalogue) moves it."""

from marketplace.extensions import db
from marketplace.services import bids

from .. import factories as build
from ..queries import counting_statements


def test_the_count_follows_the_catalogue_and_is_kept_between_changes(buying, catalogue_cache_on):
    procurement = build.published_competition(buying)
    db.session.commit()
    # Arden, GEM and Meridian offer business intelligence or contract monitoring.
    assert bids.eligible_and_submitted_counts(procurement) == (3, 0)
    with counting_statements() as asked:
        assert bids.eligible_and_submitted_counts(procurement) == (3, 0)
    assert not any("distinct" in statement.lower() for statement in asked.statements)
    build.publish("Essex CSS", (buying.market.bi, {}))
    db.session.commit()
    assert bids.eligible_and_submitted_counts(procurement) == (4, 0)


def test_an_invited_list_is_counted_as_invited(buying, catalogue_cache_on):
    procurement = build.published_competition(buying, open_to_all=False,
                                              invitees=(buying.market.gem,))
    assert bids.eligible_and_submitted_counts(procurement) == (1, 0)
