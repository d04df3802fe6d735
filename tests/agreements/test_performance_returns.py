"""Performance returns: the provider submits each month's figures, the CCG accepts or disputes
each one, a dispute is answered by a new version; late returns are flagged to both sides.

The agreement runs from 1 April 2013 with two monthly KPIs: the dashboard by working day 10
(lower is better, tolerance 2) and queries answered in 2 days, 95% (higher, tolerance 2).
April's return is due 15 working days after 30 April: 22 May 2013 (6 May is a bank holiday).
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    FrozenRecordError,
    PerformanceFigure,
    PerformanceReturn,
)
from marketplace.services import performance_returns as service
from marketplace.services.errors import ServiceError

from ..conftest import html, text_of, user
from ..factories import KPI_DASHBOARD, KPI_QUERIES, create_agreement, make_user
from ..queries import counting_statements
from ..races import meanwhile

ON_TIME = datetime(2013, 5, 20, 9, 0, tzinfo=UTC)  # Monday 20 May 2013
AFTER_DUE = datetime(2013, 5, 23, 9, 0, tzinfo=UTC)  # the day after April's return was due


@pytest.fixture
def agreement(market, clock):
    clock.set(ON_TIME)
    return create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                            kpis=[KPI_DASHBOARD, KPI_QUERIES])


def kpi_ids(agreement):
    dashboard, queries = agreement.lines[0].kpis
    return dashboard.id, queries.id


def figures(agreement, dashboard="9", queries="93.5", **extra):
    dashboard_id, queries_id = kpi_ids(agreement)
    return {"period": 1, f"figure_{dashboard_id}": dashboard,
            f"commentary_{dashboard_id}": "Sent on working day 9.",
            f"figure_{queries_id}": queries, f"commentary_{queries_id}": "", **extra}


def submit(client, agreement, **fields):
    return client.post(f"/customers/agreements/{agreement.id}/returns/new",
                       data=figures(agreement, **fields))


def returns():
    return db.session.scalars(select(PerformanceReturn).order_by(PerformanceReturn.id)).all()


def events(action):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def review(client, agreement, figure, decision, reason="", lock_version=None):
    db.session.refresh(figure)
    return post_review(client, agreement.id, figure.id, decision, reason,
                       lock_version or figure.lock_version)


def post_review(client, agreement_id, figure_id, decision, reason, lock_version):
    prefix = f"figure-{figure_id}"
    return client.post(f"/agreements/{agreement_id}/figures/{figure_id}/review", data={
        f"{prefix}-lock_version": lock_version, f"{prefix}-decision": decision,
        f"{prefix}-reason": reason})


def error_at(response, field_id):
    element = html(response).select_one(f"#{field_id}-error")
    return element.get_text(" ", strip=True) if element else None


def test_the_provider_submits_april_s_return_rated_in_words_and_colour(css_client, agreement):
    response = submit(css_client, agreement)
    assert response.status_code == 302
    [made] = returns()
    assert (made.period_number, made.version, made.submitted_late) == (1, 1, False)
    dashboard, queries = made.figures
    # 9 working days against 10, lower is better: met. 93.5% against 95% with 2 points of
    # tolerance: within tolerance.
    assert (dashboard.value, dashboard.rating.value) == (Decimal("9.00"), "met")
    assert (queries.value, queries.rating.value) == (Decimal("93.50"), "within_tolerance")
    assert dashboard.commentary == "Sent on working day 9."
    [event] = events("performance_return.submitted")
    assert event.actor_id == user("css@demo.test").id
    assert event.changes["figures"]["Monthly dashboard delivered"]["rating"] == "met"

    page = html(css_client.get(response.headers["Location"]))
    tags = [tag.get_text(strip=True) for tag in page.select(".nhsuk-tag")]
    assert "Met" in tags and "Within tolerance" in tags
    assert page.select_one(".nhsuk-tag--green").get_text(strip=True) == "Met"


def test_the_trend_chart_is_inline_svg_with_the_figures_in_words(ccg_client, css_client,
                                                                 agreement):
    submit(css_client, agreement)
    page = html(ccg_client.get(f"/agreements/{agreement.id}/performance"))
    charts = page.select("svg.marketplace-chart")
    assert len(charts) == 2
    assert charts[0]["role"] == "img"
    assert "April 2013: 9 working days, met" in charts[0].find("desc").get_text()
    # 9 working days drawn against 12, the edge of tolerance: three quarters of 360.
    assert charts[0].find("rect")["width"] == "270.0"
    assert charts[0].find("rect")["fill"] == "#007f3b"  # green, and "(met)" in words
    assert "93.5% (within tolerance)" in charts[1].get_text(" ")
    assert "Of 1 month reported: met 0, within tolerance 1, missed 0." in text_of(
        ccg_client.get(f"/agreements/{agreement.id}/performance"))


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"dashboard": "9%"}, "figure_{dashboard}", "not a percentage"),
    ({"queries": "101"}, "figure_{queries}", "between 0 and 100%"),
    ({"queries": "95 days"}, "figure_{queries}", "enter the number only"),
    ({"dashboard": ""}, "figure_{dashboard}", "Enter the figure for Monthly dashboard"),
    ({"dashboard": "-1"}, "figure_{dashboard}", "between 0 and 999999.99 working days"),
])
def test_figures_of_the_wrong_unit_or_out_of_range_are_refused_and_nothing_is_saved(
        css_client, agreement, fields, field, message):
    response = submit(css_client, agreement, **fields)
    assert response.status_code == 400
    dashboard_id, queries_id = kpi_ids(agreement)
    assert message in error_at(response, field.format(dashboard=dashboard_id,
                                                      queries=queries_id))
    assert returns() == [] and events("performance_return.submitted") == []


def test_a_month_outside_the_contract_or_not_yet_over_is_refused(css_client, agreement):
    response = submit(css_client, agreement, period=19)  # an 18-month agreement
    assert response.status_code == 302
    assert "not one of this agreement's reporting months" in text_of(
        css_client.get(response.headers["Location"]))
    assert submit(css_client, agreement, period=2).status_code == 400  # May is not over
    with pytest.raises(ServiceError, match="has not ended yet"):
        service.submit_return(user("css@demo.test"), agreement, 2, {})
    assert returns() == []


def test_one_return_a_month(css_client, agreement):
    submit(css_client, agreement)
    again = submit(css_client, agreement, dashboard="8")
    assert again.status_code == 302  # to the return already submitted
    with pytest.raises(ServiceError, match="already been submitted"):
        service.submit_return(user("css@demo.test"), agreement, 1,
                              {kpi_id: service.FigureInput("8") for kpi_id in kpi_ids(agreement)})
    [made] = returns()
    assert made.figures[0].value == Decimal("9.00")


def test_a_submitted_figure_never_changes(css_client, agreement):
    submit(css_client, agreement)
    figure = returns()[0].figures[0]
    figure.value = Decimal("1")
    with pytest.raises(FrozenRecordError):
        db.session.flush()
    db.session.rollback()


def test_late_returns_are_flagged_to_both_sides(sign_in, agreement, clock):
    clock.set(AFTER_DUE)
    flag = "Late performance returns"
    for email, url in (("ccg@demo.test", f"/agreements/{agreement.id}"),
                       ("css@demo.test", f"/customers/agreements/{agreement.id}"),
                       ("bdu@demo.test", f"/agreements/{agreement.id}")):
        response = sign_in(email).get(url)
        assert flag in text_of(response)
        # Markup, not escaped text: each late month is an item of a list.
        [item] = html(response).select(".nhsuk-card--warning li")
        assert item.get_text(strip=True) == "April 2013: due by 22 May 2013, not submitted"
    response = submit(sign_in("css@demo.test"), agreement)
    assert response.status_code == 302
    assert returns()[0].submitted_late is True
    page = text_of(sign_in("ccg@demo.test").get(f"/agreements/{agreement.id}/performance"))
    assert "Submitted late" in page and "submitted 23 May 2013" in page


def test_on_time_returns_raise_no_flag(ccg_client, css_client, agreement):
    submit(css_client, agreement)
    assert "Late performance returns" not in text_of(
        ccg_client.get(f"/agreements/{agreement.id}"))


def test_the_ccg_accepts_one_figure_and_disputes_another_with_a_reason(
        ccg_client, css_client, agreement):
    submit(css_client, agreement)
    dashboard, queries = returns()[0].figures
    assert review(ccg_client, agreement, dashboard, "accepted").status_code == 302
    refused = review(ccg_client, agreement, queries, "disputed", "")
    assert refused.status_code == 400
    assert "Say why you dispute the figure" in text_of(refused)
    db.session.refresh(queries)
    assert queries.review == "pending"
    response = review(ccg_client, agreement, queries, "disputed",
                      "Our helpdesk log shows 91% for April.")
    assert response.status_code == 302
    db.session.refresh(queries)
    assert (queries.review, queries.dispute_reason) == (
        "disputed", "Our helpdesk log shows 91% for April.")
    assert len(events("performance_figure.accepted")) == 1
    [disputed] = events("performance_figure.disputed")
    assert disputed.actor_id == user("ccg@demo.test").id
    # Reviewed once: a second review is refused.
    with pytest.raises(ServiceError, match="already been accepted"):
        service.review_figure(user("ccg@demo.test"), dashboard, None, "disputed", "No")


def test_a_review_based_on_an_old_page_is_refused(ccg_client, css_client, agreement):
    submit(css_client, agreement)
    dashboard = returns()[0].figures[0]
    old = dashboard.lock_version
    review(ccg_client, agreement, dashboard, "accepted")  # a colleague, meanwhile
    response = review(ccg_client, agreement, dashboard, "disputed", "Too slow", lock_version=old)
    assert response.status_code == 409
    assert "Somebody else reviewed this figure" in text_of(response)
    db.session.refresh(dashboard)
    assert dashboard.review == "accepted"


def test_a_disputed_figure_goes_back_and_is_resubmitted_as_a_new_version(
        ccg_client, css_client, agreement):
    submit(css_client, agreement)
    first = returns()[0]
    dashboard, queries = first.figures
    review(ccg_client, agreement, dashboard, "accepted")
    review(ccg_client, agreement, queries, "disputed", "Our log shows 91%.")
    page = text_of(css_client.get(f"/customers/agreements/{agreement.id}/returns/{first.id}"))
    assert "Resubmit the disputed figures" in page
    form = text_of(css_client.get(
        f"/customers/agreements/{agreement.id}/returns/{first.id}/resubmit"))
    assert "disputed it: Our log shows 91%." in form
    _dashboard_id, queries_id = kpi_ids(agreement)
    response = css_client.post(
        f"/customers/agreements/{agreement.id}/returns/{first.id}/resubmit",
        data={"period": 1, f"figure_{queries_id}": "91",
              f"commentary_{queries_id}": "Corrected from the helpdesk log."})
    assert response.status_code == 302
    first_again, second = returns()
    assert second.version == 2
    carried, new = second.figures
    assert (carried.value, carried.review, carried.carried_forward) == (
        Decimal("9.00"), "accepted", True)
    assert (new.value, new.review, new.rating.value) == (Decimal("91.00"), "pending", "missed")
    assert len(events("performance_return.resubmitted")) == 1
    # The first version stays as it was, readable; it cannot be answered twice.
    assert [f.value for f in first_again.figures] == [Decimal("9.00"), Decimal("93.50")]
    with pytest.raises(ServiceError, match="already been resubmitted"):
        service.resubmit(user("css@demo.test"), first_again,
                         {queries_id: service.FigureInput("92")})
    # The CCG accepts the corrected figure; the month's record now shows it.
    review(ccg_client, agreement, new, "accepted")
    page = text_of(ccg_client.get(f"/agreements/{agreement.id}/performance"))
    assert "April 2013 22 May 2013 Accepted" in page
    assert "91% Missed Accepted" in page


@pytest.mark.parametrize(("email", "status"), [
    ("css@demo.test", 200),    # the provider of the agreement
    ("css2@demo.test", 404),   # a rival CSS: not even confirmed to exist
    ("ccg@demo.test", 403),    # the CCG reviews, never submits for the provider
    ("ccg2@demo.test", 403),
    ("bdu@demo.test", 403),
])
def test_only_the_provider_submits_returns(sign_in, agreement, email, status):
    client = sign_in(email)
    assert client.get(f"/customers/agreements/{agreement.id}/returns/new?period=1"
                      ).status_code == status
    posted = submit(client, agreement)
    assert posted.status_code == (302 if status == 200 else status)
    if status != 200:
        assert returns() == []
    with pytest.raises(ServiceError):
        if email != "css@demo.test":
            service.submit_return(user(email), agreement, 1, {})
        else:
            raise ServiceError("the provider may")


@pytest.mark.parametrize(("email", "status"), [
    ("ccg@demo.test", 302),    # the CCG of the agreement
    ("ccg2@demo.test", 404),   # another CCG
    ("css@demo.test", 403),    # the provider does not review its own figures
    ("css2@demo.test", 403),   # a rival CSS
    ("bdu@demo.test", 403),    # the BDU reads, never acts
])
def test_only_the_agreement_s_ccg_reviews_figures(sign_in, css_client, agreement, email,
                                                  status):
    submit(css_client, agreement)
    figure = returns()[0].figures[0]
    assert review(sign_in(email), agreement, figure, "accepted").status_code == status
    db.session.refresh(figure)
    assert figure.review == ("accepted" if status == 302 else "pending")


@pytest.mark.parametrize(("email", "ccg_side", "provider_side"), [
    ("ccg@demo.test", 200, 403),
    ("ccg2@demo.test", 404, 403),
    ("css@demo.test", 403, 200),
    ("css2@demo.test", 403, 404),
    ("bdu@demo.test", 200, 403),
])
def test_who_reads_the_performance_pages(sign_in, css_client, agreement, email, ccg_side,
                                         provider_side):
    submit(css_client, agreement)
    made = returns()[0]
    client = sign_in(email)
    assert client.get(f"/agreements/{agreement.id}/performance").status_code == ccg_side
    assert client.get(f"/agreements/{agreement.id}/returns/{made.id}").status_code == ccg_side
    assert client.get(f"/customers/agreements/{agreement.id}/performance"
                      ).status_code == provider_side
    assert client.get(f"/customers/agreements/{agreement.id}/returns/{made.id}"
                      ).status_code == provider_side


def test_the_bdu_reads_a_return_without_review_buttons(bdu_client, css_client, agreement):
    submit(css_client, agreement)
    page = html(bdu_client.get(f"/agreements/{agreement.id}/returns/{returns()[0].id}"))
    assert page.find("form", action=lambda a: a and "/review" in a) is None


def test_a_return_of_another_agreement_is_not_found_through_this_one(css_client, agreement,
                                                                     market):
    submit(css_client, agreement)
    other = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi])
    made = returns()[0]
    assert css_client.get(f"/customers/agreements/{other.id}/returns/{made.id}"
                          ).status_code == 404
    assert db.session.get(PerformanceFigure, made.figures[0].id) is not None


def test_no_returns_before_both_parties_sign(css_client, market, clock):
    clock.set(ON_TIME)
    draft = create_agreement(user("ccg@demo.test").organisation, [market.arden_bi],
                             status="draft", kpis=[KPI_DASHBOARD])
    page = text_of(css_client.get(f"/customers/agreements/{draft.id}/performance"))
    assert "returns start once both parties have signed the agreement" in page
    with pytest.raises(ServiceError, match="once both parties have signed"):
        service.submit_return(user("css@demo.test"), draft, 1, {})


# Two people at once (tests/races.py: the second request runs to the end just before the
# first one writes).


def test_the_same_return_submitted_twice_at_once_is_saved_once(app, sign_in, agreement):
    first, second = sign_in("css@demo.test"), sign_in("css@demo.test")
    with meanwhile(app, lambda: submit(second, agreement, dashboard="8")) as other:
        response = submit(first, agreement)
    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "submitted by somebody else at the same moment" in text_of(response)
    [made] = returns()
    assert made.figures[0].value == Decimal("8.00")
    assert len(events("performance_return.submitted")) == 1


def test_two_ccg_users_reviewing_one_figure_at_once_cannot_both_win(app, sign_in, css_client,
                                                                   agreement):
    submit(css_client, agreement)
    figure = returns()[0].figures[0]
    make_user("ravi.colleague@example.nhs.uk", "Ravi Colleague",
              user("ccg@demo.test").organisation)
    colleague = sign_in("ravi.colleague@example.nhs.uk")
    me = sign_in("ccg@demo.test")
    lock, ids = figure.lock_version, (agreement.id, figure.id)
    with meanwhile(app, lambda: post_review(colleague, *ids, "accepted", "", lock)) as other:
        response = post_review(me, *ids, "disputed", "Too slow", lock)
    assert other[1].status_code == 302
    assert response.status_code == 409
    assert "Somebody else reviewed this figure" in text_of(response)
    db.session.expire_all()
    assert db.session.get(PerformanceFigure, figure.id).review == "accepted"
    assert events("performance_figure.disputed") == []


def test_the_due_day_follows_the_setting(app, ccg_client, agreement):
    app.config["RETURN_DUE_WORKING_DAYS"] = 5
    try:
        # 1-3 May, then 7 and 8 May (6 May 2013 is a bank holiday): late from 9 May.
        page = text_of(ccg_client.get(f"/agreements/{agreement.id}"))
        assert "April 2013: due by 8 May 2013, not submitted" in page
        assert "within 5 working days" in text_of(
            ccg_client.get(f"/agreements/{agreement.id}/performance"))
    finally:
        app.config["RETURN_DUE_WORKING_DAYS"] = 15


def test_a_quarterly_kpi_is_reported_every_third_month(market, clock):
    clock.set(datetime(2013, 7, 5, 9, 0, tzinfo=UTC))
    agreement = create_agreement(
        user("ccg@demo.test").organisation, [market.arden_bi],
        kpis=[KPI_DASHBOARD, {**KPI_QUERIES, "frequency": "quarterly"}])
    dashboard, queries = agreement.lines[0].kpis
    rows = service.schedule(agreement)
    assert [(row.period.label, [kpi.measure for kpi in row.kpis]) for row in rows[:3]] == [
        ("April 2013", [dashboard.measure]), ("May 2013", [dashboard.measure]),
        ("June 2013", [dashboard.measure, queries.measure])]
    # 18 months: the quarterly KPI in months 3, 6, 9, 12, 15 and 18.
    assert sum(queries in row.kpis for row in rows) == 6
    made = service.submit_return(user("css@demo.test"), agreement, 3, {
        dashboard.id: service.FigureInput("10"), queries.id: service.FigureInput("96")})
    assert [figure.kpi for figure in made.figures] == [dashboard, queries]


def _statements(client, page) -> int:
    db.session.expire_all()  # as in a new request: nothing loaded already
    with counting_statements() as count:
        assert client.get(page).status_code == 200
    return len(count)


def test_the_performance_pages_run_as_many_queries_for_three_returns_as_for_one(
        sign_in, css_client, agreement, clock):
    """Every return's figures come in one query with the returns, and the KPIs with the
    agreement: not a query per month."""
    clock.set(datetime(2013, 8, 5, 9, 0, tzinfo=UTC))  # April to July are over
    pages = [(sign_in("ccg@demo.test"), f"/agreements/{agreement.id}/performance"),
             (css_client, f"/customers/agreements/{agreement.id}/performance")]
    assert submit(css_client, agreement).status_code == 302
    with_one = [_statements(client, page) for client, page in pages]
    for period in (2, 3):
        assert submit(css_client, agreement, period=period).status_code == 302
    assert [_statements(client, page) for client, page in pages] == with_one


def test_a_return_runs_as_many_queries_reviewed_by_two_people_as_unreviewed(
        sign_in, css_client, agreement):
    """Who reviewed each figure comes with the figures: not a query per reviewer."""
    submit(css_client, agreement)
    [performance_return] = returns()
    page = f"/agreements/{agreement.id}/returns/{performance_return.id}"
    ccg_client = sign_in("ccg@demo.test")
    unreviewed = _statements(ccg_client, page)
    dashboard, queries = performance_return.figures
    other = make_user("ccg-other@demo.test", "Other Reviewer", agreement.ccg)
    service.review_figure(user("ccg@demo.test"), dashboard, None, "accepted", "")
    service.review_figure(other, queries, None, "accepted", "")
    page_text = text_of(ccg_client.get(page))
    assert "Other Reviewer" in page_text
    assert _statements(ccg_client, page) == unreviewed
