"""Organisations and user accounts.

An organisation's own users act for it: CCG users for a CCG (its scenarios, requirements,
shortlists and agreements), CSS leaders for a CSS or independent provider (its prospectus,
business plans, evidence and submissions). Only administrators manage user accounts.
"""

from marketplace.models import Organisation, User

from .market import records_market_change
from .people import ccg_user_of, is_admin, leader_of
from .rules import declare

declare(
    Organisation,
    hidden=False,
    view=lambda user, organisation: True,
    act_for_ccg=lambda user, organisation: organisation.is_ccg
    and ccg_user_of(user, organisation.id),
    act_for_provider=lambda user, organisation: leader_of(user, organisation.id),
    # The BDU and administrators record a CSS's hosting decision, licence and merger.
    record_market_change=lambda user, organisation: organisation.is_css
    and records_market_change(user),
)

declare(User, view=is_admin, edit=is_admin, not_found="There is no user with that number")
