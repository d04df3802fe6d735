"""A disputed figure tells the CSS: its leaders see it in the app and receive it over SMTP
(unless they turned it off); accepting a figure tells nobody."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Notification, NotificationPreference, Role

from ..conftest import user
from ..factories import KPI_DASHBOARD, KPI_QUERIES, create_agreement, make_user
from .test_performance_returns import review, submit


@pytest.fixture
def submitted(market, clock, css_client):
    clock.set(datetime(2013, 5, 20, 9, 0, tzinfo=UTC))
    agreement = create_agreement(
        user("ccg@demo.test").organisation,
        [market.arden_bi],
        reference="SLA-05A-201",
        kpis=[KPI_DASHBOARD, KPI_QUERIES],
    )
    assert submit(css_client, agreement).status_code == 302
    db.session.expire_all()
    return agreement


def _told():
    rows = db.session.scalars(
        select(Notification).where(Notification.kind == "return_disputed").order_by(Notification.id)
    ).all()
    return {row.recipient.email: (row.sentence, row.link) for row in rows}


def _figures(agreement):
    from marketplace.models import PerformanceReturn

    [performance_return] = db.session.scalars(select(PerformanceReturn)).all()
    return performance_return, performance_return.figures


def test_a_dispute_tells_the_css_leaders_in_the_app(submitted, ccg_client):
    make_user("pat.leader@example.nhs.uk", "Pat Leader", submitted.provider, Role.CSS_LEADER)
    performance_return, (dashboard, queries) = _figures(submitted)
    assert review(ccg_client, submitted, dashboard, "accepted").status_code == 302
    assert _told() == {}
    assert (
        review(ccg_client, submitted, queries, "disputed", "The call log shows 91%").status_code
        == 302
    )
    told = _told()
    assert set(told) == {"css@demo.test", "pat.leader@example.nhs.uk"}  # not the CCG's users
    sentence, link = told["css@demo.test"]
    assert sentence == (
        "NHS Coventry and Rugby CCG disputed the figure for Queries answered "
        "within 2 days in your return for April 2013 on agreement "
        "SLA-05A-201: The call log shows 91%"
    )
    assert link == f"/customers/agreements/{submitted.id}/returns/{performance_return.id}"


def test_the_email_goes_over_smtp_to_those_who_want_it(submitted, smtp_server):
    from marketplace.services import performance_returns

    colleague = make_user(
        "pat.leader@example.nhs.uk", "Pat Leader", submitted.provider, Role.CSS_LEADER
    )
    db.session.add(
        NotificationPreference(user_id=colleague.id, kind="return_disputed", by_email=False)
    )
    db.session.commit()
    _, (dashboard, _) = _figures(submitted)
    performance_returns.review_figure(
        user("ccg@demo.test"),
        dashboard,
        dashboard.lock_version,
        "disputed",
        "Sent on day 12, not 9",
    )
    [message] = smtp_server.wait_for(1)  # Pat turned the email off, so one message
    assert message["To"] == "css@demo.test"
    assert message["Subject"].startswith("CSS Marketplace: NHS Coventry and Rugby CCG disputed")
    assert set(_told()) == {"css@demo.test", "pat.leader@example.nhs.uk"}


def test_a_refused_dispute_tells_nobody(submitted, ccg_client):
    _, (dashboard, _) = _figures(submitted)
    response = review(ccg_client, submitted, dashboard, "disputed", "")  # no reason
    assert response.status_code == 400
    assert _told() == {}
