"""Market change: only the Business Development Unit and administrators record the Board's
hosting decisions, licences to operate and their conditions, and mergers; every user may
read that a CSS has merged (organisations are public)."""

from marketplace.models import Licence, LicenceCondition, Role

from .rules import declare


def records_market_change(user, obj=None) -> bool:
    return user.is_active_user and user.role in (Role.BDU_REVIEWER, Role.ADMIN)


declare(
    Licence,
    view=records_market_change,
    edit=records_market_change,
    not_found="There is no licence with that number",
)
declare(
    LicenceCondition,
    view=records_market_change,
    edit=records_market_change,
    not_found="There is no licence condition with that number",
)
