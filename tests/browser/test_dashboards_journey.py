"""Each role's dashboard in real Chromium, at 375 px: every task card shows its count (in
words for a screen reader: "Agreements to sign: 1") and its link opens the page where the
work is done. The data is built with tests/factories.py so every count is known."""

import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
from playwright.sync_api import Page, expect

from marketplace.extensions import db
from marketplace.models import AgreementStatus, ConditionStatus, ProcurementStatus
from marketplace.services import dashboards, follow_up
from marketplace.templating import _money

from .. import factories as build
from ..conftest import user
from ..procurements.conftest import buying, clock  # noqa: F401  (fixtures)
from .conftest import overflowing, sign_in

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 375, "height": 800}}

# Tuesday 15 January 2013: Coventry's competition is open (it closes on 21 January),
# November's return is late (due in December) and December's is due (later in January).
TODAY = datetime(2013, 1, 15, 9, 0, tzinfo=UTC)

# Where each card leads: its path and the heading of that page.
PAGES = {
    "/agreements": "Your agreements",
    "/procurements": "Procurements",
    "/customer-survey": "Customer survey",
    "/customers": "Your customers",
    "/opportunities": "Opportunities",
    "/assurance": "Assurance",
    "/reviews": "Reviews",
    "/tracker": "Assurance tracker",
}


def check_tasks(page: Page, base_url: str, expected: dict[str, tuple[int, str]]) -> None:
    """Each card: the count shown, the link named with its count, and clicking it opens the
    page where the work is done. Then back to the dashboard, which fits a phone."""
    page.goto(f"{base_url}/dashboard")
    cards = page.locator(".app-task")
    expect(cards).to_have_count(len(expected))
    assert overflowing(page) == []
    for label, (count, path) in expected.items():
        # Chromium names it "Agreements to sign : 1" (the hidden span starts a new run).
        name = re.compile(rf"^{re.escape(label)}\s*: {count}$")
        link = page.get_by_role("link", name=name)
        expect(link).to_be_visible()
        card = cards.filter(has=link)
        expect(card.locator("p").first).to_have_text(str(count))
        link.click()
        page.wait_for_load_state()
        assert page.url == f"{base_url}{path}", (label, page.url)
        expect(page.locator("h1")).to_have_text(PAGES[path])
        assert overflowing(page) == [], (label, path)
        page.goto(f"{base_url}/dashboard")


def _signed(ccg_org, offer, *, start=date(2012, 11, 1), end=date(2014, 3, 31), kpis=()):
    return build.create_agreement(ccg_org, [offer], start_date=start, end_date=end, kpis=list(kpis))


def _competition(b, title: str, status: ProcurementStatus | None = None):
    """Another published competition of Coventry's, on a statement of its own."""
    statement = build.make_statement(
        b.coventry,
        [(b.coventry, b.market.bi, "90000.00", None)],
        partners=[b.warwickshire],
        title=title,
    )
    procurement = build.published_competition(dataclasses.replace(b, statement=statement))
    if status is not None:
        procurement.status = status
        db.session.commit()
    return procurement


def coventry_and_arden_at_work(b, clock):  # noqa: F811
    """Coventry (ccg@) and Arden (css@): what each has waiting, as of TODAY."""
    from marketplace.services import performance_returns as returns

    market = b.market  # competitions published on 7 January, 10 days or more before closing
    build.published_competition(b)  # open to bids
    _competition(b, "Contract monitoring from April 2013", ProcurementStatus.EVALUATION)
    standstill = build.make_statement(
        b.coventry,
        [(b.coventry, market.bi, "1.00", None)],
        partners=[b.warwickshire],
        title="Communications from April 2013",
    )
    build.awarded_competition(
        dataclasses.replace(b, statement=standstill), status=ProcurementStatus.STANDSTILL
    )
    clock.set(TODAY)
    build.create_agreement(b.coventry, [market.arden_bi], status=AgreementStatus.DRAFT)
    build.create_agreement(
        b.coventry, [market.arden_contracts], status=AgreementStatus.AWAITING_COUNTERSIGNATURE
    )
    # Monthly returns from November 2012: November's is late, December's due.
    reporting = _signed(b.coventry, market.arden_bi, kpis=[build.KPI_DASHBOARD])
    # Ends 31 May 2013, within 6 months; submitted its November return.
    expiring = _signed(
        b.coventry, market.arden_contracts, end=date(2013, 5, 31), kpis=[build.KPI_DASHBOARD]
    )
    figures = {kpi.id: returns.FigureInput("9") for kpi in expiring.lines[0].kpis}
    returns.submit_return(b.arden_user, expiring, 1, figures)
    build.survey_window(3, opens_on=date(2013, 1, 7), closes_on=date(2013, 1, 31))
    # Arden's checkpoint 2 review, signed off "A", left a condition and an overdue action.
    review = build.drafted_review(2, build.CP2_GOOD)
    build.signed_off_without_document(review)
    return reporting


def test_a_ccg_sees_its_work_and_headroom_at_375_px(live_server, new_context, buying, clock):  # noqa: F811
    coventry_and_arden_at_work(buying, clock)
    scenario = build.make_scenario(name="Coventry plan 2013/14")
    headroom = dashboards.headroom_for(user("ccg@demo.test"))
    assert len(headroom.years) == 2

    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "ccg@demo.test")
    check_tasks(
        page,
        live_server,
        {
            "Agreements to sign": (1, "/agreements"),
            "Agreements waiting for the provider to countersign": (1, "/agreements"),
            "Procurements open to bids": (1, "/procurements"),
            "Procurements in evaluation": (1, "/procurements"),
            "Procurements in standstill": (1, "/procurements"),
            "Customer survey answers to give": (1, "/customer-survey"),
            "Returns to check": (1, "/agreements"),
            "Agreements expiring within 6 months": (1, "/agreements"),
        },
    )

    table = page.get_by_role("table", name="Headroom this year and next")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    for row, year in zip(rows.all(), headroom.years, strict=True):
        expect(row.locator("td")).to_have_text(
            [
                year.financial_year,
                _money(year.budget),
                _money(year.planned_spend),
                _money(year.left) + (" (not affordable)" if year.left < 0 else ""),
            ]
        )
    assert [y.financial_year for y in headroom.years] == ["2013/14", "2014/15"]
    page.get_by_role("link", name="Coventry plan 2013/14").click()
    assert page.url == f"{live_server}/scenarios/{scenario.id}"
    expect(page.locator("h1")).to_contain_text("Coventry plan 2013/14")
    assert overflowing(page) == []


def test_a_css_sees_its_work_and_assurance_status_at_375_px(
    live_server,
    new_context,
    buying,  # noqa: F811
    clock,  # noqa: F811
):
    coventry_and_arden_at_work(buying, clock)
    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "css@demo.test")
    check_tasks(
        page,
        live_server,
        {
            "Opportunities open to bid": (1, "/opportunities"),
            "Returns due": (2, "/customers"),
            "Returns late": (1, "/customers"),
            "Agreements to countersign": (1, "/customers"),
            "Conditions to answer": (1, "/assurance"),
            "Development actions to complete": (1, "/assurance"),
        },
    )
    actions = page.locator(".app-task").filter(has_text="Development actions to complete")
    expect(actions).to_contain_text("1 overdue")
    status = page.locator("main").get_by_text("Rated A", exact=True)
    expect(status).to_be_visible()
    expect(page.locator("main")).to_contain_text("Your latest assurance outcome, at Checkpoint 2")
    page.get_by_role("link", name="See your assurance progress").click()
    assert page.url == f"{live_server}/assurance"
    assert overflowing(page) == []


def test_bdu_and_peer_reviewers_see_their_reviews_at_375_px(live_server, new_context, app_context):
    # Waiting for a reviewer: GEM's checkpoint 2 submission (BDU) and checkpoint 1 (peers).
    build.submission(2, build.GEM)
    build.submission(1, build.GEM)
    # bdu@'s own draft, with no outcome yet.
    build.started_review(2, build.ARDEN)
    # bdu2@'s review of NWL with an outcome given: waiting for bdu@'s sign-off; its
    # condition has a response waiting for a decision.
    other = build.started_review(2, "North West London CSS", author="bdu2@demo.test")
    other = build.rate(other, build.CP2_GOOD, actor="bdu2@demo.test", outcome_code="A")
    condition = follow_up.add_condition(user("bdu2@demo.test"), other, "Revise the model.")
    condition.status = ConditionStatus.RESPONDED
    db.session.commit()
    # peer@'s checkpoint 1 draft of Arden.
    build.drafted_review(1)

    from marketplace.services import tracker

    # As the tracker counts them, on the same clock the live server reads.
    overdue = sum(1 for row in tracker.progress() if row.overdue)
    bdu = new_context(**PHONE).new_page()
    sign_in(bdu, live_server, "bdu@demo.test")
    check_tasks(
        bdu,
        live_server,
        {
            "Submissions waiting for a reviewer": (1, "/reviews"),
            "Your reviews in draft": (1, "/reviews"),
            "Reviews waiting for your sign-off": (1, "/reviews"),
            "Condition responses waiting for a decision": (1, "/reviews"),
            "CSSs with overdue milestones": (overdue, "/tracker"),
        },
    )
    peer = new_context(**PHONE).new_page()
    sign_in(peer, live_server, "peer@demo.test")
    check_tasks(
        peer,
        live_server,
        {
            "Submissions waiting for a reviewer": (1, "/reviews"),
            "Your reviews in draft": (1, "/reviews"),
            "Reviews waiting for your sign-off": (0, "/reviews"),
        },
    )


def test_an_administrator_sees_what_changed_recently_at_375_px(
    live_server, new_context, app_context
):
    build.create_spec("PLN-HNA", "Health needs assessment")  # through the audited service
    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "admin@demo.test")
    page.goto(f"{live_server}/dashboard")
    expect(page.locator(".app-task")).to_have_count(0)
    recent = page.get_by_role("heading", name="What changed recently")
    expect(recent).to_be_visible()
    events = page.locator("main .nhsuk-list--border li")
    # Newest first: the administrator's own sign-in, then the specification added.
    expect(events.first).to_contain_text("signed in")
    expect(events.filter(has_text="Health needs assessment")).to_have_count(1)
    assert overflowing(page) == []
    page.get_by_role("link", name="See the whole audit trail").click()
    assert page.url == f"{live_server}/admin/audit-events"
    expect(page.locator("main")).to_contain_text("Health needs assessment")
    assert overflowing(page) == []


def test_a_ccg_previews_then_issues_its_authorisation_evidence_pack_at_375_px(
    live_server,
    new_context,
    buying,  # noqa: F811
    clock,  # noqa: F811
):
    clock.set(TODAY)
    _signed(buying.coventry, buying.market.arden_bi, end=date(2014, 3, 31))
    build.make_scenario(name="Coventry plan 2013/14")
    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "ccg@demo.test")
    page.goto(f"{live_server}/authorisation-evidence")
    expect(page.locator("h1").first).to_have_text("Authorisation evidence")
    expect(page.get_by_text("No pack has been issued yet.")).to_be_visible()
    preview = page.locator("article.review-document")
    expect(preview).to_contain_text("Preview: not issued")
    expect(preview).to_contain_text("Scenario “Coventry plan 2013/14”")
    expect(preview).to_contain_text("Arden CSS")
    assert overflowing(page) == []

    page.get_by_role("button", name="Issue the pack").click()
    expect(
        page.get_by_text("Version 1 of your authorisation evidence pack is issued")
    ).to_be_visible()
    expect(page.locator("#issued-packs tbody tr")).to_have_count(1)
    expect(page.locator("#issued-packs")).to_contain_text("Priya Shah")
    assert overflowing(page) == []
    link = page.locator("#issued-packs").get_by_role("link", name=re.compile("PDF, version 1"))
    response = page.context.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["cache-control"] == "private, no-store"
    assert response.body().startswith(b"%PDF-")
    # Clicked, the browser opens the PDF itself (served inline, named for saving).
    with page.expect_response(re.compile(r"/pack\.pdf$")) as opened:
        link.click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "application/pdf"
    assert "-v1.pdf" in opened.value.headers["content-disposition"]


def test_the_bdu_reads_sufficiency_and_downloads_it_as_csv_at_375_px(
    live_server, new_context, app_context
):
    from marketplace.models import BusinessPlan, PlanStatus
    from marketplace.services import plan_income

    build.build_market()  # the catalogue the plan's service line (BI-01) is matched to
    # Arden plans £10,003,900.01 from Coventry in 2013/14: more than Coventry can afford.
    plan = BusinessPlan(
        organisation=build.organisation(build.ARDEN),
        version=1,
        status=PlanStatus.DRAFT,
        financial_model={
            "years": ["2013/14", "2014/15", "2015/16", "2016/17"],
            "income_by_customer": {"2013/14": {"05A": "10003900.01"}},
            "income_by_service_line": {"2013/14": {"BI-01": "10003900.01"}},
        },
    )
    db.session.add(plan)
    plan_income.replace_for(plan)  # while a draft, as the service writes them
    plan.status = PlanStatus.SUBMITTED
    db.session.commit()

    page = new_context(**PHONE).new_page()
    sign_in(page, live_server, "bdu@demo.test")
    page.goto(f"{live_server}/demand/sufficiency")
    expect(page.locator("h1")).to_have_text("Whole-market sufficiency")
    over = page.get_by_role("table", name="CCGs whose suppliers plan more than they can afford")
    expect(over).to_be_visible()
    expect(over.locator("tbody tr")).to_have_count(1)
    expect(over.locator("tbody tr")).to_contain_text("NHS Coventry and Rugby CCG")
    expect(over.locator("tbody tr")).to_contain_text("£10,003,900.01")
    expect(over.locator("tbody tr")).to_contain_text("Arden CSS")
    expect(page.get_by_role("table", name="concentration by region in 2013")).to_be_visible()
    assert overflowing(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="each CCG as CSV").click()
    assert download.value.suggested_filename == "market-sufficiency.csv"
    text = download.value.path().read_text(encoding="utf-8")
    header, *rows = text.splitlines()
    assert header.startswith("Financial year,CCG,ODS code,Region")
    [coventry] = [row for row in rows if row.startswith("2013/14,NHS Coventry and Rugby CCG,")]
    assert ",05A," in coventry and "Arden CSS" in coventry
