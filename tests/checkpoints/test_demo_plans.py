"""The demo's business plans raise the weaknesses of their 2012 Checkpoint 2 outcome."""

from collections import Counter

from sqlalchemy import select

from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db
from marketplace.models import Checkpoint, Review, ReviewStatus, Submission
from marketplace.services.assurance import analysis_for

B_WEAKNESSES = {"income_flat", "deficit_in_year", "workforce_copied", "income_without_backing"}
CCG_WEAKNESSES = {"income_growth_against_allowance", "income_without_backing"}
C_WEAKNESSES = {
    "income_growth_against_allowance",
    "deficit_in_year",
    "cumulative_deficit",
    "workforce_copied",
    "income_without_backing",
}


def test_each_plan_raises_the_weaknesses_of_its_outcome(app_context):
    seed_specifications()
    seed_checkpoints()
    seed_assurance()
    db.session.commit()
    reviews = db.session.scalars(
        select(Review)
        .join(Submission)
        .join(Checkpoint)
        .where(Checkpoint.number == 2, Review.status == ReviewStatus.SIGNED_OFF)
    ).all()
    assert Counter(r.outcome_code for r in reviews) == {"A": 14, "B": 9, "C": 3}
    for review in reviews:
        plan = review.submission.business_plan
        codes = {flag.code.value for flag in analysis_for(plan).result.flags}
        who = (plan.organisation.name, review.outcome_code, codes)
        # A national CSS (communications) has no CCG customers: no CCG income to judge.
        no_ccgs = (
            set()
            if plan.income_rows and any(row.customer_id for row in plan.income_rows)
            else CCG_WEAKNESSES
        )
        if review.outcome_code == "A":
            # Few flags: at most the concentration risk of a CSS with few customers.
            assert codes <= {"customer_concentration", "largest_customer_exit"}, who
        elif review.outcome_code == "B":
            assert B_WEAKNESSES - no_ccgs <= codes, who
            assert not {"income_growth_against_allowance", "cumulative_deficit"} & codes, who
        else:
            assert C_WEAKNESSES - no_ccgs <= codes, who
        # One flag a CCG at most: a reviewer reads a list, not a spreadsheet.
        ccgs = [
            f for f in analysis_for(plan).result.flags if f.code.value == "income_without_backing"
        ]
        assert len(ccgs) == len({f.figure("customer").value for f in ccgs}), who
