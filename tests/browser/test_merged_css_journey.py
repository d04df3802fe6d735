"""A BDU reviewer in Chromium after a merger: the tracker shows the CSS that merged under
"Merged" in words, not among the CSSs with overdue milestones; the offer search no longer
lists its offers; its offer page still opens. axe-core finds nothing serious on the
tracker with its new table."""

from datetime import date

import pytest
from playwright.sync_api import expect

from marketplace.demo.assurance import seed_assurance, seed_checkpoints
from marketplace.extensions import db
from marketplace.services import market_change

from .. import factories as build
from ..conftest import user
from .conftest import sign_in
from .test_accessibility import AXE, BLOCKING, RUN_AXE

pytestmark = pytest.mark.browser
GEM = "Greater East Midlands CSS"


@pytest.fixture
def merged(app):
    with app.app_context():
        seed_checkpoints()
        seed_assurance()
        market = build.build_market()
        db.session.commit()
        market_change.merge(user("bdu@demo.test"), market.gem, market.arden, kind="merger",
                            effective_on=date(2012, 8, 1))
        db.session.commit()
        offer_id = market.gem_bi.id
        db.session.remove()
    return offer_id


def test_a_merged_css_reads_as_merged(live_server, new_context, merged):
    bdu = new_context(bypass_csp=True, java_script_enabled=True).new_page()
    sign_in(bdu, live_server, "bdu@demo.test")
    bdu.goto(f"{live_server}/tracker?as_of=2012-10-15")
    expect(bdu.locator("#tracker tbody th", has_text=GEM)).to_have_count(0)
    row = bdu.locator("#tracker-merged tbody tr", has_text=GEM)
    expect(row).to_contain_text("Merged into Arden CSS on 1 August 2012")
    expect(bdu.get_by_role("heading", name="Merged")).to_be_visible()
    bdu.evaluate(AXE.read_text(encoding="utf-8"))
    serious = [v for v in bdu.evaluate(RUN_AXE) if v["impact"] in BLOCKING]
    assert serious == []

    bdu.goto(f"{live_server}/offers?q=business+intelligence")
    expect(bdu.get_by_text("Arden business intelligence", exact=True).first).to_be_visible()
    expect(bdu.get_by_text("GEM business intelligence")).to_have_count(0)
    bdu.goto(f"{live_server}/offers/{merged}")
    expect(bdu.locator("h1")).to_contain_text("GEM business intelligence")
