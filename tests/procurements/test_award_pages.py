"""Evaluation and award pages per role and organisation: the lead CCG (ccg@demo.test, an
evaluator), the partner evaluator, a non-evaluator user of the lead CCG, another CCG, the
bidders (css@demo.test is Arden, css2@demo.test GEM), a provider that did not bid, the BDU.
Hostile input gets a message at its field."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    Clarification,
    DecisionLetter,
    ModeratedScore,
    ProcurementDecision,
    Score,
)
from marketplace.services import awards, clarifications, evaluation

from ..conftest import html, text_of
from ..factories import make_user
from .evaluation import AGREED, closed_competition, moderated_competition, score_all

LEAD, PARTNER = "ccg@demo.test", "ruth.partner@example.nhs.uk"
COLLEAGUE = "colleague@example.nhs.uk"  # a Coventry user who is not an evaluator
OTHER_CCG, ARDEN, GEM, NWL, BDU = ("ccg2@demo.test", "css@demo.test", "css2@demo.test",
                                   "css3@demo.test", "bdu@demo.test")


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _errors(response) -> list[str]:
    return [a.get_text(" ", strip=True)
            for a in html(response).select(".nhsuk-error-summary__list a")]


def _score_form(procurement, score, reason="Sound plan."):
    data = {}
    for criterion in evaluation.quality_criteria(procurement):
        data[f"score_{criterion.id}"] = str(score)
        data[f"reason_{criterion.id}"] = reason
    return data


@pytest.fixture
def closed(buying, clock):
    make_user(COLLEAGUE, "Sam Patel", buying.coventry)
    return closed_competition(buying, clock)


# --- scoring -------------------------------------------------------------------------------


def test_an_evaluator_scores_a_response_on_its_page(closed, buying, sign_in):
    procurement, found = closed
    client = sign_in(LEAD)
    index = client.get(f"/procurements/{procurement.id}/evaluation")
    assert index.status_code == 200 and "0 of 2 criteria scored" in text_of(index)
    bid = found["gem_user"]
    page = client.get(f"/procurements/{procurement.id}/evaluation/{bid.id}")
    assert page.status_code == 200
    assert "We will do it well." in text_of(page)  # the response's answers are shown
    response = client.post(f"/procurements/{procurement.id}/evaluation/{bid.id}",
                           data=_score_form(procurement, 3))
    assert response.status_code == 302
    assert {s.score for s in db.session.scalars(select(Score))} == {3}
    assert "2 of 2 criteria scored" in text_of(client.get(
        f"/procurements/{procurement.id}/evaluation"))


@pytest.mark.parametrize("typed", ["6", "-1", "2.5", "²", "٣", "<script>alert(1)</script>",
                                   "9" * 60, "🙂"])
def test_hostile_scores_get_a_message_at_the_field(closed, sign_in, typed):
    procurement, found = closed
    client = sign_in(LEAD)
    data = _score_form(procurement, 3)
    first = evaluation.quality_criteria(procurement)[0]
    data[f"score_{first.id}"] = typed
    response = client.post(f"/procurements/{procurement.id}/evaluation/"
                           f"{found['gem_user'].id}", data=data)
    assert response.status_code == 400
    assert _errors(response) == [f"Choose a score from 0 to 5 for “{first.name}”"]
    assert html(response).find("a", href=f"#score_{first.id}") is not None
    assert _count(Score) == 0


@pytest.mark.parametrize("reason, message", [
    ("", "Give the reason for the score"), ("a\x00b", "Remove the unusual characters"),
    ("x" * 5000, "Keep this to 4,000 characters or fewer")])
def test_a_bad_reason_gets_a_message_at_the_field(closed, sign_in, reason, message):
    procurement, found = closed
    response = sign_in(LEAD).post(
        f"/procurements/{procurement.id}/evaluation/{found['gem_user'].id}",
        data=_score_form(procurement, 3, reason))
    assert response.status_code == 400
    assert all(message in error for error in _errors(response))
    assert _count(Score) == 0


def test_markup_in_a_reason_is_shown_as_text(closed, buying, sign_in):
    procurement, found = closed
    client = sign_in(LEAD)
    for bid in found.values():
        assert client.post(f"/procurements/{procurement.id}/evaluation/{bid.id}",
                           data=_score_form(procurement, 3, "<b>bold</b> <script>x()</script>")
                           ).status_code == 302
    client.post(f"/procurements/{procurement.id}/evaluation/submit")
    page = client.get(f"/procurements/{procurement.id}/moderation")
    body = page.get_data(as_text=True)
    assert "<script>x()</script>" not in body and "&lt;script&gt;x()&lt;/script&gt;" in body


@pytest.mark.parametrize("email, status", [
    (COLLEAGUE, 403), (OTHER_CCG, 404), (ARDEN, 403), (NWL, 403), (BDU, 403)])
def test_who_may_not_score(closed, sign_in, email, status):
    procurement, found = closed
    client = sign_in(email)
    bid = found["gem_user"]
    assert client.get(f"/procurements/{procurement.id}/evaluation").status_code == status
    assert client.post(f"/procurements/{procurement.id}/evaluation/{bid.id}",
                       data=_score_form(procurement, 5)).status_code == status
    assert _count(Score) == 0


def test_submitting_needs_every_score_then_fixes_them(closed, buying, sign_in):
    procurement, found = closed
    client = sign_in(PARTNER)
    refused = client.post(f"/procurements/{procurement.id}/evaluation/submit")
    assert refused.status_code == 400
    assert "6 still to score" in _errors(refused)[0]
    for bid in found.values():
        client.post(f"/procurements/{procurement.id}/evaluation/{bid.id}",
                    data=_score_form(procurement, 4))
    assert client.post(f"/procurements/{procurement.id}/evaluation/submit").status_code == 302
    again = client.post(f"/procurements/{procurement.id}/evaluation/{found['gem_user'].id}",
                        data=_score_form(procurement, 1))
    assert again.status_code == 409
    assert {s.score for s in db.session.scalars(select(Score))} == {4}


def test_an_evaluator_sees_no_other_scores_until_submitting(closed, buying, sign_in):
    procurement, found = closed
    score_all(buying, procurement, found, buying.partner_user)  # Ruth submits
    lead = sign_in(LEAD)  # the lead is an evaluator who has not submitted
    assert lead.get(f"/procurements/{procurement.id}/moderation").status_code == 403
    assert lead.get(f"/procurements/{procurement.id}/ranking").status_code == 403
    assert "Ruth Kaur's view" not in text_of(lead.get(f"/procurements/{procurement.id}"))
    assert "Ruth Kaur's view" not in text_of(lead.get(
        f"/procurements/{procurement.id}/evaluation/{found['gem_user'].id}"))
    partner = sign_in(PARTNER)
    page = partner.get(f"/procurements/{procurement.id}/moderation")
    assert page.status_code == 200 and "Ruth Kaur's view" in text_of(page)
    assert f"Still to submit their scores: {buying.lead_user.full_name}" in text_of(page)
    # A non-evaluator colleague of the lead CCG may moderate, so sees the submitted scores.
    assert sign_in(COLLEAGUE).get(f"/procurements/{procurement.id}/moderation").status_code \
        == 200
    for email, status in ((OTHER_CCG, 404), (BDU, 403), (GEM, 403)):
        assert sign_in(email).get(
            f"/procurements/{procurement.id}/moderation").status_code == status


# --- moderation ------------------------------------------------------------------------------


def test_the_lead_moderates_and_a_stale_page_is_refused(closed, buying, sign_in):
    procurement, found = closed
    score_all(buying, procurement, found, buying.lead_user)
    score_all(buying, procurement, found, buying.partner_user)
    bid = found["gem_user"]
    client = sign_in(LEAD)
    page = client.get(f"/procurements/{procurement.id}/moderation/{bid.id}")
    assert page.status_code == 200
    version = html(page).select_one("input[name=lock_version]")["value"]
    data = {**_score_form(procurement, 3, "Agreed."), "lock_version": version}
    assert client.post(f"/procurements/{procurement.id}/moderation/{bid.id}",
                       data=data).status_code == 302
    stale = sign_in(COLLEAGUE).post(f"/procurements/{procurement.id}/moderation/{bid.id}",
                                    data={**data, **_score_form(procurement, 1, "No")})
    assert stale.status_code == 409
    assert "Somebody else moderated this response" in text_of(stale)
    assert {m.score for m in db.session.scalars(select(ModeratedScore))} == {3}


@pytest.mark.parametrize("email, status", [(PARTNER, 403), (OTHER_CCG, 404), (GEM, 403),
                                           (BDU, 403)])
def test_only_the_lead_moderates(closed, buying, sign_in, email, status):
    procurement, found = closed
    score_all(buying, procurement, found, buying.lead_user)
    score_all(buying, procurement, found, buying.partner_user)
    bid = found["gem_user"]
    response = sign_in(email).post(f"/procurements/{procurement.id}/moderation/{bid.id}",
                                   data={**_score_form(procurement, 3), "lock_version":
                                         str(bid.lock_version)})
    assert response.status_code == status
    assert _count(ModeratedScore) == 0


# --- ranking and decisions ------------------------------------------------------------------


@pytest.fixture
def moderated(buying, clock):
    make_user(COLLEAGUE, "Sam Patel", buying.coventry)
    return moderated_competition(buying, clock)


def test_the_ranking_page_shows_the_worked_totals(moderated, sign_in):
    procurement, found = moderated
    page = sign_in(LEAD).get(f"/procurements/{procurement.id}/ranking")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("td")]
            for row in html(page).select("tbody tr")]
    assert [row[:6] for row in rows] == [
        ["1", "Arden CSS", "28.00", "20.00", "36.80", "84.80"],
        ["2", "Meridian Commissioning Partners Ltd", "35.00", "25.00", "20.00", "80.00"],
        ["3", "Greater East Midlands CSS", "21.00", "15.00", "40.00", "76.00"],
    ]


def test_the_lead_awards_on_a_confirmation_page(moderated, buying, sign_in):
    procurement, found = moderated
    client = sign_in(LEAD)
    bid = found["arden_user"]
    page = client.get(f"/procurements/{procurement.id}/award/{bid.id}")
    assert page.status_code == 200 and "Award the contract to Arden CSS" in text_of(page)
    assert html(page).find(id="departure_reason") is None  # the top response needs none
    version = html(page).select_one("input[name=lock_version]")["value"]
    response = client.post(f"/procurements/{procurement.id}/award/{bid.id}",
                           data={"lock_version": version, "rationale": "Best value."},
                           follow_redirects=True)
    assert response.status_code == 200
    shown = text_of(response)
    assert "is awarded to Arden CSS" in shown and "Awarded: in standstill" in shown
    assert "Until the end of 1 February 2013" in shown
    letters = client.get(f"/procurements/{procurement.id}/letters")
    assert text_of(letters).count(".pdf") == 3


def test_an_award_to_the_second_needs_the_departure_reason_at_its_field(moderated, sign_in):
    procurement, found = moderated
    client = sign_in(LEAD)
    bid = found["meridian_user"]
    page = client.get(f"/procurements/{procurement.id}/award/{bid.id}")
    assert "This is not the highest-ranked response" in text_of(page)
    version = html(page).select_one("input[name=lock_version]")["value"]
    refused = client.post(f"/procurements/{procurement.id}/award/{bid.id}",
                          data={"lock_version": version, "rationale": "Quality first.",
                                "departure_reason": ""})
    assert refused.status_code == 400
    assert _errors(refused) == ["Say why the contract goes to this response rather than the "
                                "highest-ranked one"]
    assert _count(ProcurementDecision) == 0 and _count(DecisionLetter) == 0


def test_no_award_while_a_question_awaits_its_answer(moderated, buying, sign_in):
    procurement, found = moderated
    db.session.add(Clarification(procurement=procurement, stage="tender",
                                 asked_by_organisation_id=buying.market.gem.id,
                                 question="Is TUPE expected?"))
    db.session.commit()
    client = sign_in(LEAD)
    bid = found["arden_user"]
    refused = client.post(f"/procurements/{procurement.id}/award/{bid.id}",
                          data={"lock_version": str(procurement.lock_version),
                                "rationale": "Best value."})
    assert refused.status_code == 400
    assert _errors(refused) == [awards.QUESTIONS_OPEN]
    refused = client.post(f"/procurements/{procurement.id}/none-suitable",
                          data={"lock_version": str(procurement.lock_version),
                                "rationale": "Too dear."})
    assert refused.status_code == 400 and _errors(refused) == [awards.QUESTIONS_OPEN]
    assert _count(ProcurementDecision) == 0


def test_a_decision_from_an_older_page_is_refused(moderated, sign_in):
    procurement, found = moderated
    response = sign_in(LEAD).post(
        f"/procurements/{procurement.id}/award/{found['arden_user'].id}",
        data={"lock_version": str(procurement.lock_version - 1), "rationale": "Best."})
    assert response.status_code == 409
    assert _count(ProcurementDecision) == 0


@pytest.mark.parametrize("email, status", [(PARTNER, 403), (COLLEAGUE, 302), (OTHER_CCG, 404),
                                           (ARDEN, 403), (BDU, 403)])
def test_who_may_award(moderated, sign_in, email, status):
    procurement, found = moderated
    response = sign_in(email).post(
        f"/procurements/{procurement.id}/award/{found['arden_user'].id}",
        data={"lock_version": str(procurement.lock_version), "rationale": "Best value."})
    assert response.status_code == status
    assert _count(ProcurementDecision) == (1 if status == 302 else 0)


def test_none_suitable_on_its_confirmation_page(closed, sign_in):
    procurement, _found = closed
    client = sign_in(LEAD)
    page = client.get(f"/procurements/{procurement.id}/none-suitable")
    assert "Each of the 3 bidders is sent a decision letter" in text_of(page)
    version = html(page).select_one("input[name=lock_version]")["value"]
    empty = client.post(f"/procurements/{procurement.id}/none-suitable",
                        data={"lock_version": version, "rationale": "  "})
    assert empty.status_code == 400
    assert _errors(empty) == ["Say why none of the responses is suitable"]
    done = client.post(f"/procurements/{procurement.id}/none-suitable",
                       data={"lock_version": version, "rationale": "All over budget."},
                       follow_redirects=True)
    assert "Closed: none suitable" in text_of(done)


def test_the_lead_can_still_cancel_during_evaluation(closed, sign_in):
    procurement, _found = closed
    response = sign_in(LEAD).post(f"/procurements/{procurement.id}/cancel",
                                  data={"lock_version": str(procurement.lock_version),
                                        "reason": "Budget withdrawn."})
    assert response.status_code == 302
    db.session.refresh(procurement)
    assert procurement.status == "cancelled"


# --- letters and standstill, as the bidders see them --------------------------------------


@pytest.fixture
def awarded(moderated, buying):
    procurement, found = moderated
    awards.award(buying.lead_user, procurement, procurement.lock_version,
                 bid_id=found["arden_user"].id, rationale="Best value for the CCGs.")
    return procurement, found


def test_a_bidder_downloads_its_own_letter_only(awarded, sign_in):
    procurement, found = awarded
    letters = {letter.bid_id: letter for letter in awards.letters_for(procurement)}
    gem = sign_in(GEM)
    page = gem.get(f"/opportunities/{procurement.id}")
    assert "Your decision letter" in text_of(page)
    assert "awarded to Arden CSS" in text_of(page)
    own = letters[found["gem_user"].id]
    download = gem.get(f"/opportunities/{procurement.id}/letters/{own.id}")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == own.content
    assert download.headers["X-Content-SHA256"] == own.sha256
    assert "no-store" in download.headers["Cache-Control"]
    other = letters[found["arden_user"].id]
    assert gem.get(f"/opportunities/{procurement.id}/letters/{other.id}").status_code == 404
    assert sign_in(NWL).get(f"/opportunities/{procurement.id}/letters/{own.id}"
                            ).status_code == 404


def test_the_letter_names_its_scores_and_the_winners(awarded, buying):
    from marketplace.services.decision_letter_render import letter_html

    procurement, found = awarded
    decision = procurement.decision
    shown = letter_html(decision, found["gem_user"])
    assert "Your response ranked 3 of 3" in shown
    assert "intends to award the contract to Arden CSS" in shown
    assert "76.00" in shown and "84.80" in shown  # its own total and the winner's
    assert "Agreed at moderation." in shown
    assert "1 February 2013" in shown
    winner = letter_html(decision, found["arden_user"])
    assert "intends to award the contract to you" in winner
    assert "successful response" not in winner  # its own scores are the winner's


def test_the_buyers_read_every_letter_and_others_none(awarded, sign_in):
    procurement, _found = awarded
    letter = awards.letters_for(procurement)[0]
    url = f"/procurements/{procurement.id}/letters/{letter.id}"
    assert sign_in(LEAD).get(url).status_code == 200
    assert sign_in(PARTNER).get(url).status_code == 200
    assert sign_in(OTHER_CCG).get(url).status_code == 404
    assert sign_in(BDU).get(url).status_code == 403
    assert sign_in(ARDEN).get(url).status_code == 403


def test_a_bidder_asks_in_standstill_and_only_it_reads_the_answer(awarded, buying, sign_in):
    procurement, _found = awarded
    gem = sign_in(GEM)
    blank = gem.post(f"/opportunities/{procurement.id}/decision-questions",
                     data={"question": ""})
    assert blank.status_code == 400 and _errors(blank) == ["Enter your question"]
    sent = gem.post(f"/opportunities/{procurement.id}/decision-questions",
                    data={"question": "Why did our approach score 3?"})
    assert sent.status_code == 302
    question = db.session.scalar(select(Clarification))
    lead = sign_in(LEAD)
    assert "Why did our approach score 3?" in text_of(lead.get(f"/procurements/{procurement.id}"))
    answered = lead.post(f"/procurements/{procurement.id}/decision-questions/{question.id}/"
                         "answer", data={"answer": "Too little on the mobilisation plan."})
    assert answered.status_code == 302
    assert "Too little on the mobilisation plan." in text_of(
        gem.get(f"/opportunities/{procurement.id}"))
    assert "mobilisation" not in text_of(sign_in(ARDEN).get(f"/opportunities/{procurement.id}"))
    partner = sign_in(PARTNER).post(
        f"/procurements/{procurement.id}/decision-questions/{question.id}/answer",
        data={"answer": "Another"})
    assert partner.status_code == 403


def test_a_provider_that_did_not_bid_cannot_ask(awarded, sign_in):
    procurement, _found = awarded
    response = sign_in(NWL).post(f"/opportunities/{procurement.id}/decision-questions",
                                 data={"question": "Why?"})
    assert response.status_code == 404  # it cannot see the opportunity at all
    assert _count(Clarification) == 0


def test_after_standstill_the_page_shows_it_awarded(awarded, clock, sign_in):
    procurement, _found = awarded
    clock.set(clock.now.replace(month=2, day=2))
    page = sign_in(LEAD).get(f"/procurements/{procurement.id}")
    assert "Awarded" in text_of(page) and "(ended)" in text_of(page)
    gem = sign_in(GEM)
    assert "questions about the decision can no longer be asked" in text_of(
        gem.get(f"/opportunities/{procurement.id}"))
    late = gem.post(f"/opportunities/{procurement.id}/decision-questions",
                    data={"question": "Too late?"})
    assert late.status_code == 400


def test_unused_imports_are_kept_honest():
    assert AGREED and clarifications and timedelta


# --- hostile input on the decision pages -----------------------------------------------------


@pytest.mark.parametrize("rationale, message", [
    ("", "Say why this response is chosen"),
    ("Best\x00value", "Remove the unusual characters from the text"),
    ("x" * 4001, "Keep this to 4,000 characters or fewer"),
])
def test_a_bad_rationale_is_refused_at_its_field(moderated, sign_in, rationale, message):
    procurement, found = moderated
    response = sign_in(LEAD).post(
        f"/procurements/{procurement.id}/award/{found['arden_user'].id}",
        data={"lock_version": str(procurement.lock_version), "rationale": rationale})
    assert response.status_code == 400
    assert _errors(response) == [message]
    assert html(response).find("a", href="#rationale") is not None
    assert _count(ProcurementDecision) == 0


@pytest.mark.parametrize("version", ["", "abc", "²", "-1", "9" * 30])
def test_a_decision_without_a_readable_version_is_refused(moderated, sign_in, version):
    procurement, found = moderated
    response = sign_in(LEAD).post(
        f"/procurements/{procurement.id}/award/{found['arden_user'].id}",
        data={"lock_version": version, "rationale": "Best value."})
    assert response.status_code == 409
    assert _count(ProcurementDecision) == 0


@pytest.mark.parametrize("path", ["/award/99999", "/award/" + "9" * 20, "/evaluation/99999",
                                  "/moderation/99999", "/letters/99999",
                                  "/decision-questions/99999/answer"])
def test_unknown_objects_in_urls_are_not_found(moderated, sign_in, path):
    procurement, _found = moderated
    assert sign_in(LEAD).get(f"/procurements/{procurement.id}{path}").status_code == 404


def test_a_huge_or_odd_decision_question_gets_a_message(awarded, sign_in):
    procurement, _found = awarded
    gem = sign_in(GEM)
    for question, message in (("q" * 2001, "Keep this to 2,000 characters or fewer"),
                              ("why\x00", "Remove the unusual characters from the text")):
        response = gem.post(f"/opportunities/{procurement.id}/decision-questions",
                            data={"question": question})
        assert response.status_code == 400 and _errors(response) == [message]
    assert _count(Clarification) == 0
