"""Buying pages the other tests only post to, drawn with hostile text in what they show: each
renders, and the text is escaped once (issue 14; templates are autoescaped, macros too)."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Clarification
from marketplace.services import awards, bids, procurements

from ..conftest import html
from ..factories import make_user, set_up_competition
from ..hostile_text import HOSTILE, assert_inert
from .evaluation import moderated_competition, respond

LEAD, GEM = "ccg@demo.test", "css2@demo.test"


def test_the_evaluators_and_who_may_respond_pages(buying, sign_in):
    make_user("hostile@example.nhs.uk", HOSTILE, buying.coventry)
    procurement = set_up_competition(buying)
    lead = sign_in(LEAD)
    evaluators = lead.get(f"/procurements/{procurement.id}/evaluators")
    assert evaluators.status_code == 200
    assert_inert(evaluators)
    assert any(label.text.strip().startswith(HOSTILE)
               for label in html(evaluators).select("label"))
    invitees = lead.get(f"/procurements/{procurement.id}/who-may-respond")
    assert invitees.status_code == 200
    assert_inert(invitees, shown=False)


def test_a_response_page_shows_the_bidders_summary_as_text(buying, clock, sign_in):
    procurement = set_up_competition(buying)
    procurement = procurements.publish(buying.lead_user, procurement, procurement.lock_version)
    bid = bids.start_response(buying.arden_user, procurement)
    lines = [bids.LineInput(guide.specification.id, "fixed_annual", "100000", None)
             for guide in bids.line_guides(procurement)]
    bids.save_response(buying.arden_user, bid, bid.lock_version, summary=HOSTILE, lines=lines,
                       answers={c.id: HOSTILE for c in bids.quality_criteria(procurement)})
    bids.submit(buying.arden_user, bid, bid.lock_version)
    respond(buying, procurement, "gem_user")
    clock.set(procurement.closes_at + timedelta(hours=16))
    procurements.refresh_status(procurement)
    lead = sign_in(LEAD)
    page = lead.get(f"/procurements/{procurement.id}/responses/{bid.id}")
    assert page.status_code == 200
    assert_inert(page)
    listing = lead.get(f"/procurements/{procurement.id}/responses")
    assert listing.status_code == 200
    assert_inert(listing, shown=False)


def test_a_decision_question_is_text_on_the_answer_page(buying, clock, sign_in):
    procurement, found = moderated_competition(buying, clock)
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value for the CCGs.")
    asked = sign_in(GEM).post(f"/opportunities/{procurement.id}/decision-questions",
                              data={"question": HOSTILE})
    assert asked.status_code == 302
    question = db.session.scalar(select(Clarification))
    lead = sign_in(LEAD)
    url = f"/procurements/{procurement.id}/decision-questions/{question.id}/answer"
    page = lead.get(url)
    assert page.status_code == 200
    assert_inert(page)
    refused = lead.post(url, data={"answer": ""})
    assert refused.status_code == 400
    assert_inert(refused)
    assert_inert(lead.get(f"/procurements/{procurement.id}"))


def test_the_partners_page_of_a_statement(buying, sign_in):
    page = sign_in(LEAD).get(f"/statements/{buying.statement.id}/partners")
    assert page.status_code == 200
    assert_inert(page, shown=False)
