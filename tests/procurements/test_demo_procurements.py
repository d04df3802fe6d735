"""The buying demo (marketplace/demo/procurements.py): competitions at every stage, made
through the services on their 2012 dates, and at the demo's "now" (Monday 19 November
2012, 9am, what `make run` pins) each demo login can take its own next step."""

import json
from collections import Counter

import pytest
from sqlalchemy import func, select

from marketplace.demo.procurements import (
    COMPETITIONS,
    DEMO_NOW,
    home_css_names,
    seed_procurements,
)
from marketplace.demo.prospectuses import seed_prospectuses
from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AuditEvent,
    Bid,
    Clarification,
    ClarificationStage,
    Organisation,
    Procurement,
    Score,
    Statement,
    User,
)
from marketplace.services import evaluation
from marketplace.services.ocds_releases import releases_for
from marketplace.services.transaction import transaction

from ..conftest import html, text_of
from ..ocds_schema import release_errors


def _seed() -> None:
    for seeder in (seed_specifications, seed_prospectuses, seed_procurements):
        with transaction():
            seeder(1)


@pytest.fixture
def demo(app_context, clock):
    _seed()
    clock.set(DEMO_NOW)
    return {p.lead_ccg.ods_code: p for p in db.session.scalars(select(Procurement))}


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _events(action: str) -> int:
    return _count(AuditEvent, AuditEvent.action == action)


def test_every_stage_is_seeded_through_the_services(demo, app):
    statuses = Counter(p.status for p in demo.values())
    assert statuses == {"open": 2, "evaluation": 2, "standstill": 2, "awarded": 3,
                        "none_suitable": 1}
    assert len(demo) == len(COMPETITIONS) == 10

    # Every step left the audit event its service writes, as a click would.
    assert _events("statement.created") == 10 and _events("statement.confirmed") == 12
    assert _events("procurement.published") == 10
    assert _events("clarification.asked") == _count(Clarification, Clarification.stage
                                                    == ClarificationStage.TENDER) == 8
    assert _events("response.submitted") == _count(Bid, Bid.status == "submitted") == 25
    assert _events("procurement.awarded") == 5
    assert _events("procurement.none_suitable") == 1
    assert _events("agreement.drafted_from_award") == 3
    assert _events("agreement.signed_by_ccg") == 3
    assert _events("agreement.countersigned") == 2
    assert _events("agreement.kpi_added") > 0

    # The home CSS of the buying CCGs (2012 clusters) bids for every competition.
    homes = home_css_names()
    for code, procurement in demo.items():
        bidders = {bid.provider.name for bid in procurement.bids}
        assert homes[code] in bidders, code
        assert procurement.published_at < DEMO_NOW
        assert procurement.published_at.year == 2012

    # One joint procurement by the three CCGs of the Arden cluster, in evaluation.
    joint = demo["05A"]
    assert joint.status == "evaluation"
    ccgs = {party.ccg.ods_code for party in joint.statement.parties
            if party.status == "confirmed"}
    assert ccgs == {"05A", "05H", "05R"}
    assert {db.session.get(Organisation, o.id).pct_cluster for o in
            (p.ccg for p in joint.statement.parties)} == {"Arden PCT Cluster"}

    # Open with questions answered (and one waiting); standstill with a bidder's question.
    ealing = demo["07W"]
    asked = [c for c in ealing.clarifications if c.stage == "tender"]
    assert [c.is_answered for c in asked] == [True, True, False]
    darlington = demo["00C"]
    assert [c.is_answered for c in darlington.clarifications if c.stage == "standstill"] \
        == [False]

    # Awarded and signed by both sides; one waiting for the CSS; dated by the pinned clock.
    signed = db.session.scalars(select(Agreement).where(Agreement.procurement_id.is_not(None))
                                .order_by(Agreement.reference)).all()
    assert [(a.reference, a.status) for a in signed] == [
        ("SLA-00T-001", "signed"), ("SLA-05H-001", "awaiting_countersignature"),
        ("SLA-07V-001", "signed")]
    assert all(a.ccg_signed_at < DEMO_NOW for a in signed)
    assert all(a.signed_at.year == 2012 for a in signed if a.status == "signed")

    # Every OCDS release is valid; none suitable published its tender update.
    tags = Counter()
    for procurement in demo.values():
        for row in releases_for(procurement):
            tags[row.tag] += 1
            assert release_errors(json.loads(json.dumps(row.release, default=float))) == []
    assert tags == {"tender": 10, "award": 5, "contract": 2, "tenderUpdate": 1}
    assert [r.release["tender"]["status"] for r in releases_for(demo["04X"])] == [
        "active", "unsuccessful"]

    # The pinned "now" is put back as it was after seeding, and a second seed adds nothing.
    assert app.config["MARKETPLACE_TODAY"] == DEMO_NOW
    before = (_count(Procurement), _count(Statement), _count(AuditEvent))
    with transaction():
        seed_procurements(1)
    assert (_count(Procurement), _count(Statement), _count(AuditEvent)) == before


def _score_form(procurement, score) -> dict:
    data = {}
    for criterion in evaluation.quality_criteria(procurement):
        data[f"score_{criterion.id}"] = str(score)
        data[f"reason_{criterion.id}"] = "Meets the need."
    return data


def test_the_buyers_take_their_steps(demo, sign_in):
    # ccg@: the Arden joint competition is closed and waits for her scores.
    joint = demo["05A"]
    ccg = sign_in("ccg@demo.test")
    page = text_of(ccg.get(f"/procurements/{joint.id}"))
    assert "Your scores" in page
    index = ccg.get(f"/procurements/{joint.id}/evaluation")
    assert index.status_code == 200
    bids = evaluation.bids_to_evaluate(joint)
    assert len(bids) == 3
    scored = ccg.post(f"/procurements/{joint.id}/evaluation/{bids[0].id}",
                      data=_score_form(joint, 4))
    assert scored.status_code == 302
    priya = db.session.scalar(select(User).where(User.email == "ccg@demo.test"))
    assert _count(Score, Score.bid_id == bids[0].id, Score.evaluator_id == priya.id) == 2

    # ccg2@: Darlington's award is in standstill; a bidder asked about it.
    darlington = demo["00C"]
    ccg2 = sign_in("ccg2@demo.test")
    page = text_of(ccg2.get(f"/procurements/{darlington.id}"))
    assert "Standstill" in page and "North East CSS" in page
    [question] = [c for c in darlington.clarifications if c.stage == "standstill"]
    answered = ccg2.post(
        f"/procurements/{darlington.id}/decision-questions/{question.id}/answer",
        data={"answer": "Your answer named no local team for the contract monitoring line."})
    assert answered.status_code == 302
    db.session.refresh(question)
    assert question.is_answered

    # ccg3@: Ealing's opportunity is open, and Meridian's question waits for an answer.
    ealing = demo["07W"]
    ccg3 = sign_in("ccg3@demo.test")
    assert "Open" in text_of(ccg3.get(f"/procurements/{ealing.id}"))
    waiting = next(c for c in ealing.clarifications if not c.is_answered)
    answered = ccg3.post(f"/procurements/{ealing.id}/questions/{waiting.id}/answer",
                         data={"answer": "Yes: price the procurement lines only."})
    assert answered.status_code == 302

    # The lead of the moderated one sees its ranking and may award.
    brighton = demo["09D"]
    lead = sign_in("buyer.09d@demo.test")
    ranking = lead.get(f"/procurements/{brighton.id}/ranking")
    assert ranking.status_code == 200 and "Surrey and Sussex CSS" in text_of(ranking)
    assert evaluation.ranking(brighton).is_complete

    # The signed ones list their agreements on the procurement page.
    croydon = demo["07V"]
    page = html(sign_in("buyer.07v@demo.test").get(f"/procurements/{croydon.id}"))
    assert "SLA-07V-001" in page.find(id="agreements").find_next("table").get_text()


def test_the_providers_take_theirs(demo, sign_in):
    # css@ (Arden CSS): Warwickshire North's agreement waits for its countersignature.
    agreement = db.session.scalar(select(Agreement).where(
        Agreement.status == "awaiting_countersignature"))
    css = sign_in("css@demo.test")
    assert "SLA-05H-001" in text_of(css.get("/customers"))
    assert css.get(f"/customers/agreements/{agreement.id}/countersign").status_code == 200
    done = css.post(f"/customers/agreements/{agreement.id}/countersign",
                    data={"lock_version": agreement.lock_version})
    assert done.status_code == 302
    db.session.refresh(agreement)
    assert agreement.status == "signed" and agreement.signed_at == DEMO_NOW
    assert [r.tag for r in releases_for(agreement.procurement)][-1] == "contract"
    # ... and Arden's sealed response to the Arden CCGs is there, in evaluation.
    assert css.get(f"/opportunities/{demo['05A'].id}").status_code == 200

    # css3@ (North West London CSS): its draft response to Ealing, to finish and submit.
    ealing = demo["07W"]
    css3 = sign_in("css3@demo.test")
    page = text_of(css3.get(f"/opportunities/{ealing.id}"))
    assert "Questions and answers" in page
    response = db.session.scalar(select(Bid).where(Bid.procurement_id == ealing.id,
                                                   Bid.provider_id == css3_org()))
    assert response.status == "draft"
    submitted = css3.post(f"/opportunities/{ealing.id}/response/submit",
                          data={"lock_version": response.lock_version})
    assert submitted.status_code == 302
    db.session.refresh(response)
    assert response.status == "submitted"

    # indie@ (Meridian) may respond to Ealing's, and sees the published answers only.
    indie = sign_in("indie@demo.test")
    page = text_of(indie.get(f"/opportunities/{ealing.id}"))
    assert "Every budget shown is a year's" in page

    # css2@ (Greater East Midlands CSS) won Corby's: its letter is on the opportunity.
    corby = demo["03V"]
    page = html(sign_in("css2@demo.test").get(f"/opportunities/{corby.id}"))
    assert page.find(id="decision") is not None
    assert "Your decision letter" in page.get_text()

    # Anyone reads the public records.
    opportunities = sign_in("bdu@demo.test").get("/api/v1/opportunities")
    assert opportunities.status_code == 200


def css3_org() -> int:
    return db.session.scalar(select(Organisation.id).where(
        Organisation.name == "North West London CSS"))


def test_the_signed_agreements_carry_kpis(demo, sign_in):
    # Croydon's and Bolton's agreements: the CCG set each line's KPIs (where the winning offer
    # named none) through the service before both signed; the agreement page lists them.
    from marketplace.services.performance_returns import kpis_of, schedule

    signed = db.session.scalars(select(Agreement).where(Agreement.status == "signed")).all()
    assert sorted(a.ccg.ods_code for a in signed) == ["00T", "07V"]
    for agreement in signed:
        kpis = kpis_of(agreement)
        assert kpis and all(kpi.target is not None for kpi in kpis)
        assert all(line.kpis for line in agreement.lines)
        page = text_of(sign_in(f"buyer.{agreement.ccg.ods_code.lower()}@demo.test")
                       .get(f"/agreements/{agreement.id}"))
        assert kpis[0].measure in page
        # From April 2013: no month has ended at the demo's "now".
        assert not any(row.ended for row in schedule(agreement))
