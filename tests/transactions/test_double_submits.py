"""Double submits: the same form sent twice at once (a double click, a second tab).

Each test runs the second request to the end while the first is between its checks and its
writes (tests/races.py), as a real double submit does. The first to write wins; the other
answers 409 with a message in words, and exactly one row exists.
"""

from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    BusinessPlan,
    ProspectusVersion,
    Review,
    Shortlist,
    ShortlistEntry,
    Submission,
)
from marketplace.services import prospectuses

from .. import factories as build
from ..conftest import text_of, user
from ..factories import add_offer, create_spec, organisation
from ..races import meanwhile


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(action: str) -> int:
    return count(AuditEvent, AuditEvent.action == action)


def test_publishing_twice_at_once_publishes_one_version(app, sign_in):
    arden = organisation("Arden CSS")
    prospectuses.save_draft(None, arden, lock_version=None, content={"vision": "Support"},
                            ccg_ids=[])
    add_offer("Arden CSS", create_spec())
    lock = str(prospectuses.draft_for(arden.id).lock_version)
    first, second = sign_in("css@demo.test"), sign_in("css@demo.test")
    form = {"lock_version": lock, "change_note": "First version"}

    with meanwhile(app, lambda: second.post("/prospectus/publish", data=form)) as other:
        response = first.post("/prospectus/publish", data=form)

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "not published again" in text_of(response)
    assert count(ProspectusVersion) == 1
    assert events("prospectus.published") == 1


def test_submitting_to_a_checkpoint_twice_at_once_makes_one_submission(app, sign_in):
    build.checkpoint(2)
    plan = build.plan()
    first, second = sign_in("css@demo.test"), sign_in("css@demo.test")
    form = {"document_id": plan.id}

    with meanwhile(app, lambda: second.post("/assurance/checkpoints/2/submit", data=form)) \
            as other:
        response = first.post("/assurance/checkpoints/2/submit", data=form)

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "already submitted" in text_of(response)
    assert count(Submission) == 1
    assert events("submission.created") == 1


def test_starting_a_new_plan_version_twice_at_once_starts_one(app, sign_in):
    build.plan(submitted=True)
    first, second = sign_in("css@demo.test"), sign_in("css@demo.test")

    with meanwhile(app, lambda: second.post("/assurance/plans/new")) as other:
        response = first.post("/assurance/plans/new")

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "already a draft" in text_of(response)
    assert count(BusinessPlan) == 2
    assert events("business_plan.created") == 1


def test_starting_a_review_twice_at_once_starts_one(app, sign_in):
    submission = build.submission(2)
    reviewer = user("bdu@demo.test")
    first, second = sign_in("bdu@demo.test"), sign_in("bdu@demo.test")
    url = f"/reviews/submissions/{submission.id}/reviewers"
    form = {"reviewer_id": reviewer.id}

    with meanwhile(app, lambda: second.post(url, data=form)) as other:
        response = first.post(url, data=form)

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "already started" in text_of(response)
    assert count(Review) == 1
    assert events("review.reviewer_assigned") == 1


def test_shortlisting_an_offer_twice_at_once_keeps_one_entry(app, sign_in, market):
    first, second = sign_in("ccg@demo.test"), sign_in("ccg@demo.test")
    form = {"offer_id": market.arden_bi.id}

    with meanwhile(app, lambda: second.post("/shortlists/add", data=form)) as other:
        response = first.post("/shortlists/add", data=form)

    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "already on your shortlist" in text_of(response)
    assert count(Shortlist) == 1
    assert count(ShortlistEntry) == 1
    assert events("shortlist.offer_added") == 1
