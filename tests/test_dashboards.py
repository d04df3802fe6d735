"""Each role's dashboard shows the work waiting for it, with counts and links."""

from datetime import UTC, date, datetime

from marketplace.models import AgreementStatus

from . import factories as build
from .conftest import html, text_of, user
from .factories import market  # noqa: F401  (fixture)
from .procurements.conftest import buying, clock  # noqa: F401  (fixtures)


def tasks(response) -> dict[str, tuple[int, str]]:
    assert response.status_code == 200
    found = {}
    for card in html(response).select(".app-task"):
        link = card.select_one("a")
        label = link.find(string=True, recursive=False).strip()
        found[label] = (int(card.select_one("p").get_text(strip=True)), link["href"])
    return found


def test_a_ccg_and_its_provider_see_the_agreements_and_procurements_waiting_for_them(
    buying, sign_in  # noqa: F811
):
    build.published_competition(buying)
    build.create_agreement(buying.coventry, [buying.market.arden_bi],
                           status=AgreementStatus.DRAFT)
    build.create_agreement(buying.coventry, [buying.market.arden_contracts],
                           status=AgreementStatus.AWAITING_COUNTERSIGNATURE)
    build.create_agreement(buying.darlington, [buying.market.arden_contracts],
                           status=AgreementStatus.DRAFT)  # another CCG's: not counted

    ccg = tasks(sign_in("ccg@demo.test").get("/dashboard"))
    assert ccg["Agreements to sign"] == (1, "/agreements")
    assert ccg["Agreements waiting for the provider to countersign"] == (1, "/agreements")
    assert ccg["Procurements open to bids"] == (1, "/procurements")
    assert ccg["Procurements in evaluation"] == (0, "/procurements")

    css = tasks(sign_in("css@demo.test").get("/dashboard"))
    assert css["Opportunities open to bid"] == (1, "/opportunities")
    assert css["Agreements to countersign"] == (1, "/customers")
    assert css["Conditions to answer"][1] == "/assurance"

    # Another CCG counts its own agreements only.
    darlington = tasks(sign_in("ccg2@demo.test").get("/dashboard"))
    assert darlington["Agreements to sign"][0] == 1
    assert darlington["Agreements waiting for the provider to countersign"][0] == 0


def test_reviewers_see_their_drafts_and_what_waits_for_a_reviewer(app_context, sign_in):
    build.started_review(2)
    build.submission(2, build.GEM)
    bdu = tasks(sign_in("bdu@demo.test").get("/dashboard"))
    assert bdu["Your reviews in draft"] == (1, "/reviews")
    assert bdu["Submissions waiting for a reviewer"] == (1, "/reviews")
    assert bdu["Reviews waiting for your sign-off"] == (0, "/reviews")
    assert bdu["Condition responses waiting for a decision"] == (0, "/reviews")
    peer = tasks(sign_in("peer@demo.test").get("/dashboard"))
    assert "Condition responses waiting for a decision" not in peer
    assert peer["Your reviews in draft"][0] == 0


def test_the_administrator_sees_what_changed_recently(admin_client):
    build.create_spec("PLN-HNA", "Health needs assessment")  # through the audited service
    page = html(admin_client.get("/dashboard"))
    events = page.select("main .nhsuk-list--border li")
    assert any("Health needs assessment" in event.get_text() for event in events)
    assert page.select_one('main a[href="/admin/audit-events"]')
    assert page.select(".app-task") == []


def test_a_ccg_sees_its_headroom_this_year_and_next_from_its_plan(ccg_client):
    assert "new scenario" in text_of(ccg_client.get("/dashboard"))
    scenario = build.make_scenario(name="Baseline 2013/14")
    page = ccg_client.get("/dashboard")
    rows = [[cell.get_text(strip=True) for cell in row.select("td")]
            for row in html(page).select("main table tbody tr")]
    assert [row[0] for row in rows][:1] == [scenario.financial_year]
    assert 1 <= len(rows) <= 2
    assert all(row[1].startswith(("£", "-£", "–£")) for row in rows)
    assert html(page).select_one(f'main a[href="/scenarios/{scenario.id}"]')


# --- contract work: returns, expiry, assurance ---------------------------------------------


def _signed(ccg_org, offer, *, kpis=(), end=date(2014, 3, 31), reference=None):
    return build.create_agreement(ccg_org, [offer], end_date=end, kpis=list(kpis),
                                  reference=reference)


def _submit(agreement, period, review=None):
    from marketplace.services import notifications
    from marketplace.services import performance_returns as returns

    [reporter, *_] = notifications.provider_users([agreement.provider_id])
    [reviewer, *_] = notifications.ccg_users([agreement.ccg_id])
    figures = {kpi.id: returns.FigureInput("9") for kpi in agreement.lines[0].kpis}
    made = returns.submit_return(reporter, agreement, period, figures)
    for figure in made.figures if review else ():
        returns.review_figure(reviewer, figure, figure.lock_version, review)
    return made


def test_a_ccg_sees_returns_to_check_and_agreements_expiring_within_6_months(
    market, clock, sign_in  # noqa: F811
):
    from marketplace.services import ending, variations

    coventry, darlington = user("ccg@demo.test").organisation, user("ccg2@demo.test").organisation
    clock.set(datetime(2013, 6, 3, 9, 0, tzinfo=UTC))
    checked = _signed(coventry, market.arden_bi, kpis=[build.KPI_DASHBOARD])
    _submit(checked, 1, review="accepted")  # April: reviewed, nothing to check
    _submit(checked, 2)  # May: waiting for the CCG
    _submit(_signed(darlington, market.gem_contracts, kpis=[build.KPI_DASHBOARD]), 1)
    noticed = _signed(coventry, market.arden_contracts, end=date(2014, 9, 30))
    # Ends 31 March 2014, varied to 30 September 2014: not within 6 months in October.
    varied = _signed(coventry, market.gem_bi)
    proposal = variations.propose(user("ccg@demo.test"), varied, None, date(2014, 9, 30), "Why")
    variations.answer(user("css2@demo.test"), proposal, proposal.lock_version, True)
    _signed(coventry, market.gem_contracts, end=date(2014, 9, 30))  # well away
    _signed(darlington, market.arden_bi, end=date(2013, 12, 31))  # another CCG's

    clock.set(datetime(2013, 10, 15, 9, 0, tzinfo=UTC))
    ccg = tasks(sign_in("ccg@demo.test").get("/dashboard"))
    assert ccg["Returns to check"] == (1, "/agreements")
    # `checked` ends 31 March 2014, within 6 months from 1 October; the varied one now runs
    # to September 2014, as does the one not yet under notice.
    assert ccg["Agreements expiring within 6 months"] == (1, "/agreements")
    # Notice given on 15 October ends it on 14 January 2014.
    ending.end(user("css@demo.test"), noticed, noticed.lock_version, "notice", "")
    ccg = tasks(sign_in("ccg@demo.test").get("/dashboard"))
    assert ccg["Agreements expiring within 6 months"] == (2, "/agreements")
    assert ccg["Procurements in standstill"] == (0, "/procurements")
    darlington_tasks = tasks(sign_in("ccg2@demo.test").get("/dashboard"))
    assert darlington_tasks["Returns to check"][0] == 1
    assert darlington_tasks["Agreements expiring within 6 months"][0] == 2  # both its own


def test_a_css_sees_returns_due_and_late_and_its_assurance_status(
    market, clock, sign_in  # noqa: F811
):
    coventry = user("ccg@demo.test").organisation
    # Wednesday 5 June 2013: April's return was due on 22 May (late), May's is due on
    # 21 June (due); June has not ended.
    clock.set(datetime(2013, 6, 5, 9, 0, tzinfo=UTC))
    agreement = _signed(coventry, market.arden_bi, kpis=[build.KPI_DASHBOARD])
    _signed(coventry, market.arden_contracts)  # no KPIs: no returns
    _signed(user("ccg2@demo.test").organisation, market.gem_bi, kpis=[build.KPI_DASHBOARD])
    css = sign_in("css@demo.test")
    page = css.get("/dashboard")
    found = tasks(page)
    assert found["Returns due"] == (1, "/customers")
    assert found["Returns late"] == (1, "/customers")
    assert "Not yet assessed" in text_of(page)

    _submit(agreement, 1)
    review = build.drafted_review(2, build.CP2_GOOD)
    build.signed_off_without_document(review)
    page = css.get("/dashboard")
    found = tasks(page)
    assert (found["Returns due"][0], found["Returns late"][0]) == (1, 0)
    status = html(page).select_one("main .nhsuk-tag")
    assert status.get_text(strip=True) == "Rated A"
    words = text_of(page)
    assert "Your latest assurance outcome, at Checkpoint 2" in words, words
    assert "Scenario A: Proceed" in words, words[words.find("Your latest"):][:300]
    assert html(page).select_one('main a[href="/assurance"]')

    gem = tasks(sign_in("css2@demo.test").get("/dashboard"))
    assert (gem["Returns due"][0], gem["Returns late"][0]) == (1, 1)  # its own agreement


def test_contract_tasks_are_not_shown_to_reviewers(app_context, sign_in):
    for email in ("bdu@demo.test", "peer@demo.test"):
        found = tasks(sign_in(email).get("/dashboard"))
        assert not {"Returns to check", "Returns due", "Returns late",
                    "Agreements expiring within 6 months"} & set(found)


def test_the_statement_count_does_not_grow_with_agreements(
    market, clock, sign_in  # noqa: F811
):
    from .queries import counting_statements

    coventry = user("ccg@demo.test").organisation
    clock.set(datetime(2013, 6, 5, 9, 0, tzinfo=UTC))
    _signed(coventry, market.arden_bi, kpis=[build.KPI_DASHBOARD])
    ccg, css = sign_in("ccg@demo.test"), sign_in("css@demo.test")
    counts = []
    for _ in range(2):
        with counting_statements() as ccg_count:
            ccg.get("/dashboard")
        with counting_statements() as css_count:
            css.get("/dashboard")
        counts.append((len(ccg_count), len(css_count)))
        for offer in (market.arden_contracts, market.arden_bi, market.arden_contracts):
            made = _signed(coventry, offer, kpis=[build.KPI_DASHBOARD, build.KPI_QUERIES])
            _submit(made, 1)
    assert counts[0] == counts[1], counts
    assert counts[0][0] <= 25 and counts[0][1] <= 25, counts


def test_the_bdu_sees_how_many_csss_have_overdue_milestones_as_the_tracker_counts_them(
    app_context, sign_in, clock  # noqa: F811
):
    from marketplace.demo.assurance import seed_assurance, seed_checkpoints
    from marketplace.extensions import db
    from marketplace.services import tracker

    seed_checkpoints()
    seed_assurance()
    db.session.commit()
    clock.set(datetime(2012, 1, 1, 12, tzinfo=UTC))  # before the first milestone
    assert tasks(sign_in("bdu@demo.test").get("/dashboard"))[
        "CSSs with overdue milestones"] == (0, "/tracker")
    clock.set(datetime(2012, 10, 15, 12, tzinfo=UTC))  # Checkpoint 3 plans were due
    expected = sum(1 for row in tracker.progress(as_of=date(2012, 10, 15)) if row.overdue)
    assert expected > 0
    assert tasks(sign_in("bdu@demo.test").get("/dashboard"))[
        "CSSs with overdue milestones"] == (expected, "/tracker")
    assert "CSSs with overdue milestones" not in tasks(
        sign_in("peer@demo.test").get("/dashboard"))


def test_a_users_tasks_are_kept_per_user_and_day_until_the_market_changes(
    buying, sign_in, clock, catalogue_cache_on  # noqa: F811
):
    from marketplace.extensions import db
    from marketplace.models import Agreement
    from marketplace.services.audit import record_event

    draft = build.create_agreement(buying.coventry, [buying.market.arden_bi],
                                   status=AgreementStatus.DRAFT)
    db.session.commit()
    ccg = sign_in("ccg@demo.test")
    assert tasks(ccg.get("/dashboard"))["Agreements to sign"][0] == 1
    # Another CCG's user has tasks of their own, not Coventry's kept ones.
    assert tasks(sign_in("ccg2@demo.test").get("/dashboard"))["Agreements to sign"][0] == 0
    # Changed behind the services' back (no audit event): the kept count stands.
    db.session.get(Agreement, draft.id).status = AgreementStatus.AWAITING_COUNTERSIGNATURE
    db.session.commit()
    assert tasks(ccg.get("/dashboard"))["Agreements to sign"][0] == 1
    # The next day is counted afresh, as is the day after a change through the services.
    clock.advance(days=1)
    assert tasks(ccg.get("/dashboard"))["Agreements to sign"][0] == 0
    db.session.get(Agreement, draft.id).status = AgreementStatus.DRAFT
    db.session.commit()
    assert tasks(ccg.get("/dashboard"))["Agreements to sign"][0] == 0
    record_event("tested", None, "A change", system=True)
    db.session.commit()
    assert tasks(ccg.get("/dashboard"))["Agreements to sign"][0] == 1
