"""What stands behind a plan's income, read from statements of requirements and agreements."""

from datetime import date
from decimal import Decimal

from marketplace.domain.plan_checks import CheckCode
from marketplace.extensions import db
from marketplace.models import AgreementStatus, PartyStatus, StatementStatus
from marketplace.services import plan_checks

from .. import factories as build

YEARS = ("2013/14", "2014/15", "2015/16", "2016/17")


def test_intentions_with_budgets_and_agreements_by_plan_year(market):
    coventry, warwick = build.ccg("05A"), build.ccg("05R")
    build.make_statement(coventry, [(coventry, market.bi, "150000", None),
                                    (coventry, market.contracts, None, None)])
    build.make_statement(coventry, [(coventry, market.bi, "50000", None)], title="More BI")
    # 1 April 2013 to 30 September 2014: all of 2013/14 and 183 of 2014/15's 365 days.
    agreement = build.create_agreement(warwick, [market.arden_bi])
    annual = agreement.lines[0].annual_cost
    backing = plan_checks.backing_for(market.arden.id, YEARS, ["05A", "05R"])
    assert backing[("05A", "BI-01")].intends_to_buy
    assert backing[("05A", "BI-01")].intended_annual == Decimal("200000")
    # A buy line with no budget: an intention with no amount to measure the plan against.
    assert backing[("05A", "CM-01")].intended_annual == 0
    agreed = backing[("05R", "BI-01")]
    assert not agreed.intends_to_buy
    assert agreed.agreed["2013/14"] == annual
    assert agreed.agreed["2014/15"] == (annual * 183 / 365).quantize(Decimal("0.01"))
    assert agreed.agreed["2015/16"] == 0


def test_what_does_not_count(market):
    coventry, warwick, solihull = build.ccg("05A"), build.ccg("05R"), build.ccg("05P")
    build.make_statement(coventry, [(coventry, market.bi, "1000", None)],
                         status=StatementStatus.WITHDRAWN)
    declined = build.make_statement(solihull, [(warwick, market.bi, "1000", None)],
                                    partners=[warwick])
    declined.parties[1].status = PartyStatus.DECLINED
    db.session.commit()
    build.create_agreement(solihull, [market.arden_bi], status=AgreementStatus.DRAFT)
    build.create_agreement(solihull, [market.gem_bi])  # signed, but with another CSS
    assert plan_checks.backing_for(market.arden.id, YEARS, ["05A", "05R", "05P"]) == {}


def test_a_stored_plan_is_checked_against_its_own_agreements(market):
    plan = build.plan()  # income from Arden's region's CCGs, none of whom said anything
    customers = [c for c in plan.financial_model["income_by_customer"]["2013/14"]
                 if c not in ("board", "other")]
    from marketplace.services.assurance import analysis_for

    flagged = {flag.figure("customer").value for flag in analysis_for(plan).result.flags
               if flag.code is CheckCode.INCOME_WITHOUT_BACKING}
    assert flagged == set(customers)
    # Arden's £12 a head covers the plan's £10 a head growing 3% a year, for all four years.
    build.create_agreement(build.ccg(customers[0]), [market.arden_bi],
                           start_date=date(2013, 4, 1), end_date=date(2017, 3, 31))
    flagged_after = {flag.figure("customer").value
                     for flag in analysis_for(plan).result.flags
                     if flag.code is CheckCode.INCOME_WITHOUT_BACKING}
    assert flagged_after == set(customers) - {customers[0]}


def test_the_checks_name_the_plans_ccgs_from_their_backing_rows_and_ask_for_the_rest(market):
    """A CCG with an intention or an agreement is named by the row that says so; only the
    plan's CCGs with none are looked up by name, so when every one has a row the names
    cost no statement of their own."""
    from marketplace.services.assurance import analysis_for

    from ..queries import counting_statements

    plan = build.plan()
    customers = sorted(c for c in plan.financial_model["income_by_customer"]["2013/14"]
                       if c not in ("board", "other"))
    assert analysis_for(plan).customer_names == plan_checks.ccg_names(customers)
    db.session.expire_all()
    with counting_statements() as none_backed:
        analysis_for(plan)
    for code in customers:
        build.create_agreement(build.ccg(code), [market.arden_bi])
    db.session.expire_all()
    with counting_statements() as all_backed:
        names = analysis_for(plan).customer_names
    assert names == plan_checks.ccg_names(customers)
    assert len(all_backed) == len(none_backed) - 1
