"""Agreements, requirements and shortlists: the buying CCG's own records.

A CCG's users read and change its agreements and sign them; the provider's CSS leaders read
the agreements made with it (/customers) and countersign them; BDU reviewers read them.
Another organisation's agreement answers 404.
"""

from marketplace.models import (
    Agreement,
    AgreementKpi,
    AgreementVariation,
    PerformanceFigure,
    PerformanceReturn,
    Role,
    ServiceReview,
    ServiceReviewAction,
    Shortlist,
    ShortlistEntry,
)

from .people import ccg_user_of, leader_of
from .rules import declare, may

declare(
    Agreement,
    # BDU reviewers read any agreement (what CSSs are contracted for), and change nothing.
    view=lambda user, agreement: ccg_user_of(user, agreement.ccg_id)
    or leader_of(user, agreement.provider_id) or user.role == Role.BDU_REVIEWER,
    # The CCG changes its drafts, signs them and moves signed ones on.
    edit=lambda user, agreement: ccg_user_of(user, agreement.ccg_id),
    # The provider countersigns (or declines) in its own account, never the CCG for it.
    countersign=lambda user, agreement: leader_of(user, agreement.provider_id),
    # The provider reports its performance against the agreement's KPIs; the CCG reviews it.
    report=lambda user, agreement: leader_of(user, agreement.provider_id),
    # Running the contract is for both parties: service reviews and their actions.
    party=lambda user, agreement: ccg_user_of(user, agreement.ccg_id)
    or leader_of(user, agreement.provider_id),
    not_found="There is no agreement with that number",
)


# A KPI is seen by whoever sees its agreement, and changed by whoever changes the agreement
# (the CCG, while it is a draft: the service refuses once signed).
declare(
    AgreementKpi,
    view=lambda user, kpi: may(user, "view", kpi.agreement),
    edit=lambda user, kpi: may(user, "edit", kpi.agreement),
    not_found="There is no service level with that number on this agreement",
)


# Returns are read by whoever reads the agreement; each figure is reviewed by the CCG.
declare(
    PerformanceReturn,
    view=lambda user, performance_return: may(user, "view", performance_return.agreement),
    not_found="There is no performance return with that number on this agreement",
)
declare(
    PerformanceFigure,
    view=lambda user, figure: may(user, "view", figure.agreement),
    review=lambda user, figure: may(user, "edit", figure.agreement),
    not_found="There is no figure with that number in this return",
)


# A service review is read by whoever reads the agreement; either party marks actions done.
declare(
    ServiceReview,
    view=lambda user, review: may(user, "view", review.agreement),
    not_found="There is no service review with that number on this agreement",
)
declare(
    ServiceReviewAction,
    view=lambda user, action: may(user, "view", action.agreement),
    complete=lambda user, action: may(user, "party", action.agreement),
    not_found="There is no service review action with that number on this agreement",
)


# A variation is read by whoever reads the agreement; it is answered by the party that did
# not propose it (never by the proposer for the other side).
declare(
    AgreementVariation,
    view=lambda user, variation: may(user, "view", variation.agreement),
    answer=lambda user, variation: may(user, "party", variation.agreement)
    and not user.belongs_to(variation.proposed_for_id),
    not_found="There is no variation with that number on this agreement",
)


def _own_ccg(user, obj) -> bool:
    return ccg_user_of(user, obj.organisation_id)


declare(Shortlist, view=_own_ccg, edit=_own_ccg)
declare(
    ShortlistEntry,
    view=lambda user, entry: _own_ccg(user, entry.shortlist),
    edit=lambda user, entry: _own_ccg(user, entry.shortlist),
    not_found="That offer is not on your shortlists",
)
