"""Evaluation and award as services: independent scores, moderation, ranking, decisions,
letters, standstill questions and the end of standstill."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Bid,
    Clarification,
    DecisionLetter,
    FrozenRecordError,
    ProcurementDecision,
    ProcurementEvaluator,
    Score,
    StatementStatus,
)
from marketplace.services import awards, clarifications, evaluation, procurements
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, NotFound, PermissionDenied, ServiceError
from marketplace.services.evaluation import ScoreInput

from ..factories import make_user
from .evaluation import (
    closed_competition,
    inputs,
    moderated_competition,
    respond,
    score_all,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _events(action) -> int:
    return db.session.scalar(select(func.count(AuditEvent.id))
                             .where(AuditEvent.action == action))


# --- scoring -------------------------------------------------------------------------------


def test_an_evaluator_scores_with_reasons_and_changes_them_until_submitting(buying, clock):
    procurement, found = closed_competition(buying, clock)
    bid = found["arden_user"]
    evaluation.save_scores(buying.lead_user, procurement, bid, inputs(procurement, 2))
    evaluation.save_scores(buying.lead_user, procurement, bid, inputs(procurement, 4, "Better"))
    rows = db.session.scalars(select(Score).where(Score.bid_id == bid.id)).all()
    assert [(r.score, r.reason) for r in rows] == [(4, "Better"), (4, "Better")]
    assert _events("evaluation.scored") == 2


def test_scores_cannot_be_submitted_until_everything_is_scored(buying, clock):
    procurement, found = closed_competition(buying, clock)
    evaluation.save_scores(buying.lead_user, procurement, found["gem_user"],
                           inputs(procurement, 3))
    with pytest.raises(ServiceError, match="4 still to score"):
        evaluation.submit_scores(buying.lead_user, procurement)
    assert not evaluation.has_submitted(buying.lead_user, procurement)


def test_submitted_scores_are_fixed(buying, clock):
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.lead_user)
    with pytest.raises(Conflict, match="can no longer change"):
        evaluation.save_scores(buying.lead_user, procurement, found["gem_user"],
                               inputs(procurement, 0))
    with pytest.raises(Conflict):
        evaluation.submit_scores(buying.lead_user, procurement)


def test_an_evaluator_sees_nobody_elses_scores_until_submitting(buying, clock):
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.partner_user)
    # The lead user is an evaluator too: moderating waits for their own submission.
    assert not evaluation.may_see_all_scores(buying.lead_user, procurement)
    with pytest.raises(PermissionDenied):
        evaluation.score_sheets(buying.lead_user, procurement)
    with pytest.raises(PermissionDenied):
        evaluation.ranking_for(buying.lead_user, procurement)
    score_all(buying, procurement, found, buying.lead_user)
    sheets = evaluation.score_sheets(buying.lead_user, procurement)
    assert len(sheets[0].rows[0][1]) == 2  # both evaluators' scores, now both submitted


@pytest.mark.parametrize("who", ["other_ccg_user", "arden_user", "bdu_user"])
def test_only_named_evaluators_score(buying, clock, who):
    procurement, found = closed_competition(buying, clock)
    with pytest.raises(PermissionDenied):
        evaluation.save_scores(getattr(buying, who), procurement, found["gem_user"],
                               inputs(procurement, 3))
    assert _count(Score) == 0


def test_a_non_evaluator_of_the_lead_ccg_does_not_score_either(buying, clock):
    procurement, found = closed_competition(buying, clock)
    colleague = make_user("colleague@example.nhs.uk", "Sam Patel", buying.coventry)
    with pytest.raises(PermissionDenied):
        evaluation.save_scores(colleague, procurement, found["gem_user"], inputs(procurement, 3))
    assert not evaluation.may_see_all_scores(buying.partner_user, procurement)


def test_nobody_scores_their_own_organisations_response(buying, clock):
    procurement, found = closed_competition(buying, clock)
    # An evaluator whose organisation is the bidder (say, a CSS hosted with the CCG's staff).
    insider = make_user("insider@example.nhs.uk", "Ian Sider", buying.market.gem)
    procurement.evaluators.append(ProcurementEvaluator(user_id=insider.id))
    db.session.commit()
    with pytest.raises(PermissionDenied, match="own organisation"):
        evaluation.save_scores(insider, procurement, found["gem_user"], inputs(procurement, 5))
    db.session.rollback()
    assert _count(Score) == 0
    # ...and submitting does not wait for the scores they may not give.
    missing = evaluation.missing_scores(insider, procurement)
    assert {bid.provider.name for bid, _c in missing} == {"Arden CSS",
                                                          "Meridian Commissioning Partners Ltd"}


@pytest.mark.parametrize("typed", ["6", "-1", "2.5", "²", "５", "", "<b>3</b>", "9" * 40])
def test_out_of_range_or_odd_scores_are_refused_at_the_field(buying, clock, typed):
    procurement, found = closed_competition(buying, clock)
    first = evaluation.quality_criteria(procurement)[0]
    with pytest.raises(FieldErrors) as refused:
        evaluation.save_scores(buying.lead_user, procurement, found["gem_user"],
                               [ScoreInput(first.id, typed, "A reason")])
    assert refused.value.errors[0][0] == f"score_{first.id}"
    assert _count(Score) == 0


@pytest.mark.parametrize("reason, message", [
    ("", "Give the reason"), ("x\x00y", "unusual characters"), ("x" * 4001, "4,000")])
def test_a_score_needs_a_plain_reason(buying, clock, reason, message):
    procurement, found = closed_competition(buying, clock)
    first = evaluation.quality_criteria(procurement)[0]
    with pytest.raises(FieldErrors, match=message):
        evaluation.save_scores(buying.lead_user, procurement, found["gem_user"],
                               [ScoreInput(first.id, "3", reason)])
    assert _count(Score) == 0


def test_scoring_waits_for_the_closing_time(buying, clock):
    from ..factories import published_competition

    procurement = published_competition(buying)
    bid = respond(buying, procurement, "gem_user")
    with pytest.raises(ServiceError, match="open for responses"):
        evaluation.save_scores(buying.lead_user, procurement, bid, inputs(procurement, 3))


# --- moderation and ranking ---------------------------------------------------------------


def test_moderation_waits_for_every_evaluator(buying, clock):
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.lead_user)
    bid = found["gem_user"]
    with pytest.raises(ServiceError, match="Still to submit: Ruth Kaur"):
        evaluation.moderate(buying.lead_user, procurement, bid, bid.lock_version,
                            inputs(procurement, 3))


def test_only_the_lead_moderates(buying, clock):
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.lead_user)
    score_all(buying, procurement, found, buying.partner_user)
    bid = found["gem_user"]
    with pytest.raises(PermissionDenied):
        evaluation.moderate(buying.partner_user, procurement, bid, bid.lock_version,
                            inputs(procurement, 3))


def test_a_second_moderator_on_an_older_page_is_refused(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    bid = found["gem_user"]
    seen = bid.lock_version
    evaluation.moderate(buying.lead_user, procurement, bid, seen, inputs(procurement, 2))
    with pytest.raises(Conflict, match="moderated this response"):
        evaluation.moderate(buying.lead_user, procurement, bid, seen, inputs(procurement, 1))
    db.session.rollback()
    assert {m.score for m in bid.moderated_scores} == {2}


def test_moderation_needs_every_criterion(buying, clock):
    procurement, found = closed_competition(buying, clock)
    score_all(buying, procurement, found, buying.lead_user)
    score_all(buying, procurement, found, buying.partner_user)
    bid = found["gem_user"]
    first = evaluation.quality_criteria(procurement)[0]
    with pytest.raises(FieldErrors) as refused:
        evaluation.moderate(buying.lead_user, procurement, bid, bid.lock_version,
                            [ScoreInput(first.id, "3", "ok")])
    second = evaluation.quality_criteria(procurement)[1]
    assert [field for field, _m in refused.value.errors] == [f"score_{second.id}",
                                                             f"reason_{second.id}"]
    assert bid.moderated_scores == []


def test_the_ranking_follows_the_worked_numbers(buying, clock):
    procurement, _found = moderated_competition(buying, clock)
    found = evaluation.ranking(procurement)
    assert found.is_complete
    assert [(bid.provider.name, r.rank, r.quality, r.price, r.total)
            for bid, r in found.ranked] == [
        ("Arden CSS", 1, Decimal("48.00"), Decimal("36.80"), Decimal("84.80")),
        ("Meridian Commissioning Partners Ltd", 2, Decimal("60.00"), Decimal("20.00"),
         Decimal("80.00")),
        ("Greater East Midlands CSS", 3, Decimal("36.00"), Decimal("40.00"), Decimal("76.00")),
    ]


# --- deciding -------------------------------------------------------------------------------


def test_the_award_opens_standstill_and_issues_a_letter_to_every_bidder(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    decision = awards.award(buying.lead_user, procurement, procurement.lock_version,
                            bid_id=found["arden_user"].id,
                            rationale="Highest ranked: best value.")
    assert procurement.status == "standstill"
    # Decided Tuesday 22 January 2013 + 10 days = Friday 1 February.
    assert decision.standstill_ends_on == date(2013, 2, 1)
    assert decision.results[0]["provider"] == "Arden CSS"
    assert decision.results[0]["total"] == "84.80"
    letters = awards.letters_for(procurement)
    assert len(letters) == 3
    for letter in letters:
        assert letter.content.startswith(b"%PDF-")
        assert letter.sha256 == awards.storage.sha256_hex(letter.content)
        assert letter.size_bytes == len(letter.content)
    assert _events("procurement.awarded") == 1
    # The award release is announced with the decision: pending while in standstill.
    from marketplace.models import OcdsRelease

    release = db.session.scalar(select(OcdsRelease).where(OcdsRelease.tag == "award"))
    assert release.release["awards"][0]["status"] == "pending"
    assert release.release["awards"][0]["suppliers"][0]["name"] == "Arden CSS"


def test_a_letter_is_immutable(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    letter = awards.letters_for(procurement)[0]
    letter.content = b"%PDF-1.4 forged"
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()
    letter = awards.letters_for(procurement)[0]
    db.session.delete(letter)
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_an_award_to_another_response_needs_a_departure_reason(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    with pytest.raises(FieldErrors) as refused:
        awards.award(buying.lead_user, procurement, procurement.lock_version,
                     bid_id=found["meridian_user"].id, rationale="Quality matters most.")
    assert refused.value.errors == [("departure_reason", awards.rules.DEPARTURE_MESSAGE)]
    assert procurement.status == "evaluation" and _count(DecisionLetter) == 0
    decision = awards.award(buying.lead_user, procurement, procurement.lock_version,
                            bid_id=found["meridian_user"].id, rationale="Quality matters.",
                            departure_reason="Arden's team is not yet in post.")
    assert decision.winning_bid.provider.name == "Meridian Commissioning Partners Ltd"
    assert decision.departure_reason == "Arden's team is not yet in post."


def test_an_award_waits_for_every_agreed_score(buying, clock):
    procurement, found = closed_competition(buying, clock)
    with pytest.raises(ServiceError, match="agreed scores"):
        awards.award(buying.lead_user, procurement, procurement.lock_version,
                     bid_id=found["arden_user"].id, rationale="Best")
    assert _count(ProcurementDecision) == 0


def test_no_award_while_a_question_is_unanswered(buying, clock):
    from ..factories import published_competition

    procurement = published_competition(buying)
    clarifications.ask(buying.gem_user, procurement, "Is TUPE expected?")
    procurement, found = moderated_competition_from(buying, clock, procurement)
    with pytest.raises(ServiceError, match="questions are still open"):
        awards.award(buying.lead_user, procurement, procurement.lock_version,
                     bid_id=found["arden_user"].id, rationale="Best value.")
    with pytest.raises(ServiceError, match="questions are still open"):
        awards.none_suitable(buying.lead_user, procurement, procurement.lock_version, "None")
    db.session.rollback()
    assert procurement.status == "evaluation" and _count(ProcurementDecision) == 0
    question = db.session.scalar(select(Clarification))
    clarifications.answer(buying.lead_user, question, "Yes, for two analysts.")
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    assert procurement.status == "standstill"


def moderated_competition_from(b, clock, procurement):
    from .evaluation import AGREED, PRICES

    found = {who: respond(b, procurement, who) for who in PRICES}
    clock.set(procurement.closes_at + timedelta(hours=16))
    procurements.refresh_status(procurement)
    score_all(b, procurement, found, b.lead_user)
    score_all(b, procurement, found, b.partner_user)
    for who, bid in found.items():
        evaluation.moderate(b.lead_user, procurement, bid, bid.lock_version,
                            inputs(procurement, AGREED[who]))
    return procurement, found


@pytest.mark.parametrize("who", ["partner_user", "other_ccg_user", "arden_user"])
def test_only_the_lead_decides(buying, clock, who):
    procurement, found = moderated_competition(buying, clock)
    with pytest.raises(PermissionDenied):
        awards.award(getattr(buying, who), procurement, procurement.lock_version,
                     bid_id=found["arden_user"].id, rationale="Best")
    with pytest.raises(PermissionDenied):
        awards.none_suitable(getattr(buying, who), procurement, procurement.lock_version, "x")
    assert _count(ProcurementDecision) == 0


def test_a_decision_on_an_older_page_is_refused(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    stale = procurement.lock_version - 1
    with pytest.raises(Conflict):
        awards.award(buying.lead_user, procurement, stale, bid_id=found["arden_user"].id,
                     rationale="Best")
    assert _count(ProcurementDecision) == 0


def test_a_decision_needs_a_rationale(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    with pytest.raises(FieldErrors) as refused:
        awards.award(buying.lead_user, procurement, procurement.lock_version,
                     bid_id=found["arden_user"].id, rationale="  ")
    assert refused.value.errors[0][0] == "rationale"
    with pytest.raises(ServiceError) as refused:
        awards.none_suitable(buying.lead_user, procurement, procurement.lock_version, "")
    assert refused.value.field == "rationale"


def test_none_suitable_closes_it_with_letters_and_frees_the_statement(buying, clock):
    procurement, _found = closed_competition(buying, clock)
    decision = awards.none_suitable(buying.lead_user, procurement, procurement.lock_version,
                                    "Every response is over the budget.")
    assert procurement.status == "none_suitable" and decision.results == []
    assert procurement.statement.status == StatementStatus.READY
    assert len(awards.letters_for(procurement)) == 3


def test_a_second_decision_is_refused(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    with pytest.raises(Conflict):
        awards.none_suitable(buying.lead_user, procurement, procurement.lock_version, "No")
    assert _count(ProcurementDecision) == 1


# --- standstill -----------------------------------------------------------------------------


def _awarded(buying, clock):
    procurement, found = moderated_competition(buying, clock)
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value.")
    return procurement, found


def test_bidders_ask_about_the_decision_and_only_the_asker_reads_the_answer(buying, clock):
    procurement, _found = _awarded(buying, clock)
    question = awards.ask_about_decision(buying.gem_user, procurement,
                                         "Why did our team score 3?")
    awards.answer_decision_question(buying.lead_user, question, "Two analysts were unnamed.")
    assert [q.answer for q in awards.decision_questions_from(buying.gem_user, procurement)] == [
        "Two analysts were unnamed."]
    assert awards.decision_questions_from(buying.arden_user, procurement) == []
    # Tender-stage answers (published to everybody) never include it.
    assert clarifications.published_answers(procurement) == []


@pytest.mark.parametrize("who", ["nwl_user", "lead_user", "bdu_user"])
def test_only_bidders_ask_about_the_decision(buying, clock, who):
    procurement, _found = _awarded(buying, clock)
    with pytest.raises(PermissionDenied):
        awards.ask_about_decision(getattr(buying, who), procurement, "Why?")
    assert _count(Clarification) == 0


def test_questions_stop_when_standstill_ends(buying, clock):
    procurement, _found = _awarded(buying, clock)
    clock.set(clock.now.replace(month=2, day=1, hour=23))  # the last day, 11pm GMT
    awards.ask_about_decision(buying.gem_user, procurement, "Last question")
    clock.set(clock.now + timedelta(hours=1))  # midnight at its end
    with pytest.raises(ServiceError, match="standstill period is over"):
        awards.ask_about_decision(buying.gem_user, procurement, "Too late")


def test_standstill_ends_after_its_last_day_and_calls_the_hook(buying, clock, monkeypatch):
    procurement, _found = _awarded(buying, clock)
    called = []
    monkeypatch.setattr(awards, "on_standstill_ended", called.append)
    clock.set(clock.now.replace(month=2, day=1, hour=23, minute=59))
    assert awards.end_due_standstills() == []
    procurements.refresh_status(procurement)
    assert procurement.status == "standstill" and called == []
    clock.set(clock.now + timedelta(minutes=1))  # Saturday 2 February, 00:00
    procurements.refresh_status(procurement)
    assert procurement.status == "awarded" and called == [procurement]
    assert _events("procurement.standstill_ended") == 1


def test_close_due_ends_due_standstills(buying, clock, app):
    procurement, _found = _awarded(buying, clock)
    clock.set(clock.now.replace(month=2, day=2))
    result = app.test_cli_runner().invoke(args=["procurements", "close-due"])
    assert result.output == ("0 competitions closed.\n"
                             "Standstill ended for PROC-05A-001: awarded\n"
                             "1 standstill period ended.\n")
    db.session.refresh(procurement)
    assert procurement.status == "awarded"
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "procurement.standstill_ended"))
    assert event.actor_id is None
    # The contract helper's hook drafted one agreement per buying CCG, in the same transaction.
    from marketplace.services.agreements_from_awards import agreements_for_procurement

    drafts = agreements_for_procurement(procurement)
    assert sorted(a.ccg.name for a in drafts) == ["NHS Coventry and Rugby CCG",
                                                   "NHS South Warwickshire CCG"]
    assert {a.status for a in drafts} == {"draft"}


def test_no_standstill_days_awards_at_once(buying, clock, monkeypatch):
    procurement, found = moderated_competition(buying, clock)
    procurement.standstill_days = 0
    db.session.commit()
    called = []
    monkeypatch.setattr(awards, "on_standstill_ended", called.append)
    decision = awards.award(buying.lead_user, procurement, procurement.lock_version,
                            bid_id=found["arden_user"].id, rationale="Best value.")
    assert procurement.status == "awarded" and decision.standstill_ends_on is None
    assert called == [procurement]


def test_letters_are_read_by_their_bidder_and_the_buyers_only(buying, clock):
    procurement, found = _awarded(buying, clock)
    letters = {letter.bid_id: letter for letter in awards.letters_for(procurement)}
    gem_letter = letters[found["gem_user"].id]
    assert awards.may_read_letter(buying.gem_user, gem_letter)
    assert awards.may_read_letter(buying.lead_user, gem_letter)
    assert awards.may_read_letter(buying.partner_user, gem_letter)
    for who in ("arden_user", "nwl_user", "other_ccg_user", "bdu_user"):
        assert not awards.may_read_letter(getattr(buying, who), gem_letter)
    with pytest.raises(NotFound):
        awards.letter_for(buying.arden_user, procurement, gem_letter.id)
    assert [letter.bid_id for letter in awards.own_letters(buying.gem_user, procurement)] == [
        found["gem_user"].id]


def test_bid_rows_are_not_touched_by_scoring(buying, clock):
    procurement, found = closed_competition(buying, clock)
    before = found["gem_user"].lock_version
    score_all(buying, procurement, found, buying.lead_user)
    assert db.session.get(Bid, found["gem_user"].id).lock_version == before


def test_the_issued_pdf_says_what_the_decision_recorded_and_renders_the_same_again(buying,
                                                                                    clock):
    from marketplace.services.decision_letter_render import render_letter_pdf

    from ..reports.documents import text

    procurement, found = _awarded(buying, clock)
    bid = found["gem_user"]
    letter = next(x for x in awards.letters_for(procurement) if x.bid_id == bid.id)
    shown = text(letter.content)
    assert "Greater East Midlands CSS" in shown
    assert "Your response ranked 3 of 3" in shown
    assert "76.00" in shown and "84.80" in shown and "Arden CSS" in shown
    assert "1 February 2013" in shown
    # Scores read now cannot change it: the letter comes from the decision's results.
    again = render_letter_pdf(procurement.decision, bid, version=1)
    assert awards.storage.sha256_hex(again) == letter.sha256


def test_a_direct_award_is_scored_and_awarded_from_its_draft(buying, clock):
    from ..factories import shortlist

    shortlist(buying.coventry, buying.market.arden_bi, buying.market.gem_bi,
              buying.market.arden_contracts, buying.market.gem_contracts)
    procurement = procurements.start_procurement(buying.lead_user, buying.statement,
                                                 "direct_award", "Two shortlisted CSSs.")
    procurements.set_evaluators(buying.lead_user, procurement, procurement.lock_version,
                                [buying.lead_user.id])
    candidates = evaluation.bids_to_evaluate(procurement)
    assert {bid.provider.name for bid in candidates} == {"Arden CSS",
                                                         "Greater East Midlands CSS"}
    for bid in candidates:
        evaluation.save_scores(buying.lead_user, procurement, bid, inputs(procurement, 3))
    evaluation.submit_scores(buying.lead_user, procurement)
    for bid in candidates:
        evaluation.moderate(buying.lead_user, procurement, bid, bid.lock_version,
                            inputs(procurement, 3))
    top = evaluation.ranking(procurement).ranked[0][0]
    decision = awards.award(buying.lead_user, procurement, procurement.lock_version,
                            bid_id=top.id, rationale="Same quality, lower price.")
    assert procurement.status == "standstill" and decision.winning_bid_id == top.id
    # Shortlisted offers are not bids their providers wrote: no letters, no questions.
    assert awards.letters_for(procurement) == []
    with pytest.raises(PermissionDenied):
        awards.ask_about_decision(buying.arden_user, procurement, "Why?")
    with pytest.raises(ServiceError, match="direct award"):
        awards.none_suitable(buying.lead_user, procurement, procurement.lock_version, "x")


def test_a_refusal_after_standstill_leaves_it_in_standstill_and_nothing_half_done(
        buying, clock, monkeypatch):
    procurement, _found = _awarded(buying, clock)

    def refuse(procurement):
        raise ServiceError("The winning bid prices none of the lines the CCGs asked to buy")

    monkeypatch.setattr(awards, "on_standstill_ended", refuse)
    clock.set(clock.now.replace(month=2, day=2))
    assert awards.end_due_standstills() == []
    procurements.refresh_status(procurement)  # a page reading it does not fail either
    assert procurement.status == "standstill"
    assert _events("procurement.standstill_ended") == 0
