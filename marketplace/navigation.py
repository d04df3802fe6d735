"""The header navigation. Features add their entries to NAVIGATION: a label and a page.

Who sees an entry is not said here: it is the page's own access rule (marketplace/access.py),
so an entry shows exactly to those who may open its page. Visitors who are not signed in get
PUBLIC_NAVIGATION, the front door's links.

The entry for the page being shown is marked from the request: its own page is "current"
(aria-current="page"); a page below it (an offer under Find offers) makes it "active"
(aria-current="true"). Both get the NHS.UK current-item style.
"""

from dataclasses import dataclass

from flask import current_app, has_request_context, request, url_for

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
    NavItem("Sufficiency", "demand.sufficiency"),
    NavItem("Checkpoints", "checkpoint_admin.index"),
    # Last, so that the header keeps the older entries in view on narrow screens.
    NavItem("Procurement thresholds", "procurement_thresholds.index"),
    NavItem("Plan checks", "plan_check_thresholds.index"),
    NavItem("Customer survey", "survey_answers.index"),
    NavItem("Customer surveys", "surveys.index"),
    NavItem("Authorisation evidence", "authorisation.index"),
    NavItem("Market change", "market.index"),
]


PUBLIC_NAVIGATION: list[NavItem] = [
    NavItem("Specifications", "catalogue.specifications"),
    NavItem("Find offers", "offers.search"),
    NavItem("Ready reckoner", "reckoner.ready_reckoner"),
    NavItem("API", "api_documentation.index"),
]

# The footer's links, for everybody: the public pages, then help and the service's policies.
FOOTER_NAVIGATION: list[NavItem] = [
    *PUBLIC_NAVIGATION,
    NavItem("Help", "main.help"),
    NavItem("Contact us", "main.contact"),
    NavItem("Accessibility statement", "main.accessibility"),
    NavItem("Privacy", "main.privacy"),
]


def _mark_current(items: list[dict], endpoints: list[str]) -> list[dict]:
    """Mark the entry for the request's page, or failing that the entry the page is under.

    The page is known by its endpoint; "under" is the URL path (/offers/12 is under /offers),
    and the deepest such entry wins, so /prospectus/versions marks "Our prospectus" only when
    the versions page has no entry of its own.
    """
    endpoint = request.endpoint
    for item, item_endpoint in zip(items, endpoints, strict=True):
        if item_endpoint == endpoint:
            item["current"] = True
            return items
    # url_for's hrefs include the script root when the app is mounted under a prefix.
    path = request.script_root + request.path
    under = [item for item in items
             if item["href"] != "/" and path.startswith(item["href"].rstrip("/") + "/")]
    if under:
        max(under, key=lambda item: len(item["href"]))["active"] = True
    return items


def navigation_for(user) -> list[dict]:
    # Templates rendered outside a request (PDFs in a job) have no navigation.
    if not has_request_context():
        return []
    entries = NAVIGATION if user.is_authenticated else PUBLIC_NAVIGATION
    shown = [item for item in entries if item.shown_to(current_app, user)]
    items = [{"text": item.label, "href": url_for(item.endpoint)} for item in shown]
    return _mark_current(items, [item.endpoint for item in shown])


def footer_links() -> list[dict]:
    if not has_request_context():
        return []
    app = current_app
    return [{"text": item.label, "href": url_for(item.endpoint)}
            for item in FOOTER_NAVIGATION if item.endpoint in app.view_functions]
