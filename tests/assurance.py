"""Builders for assurance tests: checkpoints, plans, submissions and reviews in few lines."""

from decimal import Decimal

from sqlalchemy import select

from marketplace.demo.assurance import ensure_prospectus_version
from marketplace.demo.business_plans import ensure_plan
from marketplace.extensions import db
from marketplace.models import Organisation, Submission, User
from marketplace.services import reviews
from marketplace.services.checkpoints import checkpoint_by_number, ensure_standard_checkpoints

ARDEN = "Arden CSS"
GEM = "Greater East Midlands CSS"


def organisation(name: str) -> Organisation:
    return db.session.scalar(select(Organisation).where(Organisation.name == name))


def person(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def checkpoint(number: int):
    ensure_standard_checkpoints()
    db.session.commit()
    return checkpoint_by_number(number)


def plan(name: str = ARDEN, version: int = 1, *, submitted: bool = False, weak: bool = False):
    made = ensure_plan(organisation(name), version, submitted=submitted, weak=weak,
                       price_per_head=Decimal("10"))
    db.session.commit()
    return made


def submission(number: int, name: str = ARDEN) -> Submission:
    point = checkpoint(number)
    org = organisation(name)
    if point.takes_business_plan:
        document = {"business_plan": plan(name, number - 1, submitted=True)}
    else:
        document = {"prospectus_version": ensure_prospectus_version(org)}
    made = Submission(checkpoint=point, organisation=org, **document)
    db.session.add(made)
    db.session.commit()
    return made


def started_review(number: int = 2, name: str = ARDEN, author: str = "bdu@demo.test"):
    reviewer = person(author)
    return reviews.assign_reviewer(reviewer, submission(number, name), reviewer)


def rate(review, values: dict[str, str], actor: str = "bdu@demo.test", **outcome):
    by_key = {c.key: c.id for c in review.submission.checkpoint.criteria}
    return reviews.save_review(
        person(actor), review, expected_lock_version=review.lock_version,
        ratings={by_key[k]: reviews.RatingInput(v, f"{k} commentary") for k, v in values.items()},
        summary="Summary", **outcome)


CP2_GOOD = {"leadership": "good_progress", "business_plan": "good_progress",
            "ccg_customer_focus": "good_progress"}
