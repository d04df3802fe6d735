"""Sign-off tells the CSS its results and conditions; a decided condition tells it too."""

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification
from marketplace.services import follow_up

from .. import factories as build


def _told(kind: str) -> dict[str, Notification]:
    return {row.recipient.email: row for row in db.session.scalars(
        select(Notification).where(Notification.kind == kind))}


def test_sign_off_tells_the_css_leaders_and_a_decision_on_a_condition_too(app_context,
                                                                           smtp_server):
    review = build.sign_off(build.drafted_review(2))
    issued = _told("review_issued")
    assert "css@demo.test" in issued and "bdu@demo.test" not in issued
    row = issued["css@demo.test"]
    assert row.sentence == (f"Your {review.submission.checkpoint.title} review is issued: "
                            f"{review.outcome_label}")
    assert row.link == f"/assurance/submissions/{review.submission_id}"
    assert _told("condition_set")["css@demo.test"].sentence.endswith(
        "1 condition set for Arden CSS to answer")
    [condition] = review.conditions
    follow_up.respond_to_condition(build.person("css@demo.test"), condition, "Revised.")
    follow_up.decide_condition(build.person("bdu2@demo.test"), condition, accept=False,
                               note="Not yet.")
    decided = _told("condition_decided")["css@demo.test"]
    assert decided.sentence.startswith("A reviewer reopened your response to a ")
    subjects = {(m["To"], m["Subject"]) for m in smtp_server.wait_for(3)}
    assert ("css@demo.test", "CSS Marketplace: " + row.sentence) in subjects
    assert ("css@demo.test", "CSS Marketplace: " + decided.sentence) in subjects
