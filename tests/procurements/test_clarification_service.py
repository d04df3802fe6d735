"""Questions until the cut-off, answers published to every provider without the asker."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import Clarification
from marketplace.services import clarifications
from marketplace.services.errors import Conflict, PermissionDenied, ServiceError

from ..factories import published_competition

QUESTION = "Do you want the dashboards monthly or weekly?"


def _questions() -> int:
    return db.session.scalar(select(func.count(Clarification.id)))


def test_a_provider_asks_and_the_lead_answers_for_everybody(buying):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.arden_user, procurement, QUESTION)
    assert clarifications.published_answers(procurement) == []
    assert clarifications.unanswered_count(procurement) == 1
    clarifications.answer(buying.lead_user, asked, "Monthly, by working day 10.")
    [published] = clarifications.published_answers(procurement)
    assert (published.number, published.question, published.answer) == (
        1, QUESTION, "Monthly, by working day 10.")
    # What providers are given has nothing in it that could name the asker.
    assert not any("Arden" in str(value) or "Tom Hughes" in str(value)
                   for value in vars(published).values())
    assert clarifications.questions_from(buying.arden_user.organisation_id, procurement) == [
        asked]
    assert clarifications.questions_from(buying.gem_user.organisation_id, procurement) == []


@pytest.mark.parametrize("who", ["nwl_user", "lead_user", "partner_user", "bdu_user"])
def test_only_providers_who_may_respond_can_ask(buying, who):
    procurement = published_competition(buying)
    with pytest.raises(PermissionDenied):
        clarifications.ask(getattr(buying, who), procurement, QUESTION)
    db.session.rollback()
    assert _questions() == 0


def test_an_uninvited_provider_cannot_ask_when_the_list_is_chosen(buying):
    procurement = published_competition(buying, open_to_all=False, invitees=[buying.market.gem])
    with pytest.raises(PermissionDenied):
        clarifications.ask(buying.arden_user, procurement, QUESTION)
    db.session.rollback()
    clarifications.ask(buying.gem_user, procurement, QUESTION)
    assert _questions() == 1


def test_questions_stop_at_the_cut_off(buying, clock):
    procurement = published_competition(buying)
    clock.set(procurement.clarifications_close_at - timedelta(seconds=1))
    clarifications.ask(buying.gem_user, procurement, QUESTION)
    clock.set(procurement.clarifications_close_at)
    with pytest.raises(ServiceError, match="last date for questions has passed") as raised:
        clarifications.ask(buying.gem_user, procurement, "One more?")
    assert raised.value.field == "question"
    db.session.rollback()
    assert _questions() == 1


@pytest.mark.parametrize("text, message", [("", "Enter your question"),
                                           ("x" * 2001, "Keep this to 2,000 characters"),
                                           ("bad\x00byte", "Remove the unusual characters")])
def test_a_question_is_checked(buying, text, message):
    procurement = published_competition(buying)
    with pytest.raises(ServiceError, match=message):
        clarifications.ask(buying.gem_user, procurement, text)
    db.session.rollback()
    assert _questions() == 0


@pytest.mark.parametrize("who", ["partner_user", "other_ccg_user", "gem_user", "bdu_user"])
def test_only_the_lead_answers(buying, who):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.arden_user, procurement, QUESTION)
    with pytest.raises(PermissionDenied):
        clarifications.answer(getattr(buying, who), asked, "Monthly.")
    db.session.rollback()
    assert not asked.is_answered


def test_an_answer_is_given_once(buying):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.arden_user, procurement, QUESTION)
    clarifications.answer(buying.lead_user, asked, "Monthly.")
    with pytest.raises(Conflict):
        clarifications.answer(buying.lead_user, asked, "Weekly.")
    db.session.rollback()
    assert asked.answer == "Monthly."


def test_the_window_stays_open_while_a_question_awaits_its_answer(buying, clock):
    procurement = published_competition(buying)
    asked = clarifications.ask(buying.arden_user, procurement, QUESTION)
    clock.set(procurement.closes_at + timedelta(hours=1))
    assert clarifications.clarification_window_open(procurement)
    clarifications.answer(buying.lead_user, asked, "Monthly.")  # after closing is fine
    assert not clarifications.clarification_window_open(procurement)
