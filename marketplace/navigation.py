"""The header navigation each role sees. Features add their entries to NAVIGATION."""

from dataclasses import dataclass

from flask import current_app, url_for

from marketplace.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    roles: frozenset[str]


def _item(label: str, endpoint: str, *roles: str) -> NavItem:
    return NavItem(label, endpoint, frozenset(roles))


NAVIGATION: list[NavItem] = [
    _item("Dashboard", "main.dashboard", *Role),
    _item("Scenarios", "reckoner.scenarios", Role.CCG_USER, Role.BDU_REVIEWER),
    _item("Ready reckoner", "reckoner.ready_reckoner", *Role),
    _item("Statements", "statements.index", Role.CCG_USER),
    _item("Shortlists", "shortlists.index", Role.CCG_USER),
    _item("Procurements", "procurements.index", Role.CCG_USER, Role.BDU_REVIEWER),
    _item("Agreements", "agreements.index", Role.CCG_USER),
    _item("Opportunities", "opportunities.index", Role.CSS_LEADER),
    _item("Customers", "customers.index", Role.CSS_LEADER),
    _item("Find offers", "offers.search", *Role),
    _item("Our prospectus", "prospectuses.overview", Role.CSS_LEADER),
    _item("Specifications", "catalogue.manage", Role.ADMIN),
    _item("Users", "admin.users", Role.ADMIN),
    _item("Allowances", "reckoner.allowances", Role.ADMIN),
    _item("Audit trail", "admin.audit_events", Role.ADMIN),
    _item("Assurance", "checkpoints.progress", Role.CSS_LEADER),
    _item("Reviews", "reviews.index", Role.BDU_REVIEWER, Role.PEER_REVIEWER),
    _item("Tracker", "tracker.dashboard", Role.BDU_REVIEWER, Role.ADMIN),
    _item("Demand", "demand.index", Role.BDU_REVIEWER, Role.PEER_REVIEWER, Role.ADMIN),
    _item("Checkpoints", "checkpoint_admin.index", Role.ADMIN),
    # Last, so that the header keeps the older entries in view on narrow screens.
    _item("Procurement thresholds", "procurement_thresholds.index", Role.ADMIN),
    _item("Plan checks", "plan_check_thresholds.index", Role.BDU_REVIEWER, Role.ADMIN),
]


def navigation_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION:
        # Entries for features not registered in this app are left out rather than failing.
        if user.role in item.roles and item.endpoint in current_app.view_functions:
            items.append({"text": item.label, "href": url_for(item.endpoint)})
    return items
