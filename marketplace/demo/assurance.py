"""Demo assurance: checkpoints 1-3, the 26 Checkpoint 2 results of 2012 signed off with
ratings that produce their published scenarios, checkpoint 1 peer reviews for every CSS,
and checkpoint 3 reviews in progress.

Reviews are written as rows directly (the services need a signed-in actor and today's date);
the ratings still go through the domain rule, so a published scenario that the ratings do
not produce fails here rather than showing a wrong result.
"""

from datetime import UTC, date, datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import select

from marketplace.data import read_csv
from marketplace.domain.checkpoints import (
    DomainRating,
    FeedbackRating,
    GatewayRating,
    compute_outcome,
)
from marketplace.extensions import db
from marketplace.models import (
    ActionStatus,
    Condition,
    ConditionStatus,
    DevelopmentAction,
    Organisation,
    Prospectus,
    ProspectusVersion,
    Rating,
    Review,
    ReviewAssignment,
    ReviewStatus,
    Submission,
    User,
)
from marketplace.services import review_documents
from marketplace.services.checkpoints import checkpoint_by_number, ensure_standard_checkpoints

from .business_plans import ensure_agreements, ensure_intentions, ensure_plan
from .organisations import css_display_name

G, M, F = DomainRating.GOOD_PROGRESS, DomainRating.MARGINAL, DomainRating.FAILED
# Ratings (leadership, business plan, CCG customer focus) that give each scenario; B and C
# cycle through the shapes the published rule allows.
SCENARIO_RATINGS = {
    "A": [(G, G, G)],
    "B": [(G, M, G), (M, M, G), (G, F, G), (G, M, M)],
    "C": [(F, F, M), (M, F, F), (F, F, F)],
}
# Its revised prospectus reached the peer reviewers in September 2012, after its Checkpoint 2
# result: peer@demo.test has the Checkpoint 1 review to do.
CP1_TO_DO = "Hertfordshire"
CP3_IN_PROGRESS = ("South Yorkshire", "Staffordshire", "North West London",
                   "North Yorkshire and Humber", "Kent and Medway")


def _at(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def seed_checkpoints(scale: int = 1) -> None:
    ensure_standard_checkpoints()


def ensure_prospectus_version(organisation: Organisation) -> ProspectusVersion:
    """The CSS's latest published version, or a minimal v1 so checkpoint 1 has something."""
    version = db.session.scalar(
        select(ProspectusVersion).where(ProspectusVersion.organisation_id == organisation.id)
        .order_by(ProspectusVersion.number.desc()).limit(1))
    if version is not None:
        return version
    prospectus = db.session.scalar(
        select(Prospectus).where(Prospectus.organisation_id == organisation.id))
    if prospectus is None:
        prospectus = Prospectus(organisation=organisation,
                                vision=f"{organisation.name}: support that CCGs choose.")
        db.session.add(prospectus)
    version = ProspectusVersion(
        prospectus=prospectus, organisation=organisation, number=1,
        published_at=_at(2012, 1, 9), vision=prospectus.vision,
        operating_model="Local account teams backed by shared specialist services.",
        change_note="Prospectus for Checkpoint 1",
    )
    db.session.add(version)
    return version


def _review(submission, author, signer, ratings: dict[str, str], *, signed_on=None,
            summary="") -> Review:
    checkpoint = submission.checkpoint
    review = Review(submission=submission, author=author, status=ReviewStatus.DRAFT,
                    summary=summary)
    review.assignments.append(ReviewAssignment(reviewer=author))
    by_key = {criterion.key: criterion for criterion in checkpoint.criteria}
    for key, value in ratings.items():
        review.ratings.append(Rating(criterion=by_key[key], value=value,
                                     commentary=f"{by_key[key].name}: rated {value}."))
    if len(ratings) == len(by_key):
        outcome = compute_outcome(checkpoint.rule_key, ratings)
        review.computed_outcome_code = review.outcome_code = outcome.code
        review.outcome_label = outcome.label
    if signed_on is not None:
        review.status = ReviewStatus.SIGNED_OFF
        review.signed_off_by = signer
        review.signed_off_at = signed_on
    db.session.add(review)
    return review


def _submission(checkpoint, organisation, submitted_at, **document) -> Submission | None:
    existing = db.session.scalar(select(Submission).where(
        Submission.checkpoint_id == checkpoint.id,
        Submission.organisation_id == organisation.id))
    if existing is not None:
        return None
    submission = Submission(checkpoint=checkpoint, organisation=organisation,
                            submitted_at=submitted_at, **document)
    db.session.add(submission)
    return submission


def seed_assurance(scale: int = 1) -> None:
    ensure_standard_checkpoints()
    cp1, cp2, cp3 = (checkpoint_by_number(n) for n in (1, 2, 3))
    bdu, bdu2 = _user("bdu@demo.test"), _user("bdu2@demo.test")
    peer, peer2 = _user("peer@demo.test"), _user("peer2@demo.test")
    feedback = list(FeedbackRating)
    counts = {"A": 0, "B": 0, "C": 0}
    for index, row in enumerate(read_csv("checkpoint2_outcomes_2012.csv")):
        organisation = db.session.scalar(
            select(Organisation).where(Organisation.name == css_display_name(row["css_name"])))
        scenario = row["scenario"]
        weak = scenario != "A"
        price = Decimal("9.00") + Decimal(index % 5) * Decimal("0.25")

        # Checkpoint 1: prospectus peer review, January 2012; one prospectus came in late and
        # waits for its peer review (peer@demo.test has it to do).
        version = ensure_prospectus_version(organisation)
        late = row["css_name"] == CP1_TO_DO
        submission = _submission(cp1, organisation, _at(2012, 9, 3) if late else _at(2012, 1, 16),
                                 prospectus_version=version)
        if submission is not None and late:
            _review(submission, peer, None, {}, summary="")
        elif submission is not None:
            ratings = {c.key: feedback[(index + n) % 3].value
                       for n, c in enumerate(cp1.criteria)}
            _review(submission, peer if index % 2 else peer2, peer2 if index % 2 else peer,
                    ratings, signed_on=_at(2012, 2, 20),
                    summary="Peer review with CCG and local authority input.")

        # Checkpoint 2: outline business plan, March 2012; results 14 May 2012.
        plan = ensure_plan(organisation, 1, submitted=True, weak=weak, price_per_head=price,
                           submitted_on=date(2012, 3, 30), outcome=scenario)
        if not weak:
            ensure_intentions(organisation, plan)
        ensure_agreements(organisation, leave_out_one=weak, price_per_head=price)
        submission = _submission(cp2, organisation, _at(2012, 3, 30), business_plan=plan)
        if submission is not None:
            shapes = SCENARIO_RATINGS[scenario]
            values = shapes[counts[scenario] % len(shapes)]
            counts[scenario] += 1
            ratings = {c.key: v.value for c, v in zip(cp2.criteria, values, strict=True)}
            review = _review(submission, bdu, bdu2, ratings, signed_on=_at(2012, 5, 14),
                             summary=f"Checkpoint 2 result published 14 May 2012: {scenario}.")
            assert review.outcome_code == scenario, (row["css_name"], scenario, ratings)
            _development_plan(review, scenario)

        # Checkpoint 3: full business plan, August 2012, some reviews under way.
        if row["css_name"] in CP3_IN_PROGRESS:
            plan3 = ensure_plan(organisation, 2, submitted=True, weak=False,
                                price_per_head=price + Decimal("0.15"),
                                submitted_on=date(2012, 8, 31))
            submission = _submission(cp3, organisation, _at(2012, 8, 31), business_plan=plan3)
            if submission is not None:
                tests = [GatewayRating.AMBER_GREEN, GatewayRating.GREEN, GatewayRating.AMBER]
                ratings = {c.key: tests[n % 3].value for n, c in enumerate(cp3.criteria[:3])}
                _review(submission, bdu, None, ratings,
                        summary="Site visit done; waiting for the CCG customer survey.")
        elif row["css_name"] == "Arden":
            # Arden's leader (css@demo.test) has a full plan drafted, ready for checkpoint 3.
            ensure_plan(organisation, 2, submitted=False, weak=False,
                        price_per_head=price + Decimal("0.15"))


def seed_review_documents(scale: int = 1) -> None:
    """Every seeded signed-off review issued as its PDF now, as of its sign-off date and from
    the data of that date (services/review_documents.issue_as_signed_off), before the later
    history (the summer's mergers, the 2013 competitions) changes what the data says.
    ``REVIEW_DOCUMENTS_AT_SEEDING`` off (the tests' default, for speed) leaves them to be
    issued on first download."""
    if not current_app.config.get("REVIEW_DOCUMENTS_AT_SEEDING", True):
        return
    for review in db.session.scalars(
            select(Review).where(Review.status == ReviewStatus.SIGNED_OFF)
            .order_by(Review.signed_off_at, Review.id)):
        review_documents.issue_as_signed_off(review)


def _development_plan(review: Review, scenario: str) -> None:
    review.actions.append(DevelopmentAction(
        action="Link planned income to each CCG's signed agreement and stated intentions.",
        owner="Director of finance", due_date=date(2012, 7, 31), status=ActionStatus.OPEN))
    if scenario == "A":
        return
    review.conditions.append(Condition(
        text="Submit a revised financial model with income that changes year on year and "
             "a workforce plan that differs from the PCT cluster's.",
        status=ConditionStatus.OPEN))
    review.actions.append(DevelopmentAction(
        action="Appoint a permanent managing director.", owner="Chair of the CSS board",
        due_date=date(2012, 7, 31), status=ActionStatus.OPEN))
    if scenario == "C":
        review.conditions.append(Condition(
            text="Agree with the BDU by 30 June 2012 whether to merge with a neighbouring "
                 "CSS.", status=ConditionStatus.OPEN))
