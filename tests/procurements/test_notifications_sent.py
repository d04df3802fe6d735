"""The buying events tell the people concerned, in the app and over SMTP."""

from datetime import timedelta

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.services import awards, clarifications, procurements

from ..factories import published_competition
from .evaluation import moderated_competition


def _told(kind: str) -> dict[str, str]:
    rows = db.session.scalars(select(Notification).where(Notification.kind == kind)
                              .order_by(Notification.id)).all()
    return {row.recipient.email: row.sentence for row in rows}


def _mailed(inbox, count: int) -> list[tuple[str, str]]:
    return [(m["To"], m["Subject"]) for m in inbox.wait_for(count)]


def test_publishing_tells_the_providers_who_may_respond(buying, smtp_server):
    procurement = published_competition(buying)
    told = _told("opportunity_published")
    # Arden, GEM and Meridian offer the specifications; North West London does not.
    assert set(told) == {"css@demo.test", "css2@demo.test", "indie@demo.test"}
    assert told["css@demo.test"].startswith(
        f"NHS Coventry and Rugby CCG published opportunity {procurement.reference}")
    mailed = _mailed(smtp_server, 3)
    assert sorted(to for to, _ in mailed) == sorted(told)
    assert all(subject.startswith("CSS Marketplace: NHS Coventry and Rugby CCG published")
               for _, subject in mailed)


def test_an_invited_list_is_told_alone(buying, smtp_server):
    published_competition(buying, open_to_all=False, invitees=[buying.market.gem])
    assert set(_told("opportunity_published")) == {"css2@demo.test"}
    assert _mailed(smtp_server, 1) and smtp_server.messages[0]["To"] == "css2@demo.test"


def test_an_answer_tells_every_provider_who_may_respond(buying, smtp_server):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.gem_user, procurement, "How often are reports due?")
    clarifications.answer(buying.lead_user, asked, "Monthly.")
    assert set(_told("clarification_answered")) == {"css@demo.test", "css2@demo.test",
                                                     "indie@demo.test"}
    assert len(smtp_server.wait_for(6)) == 6  # three publications, three answers


def test_closing_award_and_standstill_tell_buyer_and_bidders(buying, clock, smtp_server):
    procurement, found = moderated_competition(buying, clock)
    closed = _told("bids_closed")
    assert closed["ccg@demo.test"] == (f"Opportunity {procurement.reference} closed for "
                                       "responses with 3 responses: evaluation can begin")
    assert {"css@demo.test", "css2@demo.test", "indie@demo.test"} <= set(closed)
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Highest ranked: best value.")
    awarded = _told("award")
    assert set(awarded) == {"css@demo.test", "css2@demo.test", "indie@demo.test"}
    assert "awarded to Arden CSS; standstill until the end of 1 February 2013" in \
        awarded["css2@demo.test"]
    clock.set(clock.now.replace(month=2, day=2) + timedelta(hours=1))
    procurements.refresh_status(procurement)
    assert procurement.status == "awarded"
    assert set(_told("standstill_ended")) >= {"ccg@demo.test", "css@demo.test"}
    ended = _told("standstill_ended")["css@demo.test"]
    mailed = {(m["To"], m["Subject"]) for m in smtp_server.wait_for(3 + 3 + 3 + 2)}
    assert ("css2@demo.test", "CSS Marketplace: " + awarded["css2@demo.test"]) in mailed
    assert ("css@demo.test", "CSS Marketplace: " + ended) in mailed


def test_a_ccg_signature_asks_the_provider_to_countersign(buying, clock, smtp_server):
    from marketplace.services import agreements
    from marketplace.services.agreements_from_awards import draft_agreements_from_award

    from ..factories import awarded_competition

    procurement = awarded_competition(buying)
    agreement = next(a for a in draft_agreements_from_award(procurement)
                     if a.ccg == buying.coventry)
    db.session.commit()
    agreements.sign_for_ccg(buying.lead_user, agreement, agreement.lock_version)
    told = _told("agreement_to_countersign")
    assert set(told) == {"css@demo.test"}
    assert told["css@demo.test"] == (f"NHS Coventry and Rugby CCG signed agreement "
                                     f"{agreement.reference}: it waits for Arden CSS to "
                                     "countersign")
    assert _mailed(smtp_server, 1)[-1] == ("css@demo.test",
                                           "CSS Marketplace: " + told["css@demo.test"])


def test_answered_in_a_request_the_emails_leave_after_the_response(buying, sign_in,
                                                                    smtp_server):
    procurement = published_competition(buying)
    smtp_server.wait_for(3)
    smtp_server.messages.clear()
    asked = clarifications.ask(buying.gem_user, procurement, "How often are reports due?")
    client = sign_in("ccg@demo.test")
    response = client.post(f"/procurements/{procurement.id}/questions/{asked.id}/answer",
                           data={"answer": "Monthly."})
    assert response.status_code == 302
    assert set(_told("clarification_answered")) == {"css@demo.test", "css2@demo.test",
                                                     "indie@demo.test"}
    assert smtp_server.messages == []  # the response is written; nothing sent yet
    response.close()  # what the WSGI server does once the response has gone
    mailed = _mailed(smtp_server, 3)
    assert sorted(to for to, _ in mailed) == ["css2@demo.test", "css@demo.test",
                                              "indie@demo.test"]
