"""The demo's completed September 2012 customer survey (marketplace/demo/surveys.py): closed
at the demo's "now", one answer per CCG per CSS it had signed with, and the aggregates in the
order of the CSSs' assurance ratings."""

from decimal import Decimal

from sqlalchemy import func, select

from marketplace.data import read_csv
from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.demo.organisations import css_display_name
from marketplace.demo.procurements import DEMO_NOW
from marketplace.demo.prospectuses import seed_prospectuses
from marketplace.demo.specifications import seed_specifications
from marketplace.demo.surveys import seed_survey
from marketplace.extensions import db
from marketplace.models import Organisation, SurveyAnswer, SurveyScore, SurveyWindow
from marketplace.services import customer_survey
from marketplace.services.transaction import transaction

from ..conftest import text_of


def _seed() -> None:
    for seeder in (
        seed_specifications,
        seed_prospectuses,
        seed_checkpoints,
        seed_assurance,
        seed_survey,
    ):
        with transaction():
            seeder(1)


def _scores() -> list[tuple]:
    return list(
        db.session.execute(
            select(
                SurveyAnswer.ccg_id,
                SurveyAnswer.provider_id,
                SurveyScore.question,
                SurveyScore.score,
            )
            .join(SurveyScore.answer)
            .order_by(SurveyAnswer.ccg_id, SurveyAnswer.provider_id, SurveyScore.question)
        )
    )


def test_the_september_2012_survey_lines_up_with_the_assurance_ratings(
    app, app_context, bdu_client, clock
):
    _seed()
    clock.set(DEMO_NOW)
    window = db.session.scalar(select(SurveyWindow))
    assert window.checkpoint.number == 3 and window.state(DEMO_NOW.date()) == "closed"
    assert str(window.opens_on) == "2012-09-01" and str(window.closes_on) == "2012-09-30"
    by_rating: dict[str, list[Decimal]] = {"A": [], "B": [], "C": []}
    for row in read_csv("checkpoint2_outcomes_2012.csv"):
        provider = db.session.scalar(
            select(Organisation).where(Organisation.name == css_display_name(row["css_name"]))
        )
        result = customer_survey.aggregates_for([window], provider.id)[window.id]
        if result.shown:
            by_rating[row["scenario"]].append(result.overall)
    assert all(by_rating.values()), by_rating
    # Every A-rated CSS scores above every B, every B above every C.
    assert min(by_rating["A"]) > max(by_rating["B"])
    assert min(by_rating["B"]) > max(by_rating["C"])
    # The BDU reads it; seeding again adds nothing and draws the same scores.
    page = bdu_client.get(f"/customer-surveys/{window.id}")
    assert "out of 5" in text_of(page)
    before = _scores()
    with transaction():
        seed_survey(1)
    assert _scores() == before
    assert db.session.scalar(select(func.count()).select_from(SurveyWindow)) == 1
