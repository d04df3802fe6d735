"""A submitted response's prices, answers and attachments, as the buyers' response and
scoring pages show them, kept in the shared cache under the market's generation
(procurements/views.kept_response_body): shown as drawn until a change through the
services commits, drawn afresh after it, and the same on both pages."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import BidAnswer
from marketplace.services.audit import record_event

from ..conftest import html
from .evaluation import closed_competition

LEAD = "ccg@demo.test"


def _answers(client, url: str) -> str:
    page = html(client.get(url))
    heading = next(h for h in page.select("h2") if h.get_text(strip=True) == "Answers")
    shown = []
    for sibling in heading.find_next_siblings():
        if sibling.name == "h2":
            break
        shown.append(sibling.get_text(" ", strip=True))
    return " ".join(shown)


def _answer_quietly(bid_id: int) -> None:
    """A change behind the services' back (no audit event), which a kept page does not see."""
    for answer in db.session.scalars(select(BidAnswer).where(BidAnswer.bid_id == bid_id)):
        answer.answer = "Changed quietly"
    db.session.commit()


def test_a_response_is_kept_for_both_buyers_pages_until_the_market_changes(
        buying, clock, sign_in, catalogue_cache_on):
    procurement, found = closed_competition(buying, clock)
    db.session.commit()
    bid = found["arden_user"]
    response_url = f"/procurements/{procurement.id}/responses/{bid.id}"
    score_url = f"/procurements/{procurement.id}/evaluation/{bid.id}"
    lead = sign_in(LEAD)
    assert "We will do it well." in _answers(lead, response_url)
    # Changed behind the services' back: both pages show the kept response.
    _answer_quietly(bid.id)
    assert "Changed quietly" not in _answers(lead, response_url)
    assert "We will do it well." in _answers(lead, score_url)
    # After a change through the services, drawn afresh.
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    assert "Changed quietly" in _answers(lead, score_url)


def test_without_the_cache_the_response_is_drawn_every_time(buying, clock, sign_in):
    procurement, found = closed_competition(buying, clock)
    db.session.commit()
    bid = found["arden_user"]
    url = f"/procurements/{procurement.id}/responses/{bid.id}"
    lead = sign_in(LEAD)
    assert "We will do it well." in _answers(lead, url)
    _answer_quietly(bid.id)
    assert "Changed quietly" in _answers(lead, url)
