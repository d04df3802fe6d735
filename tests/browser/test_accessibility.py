"""axe-core (from npm, node_modules/axe-core) on the main pages of every role, in Chromium:
no serious or critical violations.

The app's Content-Security-Policy rightly refuses injected scripts, so only the context that
runs axe bypasses it; the pages are otherwise served exactly as users get them.
"""

from pathlib import Path

import pytest
from sqlalchemy import select

from marketplace.config import PROJECT_ROOT
from marketplace.demo import seed_demo
from marketplace.extensions import db
from marketplace.models import (
    Offer,
    Organisation,
    ProspectusVersion,
    Scenario,
    Statement,
    Submission,
    SurveyWindow,
    User,
    VersionStatus,
)

from .conftest import sign_in

pytestmark = pytest.mark.browser

AXE = Path(PROJECT_ROOT) / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations"]});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ")),
  }));
}"""


def _ids() -> dict:
    def first(statement):
        return db.session.scalar(statement.limit(1))

    ccg = db.session.scalar(select(User).where(User.email == "ccg@demo.test"))
    offers = db.session.scalars(
        select(Offer.id).join(ProspectusVersion)
        .where(ProspectusVersion.status == VersionStatus.PUBLISHED)
        .order_by(Offer.id).limit(3)).all()
    return {
        "offer": offers[0],
        "compare": "&".join(f"offer={i}" for i in offers),
        "scenario": first(select(Scenario.id).where(
            Scenario.organisation_id == ccg.organisation_id).order_by(Scenario.id)),
        "submission": first(select(Submission.id).order_by(Submission.id.desc())),
        "survey": first(select(SurveyWindow.id)),
        "statement": first(select(Statement.id).where(
            Statement.lead_ccg_id == ccg.organisation_id).order_by(Statement.id)),
        "arden": first(select(Organisation.id).where(Organisation.name == "Arden CSS")),
    }


# Who signs in, and the main pages of their work (a form or two among them: forms are where
# most accessibility faults are). Each page costs a second or two of axe, so the list is kept
# to the pages that differ in kind.
PAGES = {
    None: ["/sign-in", "/offers?q=contract+monitoring", "/offers/{offer}"],
    "ccg@demo.test": ["/dashboard", "/shortlists/compare?{compare}", "/agreements",
                      "/scenarios", "/scenarios/{scenario}",
                      "/statements/{statement}", "/statements/{statement}/lines/new",
                      "/authorisation-evidence"],
    "css@demo.test": ["/dashboard", "/prospectus", "/prospectus/edit", "/assurance",
                      "/customers"],
    "bdu@demo.test": ["/reviews", "/reviews/submissions/{submission}", "/tracker", "/demand",
                      "/customer-surveys/{survey}", "/customer-surveys/new",
                      "/demand/sufficiency"],
    "peer@demo.test": ["/dashboard"],
    "admin@demo.test": ["/admin/users", "/admin/audit-events", "/market-change",
                        "/market-change/css/{arden}", "/market-change/css/{arden}/merge",
                        "/market-change/css/{arden}/board-decision",
                        "/market-change/css/{arden}/licence"],
}


def test_main_pages_of_every_role_have_no_serious_accessibility_violations(
    app, live_server, new_context
):
    with app.app_context():
        seed_demo()
        ids = _ids()
        db.session.remove()
    axe = AXE.read_text(encoding="utf-8")
    found = []
    for email, urls in PAGES.items():
        page = new_context(bypass_csp=True).new_page()
        if email:
            sign_in(page, live_server, email)
        for url in urls:
            url = url.format(**ids)
            response = page.goto(live_server + url)
            assert response.status == 200, (email, url, response.status)
            page.evaluate(axe)
            for violation in page.evaluate(RUN_AXE):
                if violation["impact"] in BLOCKING:
                    found.append(f"{email or 'visitor'} {url}: {violation['impact']} "
                                 f"{violation['id']} ({violation['help']}) at "
                                 f"{violation['nodes']}")
        page.context.close()
    assert not found, "\n".join(found)
