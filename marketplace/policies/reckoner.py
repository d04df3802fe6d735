"""Scenarios and the running cost allowances.

A CCG's users read and change its scenarios; BDU reviewers read every CCG's scenario on the
HTML pages. The API's scenario is the CCG's own (``own``). Administrators keep the allowances.
A CCG's authorisation evidence packs are its own: only its users issue and read them.
"""

from marketplace.models import AuthorisationPack, FinancialYearAllowance, Role, Scenario

from .people import ccg_user_of, is_admin
from .rules import declare


def _own(user, scenario) -> bool:
    return ccg_user_of(user, scenario.organisation_id)


declare(
    Scenario,
    view=lambda user, scenario: _own(user, scenario) or user.role == Role.BDU_REVIEWER,
    own=_own,
    edit=_own,
    not_found="There is no scenario with that number",
)

declare(FinancialYearAllowance, view=is_admin, edit=is_admin)

declare(
    AuthorisationPack,
    view=lambda user, pack: ccg_user_of(user, pack.ccg_id),
    not_found="There is no authorisation evidence pack with that number",
)
