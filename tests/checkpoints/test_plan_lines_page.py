"""The plan page's table of income against each CCG's intention and signed agreements."""

from datetime import date

import pytest
from sqlalchemy import select

from marketplace.demo.business_plans import region_ccgs
from marketplace.demo.specifications import seed_specifications
from marketplace.extensions import db
from marketplace.models import Agreement, AgreementLine, AgreementStatus, ServiceSpecification

from .. import factories as build
from ..conftest import html


def _lines(page) -> list[list[str]]:
    table = page.select_one("#analysis table.analysis-lines")
    assert table is not None
    return [
        [cell.get_text(" ", strip=True) for cell in row.select("th, td")]
        for row in table.select("tbody tr")
    ]


def test_the_css_sees_names_intentions_and_signed_values(css_client):
    seed_specifications()
    db.session.commit()
    plan = build.plan()
    ccgs = region_ccgs(build.organisation(build.ARDEN))
    first = ccgs[0]
    page = html(css_client.get(f"/assurance/plans/{plan.id}/check"))
    rows = _lines(page)
    names = {row[0] for row in rows}
    assert first.name in names and first.ods_code not in names  # names, not codes
    specs = {row[1] for row in rows}
    assert "Decision support, dashboards and benchmarking" in specs
    assert all(row[2] == "No intention to buy stated" for row in rows)
    assert all(row[4] == "£0.00" for row in rows)  # nothing signed yet
    # The flag names the CCG too, in words.
    flags = [
        card.get_text(" ")
        for card in page.select(".analysis-flag")
        if card["data-flag"] == "income_without_backing"
    ]
    assert any(f"{first.name} ({first.ods_code}) has nothing behind it" in f for f in flags)


def test_a_signed_agreement_shows_against_its_specification(css_client):
    seed_specifications()
    db.session.commit()
    plan = build.plan()
    first = region_ccgs(build.organisation(build.ARDEN))[0]
    bi = db.session.scalar(
        select(ServiceSpecification).where(ServiceSpecification.code == "BI-DSS")
    )
    agreement = Agreement(
        reference="SLA-TEST-1",
        ccg_id=first.id,
        provider_id=plan.organisation_id,
        status=AgreementStatus.SIGNED,
        start_date=date(2013, 4, 1),
        end_date=date(2014, 3, 31),
        computed_annual_value=100,
        annual_value=100,
    )
    agreement.lines.append(AgreementLine(specification=bi, annual_cost=123456))
    db.session.add(agreement)
    db.session.commit()
    rows = _lines(html(css_client.get(f"/assurance/plans/{plan.id}/check")))
    row = next(r for r in rows if r[0] == first.name and r[1].startswith("Decision support"))
    assert row[4] == "£123,456.00" and row[6] == "£0.00"


@pytest.mark.parametrize(
    ("email", "status"),
    [
        ("css@demo.test", 200),
        ("css2@demo.test", 404),
        ("ccg@demo.test", 403),
        ("peer@demo.test", 403),
    ],
)
def test_who_may_open_the_check(sign_in, email, status):
    plan = build.plan()
    response = sign_in(email).get(f"/assurance/plans/{plan.id}/check")
    assert response.status_code == status


def test_the_bdu_reviewer_sees_the_table_on_the_review(bdu_client):
    seed_specifications()
    db.session.commit()
    review = build.started_review(2, build.GEM)
    page = html(bdu_client.get(f"/reviews/submissions/{review.submission_id}"))
    assert page.select_one("table.analysis-lines") is not None
    assert "Decision support, dashboards and benchmarking" in page.get_text()
