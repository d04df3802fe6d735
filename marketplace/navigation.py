"""The header navigation. Features add their entries to NAVIGATION: a label and a page.

Who sees an entry is not said here: it is the page's own access rule (marketplace/access.py),
so an entry shows exactly to those who may open its page.
"""

from dataclasses import dataclass

from flask import current_app, url_for

from marketplace.access import rule_for_endpoint


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str

    def shown_to(self, app, user) -> bool:
        # Entries for features not registered in this app are left out rather than failing.
        if self.endpoint not in app.view_functions:
            return False
        rule = rule_for_endpoint(app, self.endpoint)
        return rule is not None and rule.allows(user)


NAVIGATION: list[NavItem] = [
    NavItem("Dashboard", "main.dashboard"),
    NavItem("Scenarios", "reckoner.scenarios"),
    NavItem("Ready reckoner", "reckoner.ready_reckoner"),
    NavItem("Statements", "statements.index"),
    NavItem("Shortlists", "shortlists.index"),
    NavItem("Procurements", "procurements.index"),
    NavItem("Agreements", "agreements.index"),
    NavItem("Opportunities", "opportunities.index"),
    NavItem("Customers", "customers.index"),
    NavItem("Find offers", "offers.search"),
    NavItem("Our prospectus", "prospectuses.overview"),
    NavItem("Specifications", "catalogue.manage"),
    NavItem("Users", "admin.users"),
    NavItem("Allowances", "reckoner.allowances"),
    NavItem("Audit trail", "admin.audit_events"),
    NavItem("Assurance", "checkpoints.progress"),
    NavItem("Reviews", "reviews.index"),
    NavItem("Tracker", "tracker.dashboard"),
    NavItem("Demand", "demand.index"),
    NavItem("Checkpoints", "checkpoint_admin.index"),
    # Last, so that the header keeps the older entries in view on narrow screens.
    NavItem("Procurement thresholds", "procurement_thresholds.index"),
    NavItem("Plan checks", "plan_check_thresholds.index"),
]


def navigation_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    return [{"text": item.label, "href": url_for(item.endpoint)}
            for item in NAVIGATION if item.shown_to(current_app, user)]
