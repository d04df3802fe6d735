"""Checkpoints 1 to 3 as published in 2012: the reference data an admin starts from.

Checkpoint 1 criteria were never published; these follow its two published themes (CCG needs,
running a support service) as the issue describes them.
"""

from dataclasses import dataclass
from datetime import date

from marketplace.models import Role, SubmissionKind


@dataclass(frozen=True)
class StandardCheckpoint:
    number: int
    name: str
    description: str
    submission_kind: str
    rule_key: str
    reviewer_role: str
    due_date: date
    results_date: date | None
    requires_scorecard: bool
    # (key, name, guidance)
    criteria: tuple[tuple[str, str, str], ...]


STANDARD_CHECKPOINTS = (
    StandardCheckpoint(
        1, "Prospectus",
        "Peer review of the CSS's prospectus, its offer to CCGs, led by the SHA cluster with "
        "CCGs and local authorities involved. Outcome: feedback and development needs.",
        SubmissionKind.PROSPECTUS, "cp1_feedback", Role.PEER_REVIEWER,
        date(2012, 1, 31), date(2012, 2, 29), False,
        (
            ("responsiveness_to_ccg_needs", "Responsiveness to CCG needs",
             "Does the offer start from what the CCGs it serves have said they need?"),
            ("range_and_clarity_of_offer", "Range and clarity of the offer",
             "Are the services, their scale and their prices clear enough to choose between?"),
            ("operating_arrangements", "Operating arrangements",
             "Can the CSS run as a support service: structure, hosting, governance?"),
            ("stakeholder_involvement", "Stakeholder involvement",
             "Were CCGs, local authorities and Health and Wellbeing Boards involved?"),
        ),
    ),
    StandardCheckpoint(
        2, "Outline business plan",
        "BDU assessment of the outline business plan in three domains. Outcome: scenario A "
        "(proceed), B (proceed with issues needing rapid management) or C (stop), and a "
        "binding development plan.",
        SubmissionKind.BUSINESS_PLAN, "cp2_scenario", Role.BDU_REVIEWER,
        date(2012, 3, 31), date(2012, 5, 14), False,
        (
            ("leadership", "Leadership",
             "A credible leadership team with the skills to run a business."),
            ("business_plan", "Business plan",
             "Income linked to customers' intentions; costs and workforce that change over time."),
            ("ccg_customer_focus", "CCG customer focus",
             "Evidence that CCGs shaped the offer and intend to buy it."),
        ),
    ),
    StandardCheckpoint(
        3, "Full business plan",
        "BDU assessment of the full business plan, financial model and balanced scorecard, "
        "with a site visit and a CCG customer survey in September. Outcome: a hosting "
        "recommendation to the Board and a provisional licence to operate.",
        SubmissionKind.BUSINESS_PLAN, "cp3_hosting", Role.BDU_REVIEWER,
        date(2012, 8, 31), date(2012, 10, 31), True,
        (
            ("leadership", "Leadership test", "Leadership in place; site visit findings."),
            ("customer", "Customer test",
             "CCG customer survey results; agreements and intentions behind the income."),
            ("business", "Business test", "A viable financial model over four years."),
            ("delivery", "Delivery test", "Capacity and plans to deliver from April 2013."),
        ),
    ),
)
