"""The statement workflow: who may change what, confirmations, joint splits, scenario budgets."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    PartyStatus,
    ScenarioLine,
    SplitMethod,
    StatementStatus,
)
from marketplace.services import statements
from marketplace.services.buying_common import FieldErrors
from marketplace.services.errors import Conflict, NotFound, PermissionDenied, ServiceError

from ..conftest import user
from ..factories import make_scenario, mixed_lines
from .conftest import line, started


def events(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == action))


def test_a_ccg_builds_and_confirms_its_own_statement(arden):
    statement = started(arden)
    assert statement.status == StatementStatus.DRAFT
    assert [(p.ccg, p.is_lead, p.status) for p in statement.parties] == [
        (arden.coventry, True, PartyStatus.INVITED)]
    saved = statements.save_line(arden.lead, statement, line(
        arden.market.bi, mode="buy", priority="high", population_covered="464,596",
        days_per_year="220", local_service_levels="Monthly dashboard: 10th working day",
        exclusions="Primary care prescribing data", budget_annual="£150,000"),
        statement.lock_version)
    assert saved.budget_annual == Decimal("150000.00")
    assert saved.local_service_levels == [{"measure": "Monthly dashboard",
                                           "target": "10th working day"}]
    statements.confirm_lines(arden.lead, statement, statement.lock_version)
    assert statement.status == StatementStatus.READY
    assert saved.confirmed_at is not None
    assert events("statement.created") == events("statement.line_saved") == 1
    assert events("statement.confirmed") == 1


def test_confirming_needs_a_line(arden):
    statement = started(arden)
    with pytest.raises(ServiceError, match="at least one line"):
        statements.confirm_lines(arden.lead, statement, statement.lock_version)


def test_a_changed_line_asks_for_confirmation_again(arden):
    statement = started(arden)
    saved = statements.save_line(arden.lead, statement, line(arden.market.bi),
                                 statement.lock_version)
    statements.confirm_lines(arden.lead, statement, statement.lock_version)
    statements.save_line(arden.lead, statement, line(arden.market.bi, budget_annual="1"),
                         statement.lock_version, line=saved)
    assert statement.status == StatementStatus.DRAFT
    assert statement.party_for(arden.coventry.id).status == PartyStatus.INVITED


def test_a_stale_page_is_refused_and_nothing_saved(arden):
    statement = started(arden)
    opened = statement.lock_version
    statements.save_line(arden.lead, statement, line(arden.market.bi), opened)
    with pytest.raises(Conflict):
        statements.save_line(arden.lead, statement, line(arden.market.contracts), opened)
    db.session.expire_all()
    assert [x.specification for x in statement.lines] == [arden.market.bi]


def test_one_line_per_specification_per_ccg(arden):
    statement = started(arden)
    statements.save_line(arden.lead, statement, line(arden.market.bi), None)
    with pytest.raises(FieldErrors) as refused:
        statements.save_line(arden.lead, statement, line(arden.market.bi), None)
    assert refused.value.errors[0][0] == "specification_id"


@pytest.mark.parametrize("fields, field", [
    ({"budget_annual": "25000000.01"}, "budget_annual"),
    ({"budget_annual": "-1"}, "budget_annual"),
    ({"budget_annual": "1²"}, "budget_annual"),
    ({"population_covered": "464597"}, "population_covered"),  # one above Coventry's list
    ({"days_per_year": "٣"}, "days_per_year"),
    ({"notes": "a\x00b"}, "notes"),
    ({"exclusions": "x" * 4001}, "exclusions"),
    ({"mode": "steal"}, "mode"),
    ({"priority": ""}, "priority"),
    ({"local_service_levels": "no target"}, "local_service_levels"),
])
def test_bad_line_input_is_refused_at_its_field(arden, fields, field):
    statement = started(arden)
    with pytest.raises(FieldErrors) as refused:
        statements.save_line(arden.lead, statement, line(arden.market.bi, **fields), None)
    assert field in {name for name, _ in refused.value.errors}
    assert statement.lines == []


def test_the_ceiling_budget_itself_is_accepted(arden):
    statement = started(arden)
    saved = statements.save_line(arden.lead, statement, line(
        arden.market.bi, budget_annual="25000000", population_covered="464596"), None)
    assert saved.budget_annual == Decimal("25000000.00")


def test_budget_taken_from_a_scenario_line_points_both_ways(arden):
    scenario = make_scenario("ccg@demo.test", name="Coventry baseline", lines=mixed_lines())
    scenario_line = scenario.lines[1]  # business intelligence at £0.85 a head
    cost = statements.line_annual_cost(scenario_line)
    assert cost == Decimal("0.85") * scenario.population
    statement = started(arden)
    saved = statements.save_line(arden.lead, statement, line(
        arden.market.bi, budget_annual="1", scenario_line_id=scenario_line.id), None)
    assert saved.budget_annual == cost  # the scenario's figure wins over the typed one
    assert db.session.get(ScenarioLine, scenario_line.id).statement_line is saved
    # Another statement line cannot take the same scenario line.
    other = started(arden, "Another")
    with pytest.raises(FieldErrors) as refused:
        statements.save_line(arden.lead, other, line(
            arden.market.contracts, scenario_line_id=scenario_line.id), None)
    assert refused.value.errors[0][0] == "scenario_line_id"


def test_another_ccgs_scenario_line_is_refused(arden):
    scenario = make_scenario("ccg2@demo.test", name="Darlington baseline", population=106079,
                             lines=mixed_lines()[:1])
    statement = started(arden)
    with pytest.raises(FieldErrors) as refused:
        statements.save_line(arden.lead, statement, line(
            arden.market.bi, scenario_line_id=scenario.lines[0].id), None)
    assert refused.value.errors == [("scenario_line_id",
                                     "Choose one of your CCG's scenario lines")]


def joint(arden):
    statement = started(arden)
    statements.invite_partner(arden.lead, statement, arden.north.id, None)
    statements.invite_partner(arden.lead, statement, arden.south.id, None)
    statements.save_line(arden.lead, statement, line(arden.market.bi, budget_annual="150000"),
                         None)
    return statement


def test_joint_statement_ready_when_every_partner_confirms(arden):
    statement = joint(arden)
    statements.confirm_lines(arden.lead, statement, None)
    assert statement.status == StatementStatus.DRAFT
    statements.save_line(arden.north_user, statement, line(
        arden.market.bi, budget_annual="60000"), None)
    statements.save_line(arden.south_user, statement, line(
        arden.market.bi, budget_annual="40000"), None)
    statements.confirm_lines(arden.north_user, statement, None)
    assert statement.status == StatementStatus.DRAFT
    statements.confirm_lines(arden.south_user, statement, statement.lock_version)
    assert statement.status == StatementStatus.READY
    # £250,000 split by population, as in the domain's worked figures.
    split = statements.budget_split(statement)
    assert split.total == Decimal("250000.00")
    assert [(row.party.ccg.ods_code, row.part, row.own_budget) for row in split.parties] == [
        ("05A", Decimal("126213.66"), Decimal("150000.00")),
        ("05H", Decimal("49945.83"), Decimal("60000.00")),
        ("05R", Decimal("73840.51"), Decimal("40000.00"))]
    assert statements.cost_split(statement, Decimal("0.02")) == {
        arden.coventry.id: Decimal("0.01"), arden.north.id: Decimal("0.00"),
        arden.south.id: Decimal("0.01")}


def test_agreed_shares_must_total_100(arden):
    statement = joint(arden)
    ids = [p.id for p in statement.parties]
    with pytest.raises(ServiceError) as refused:
        statements.set_split(arden.lead, statement, SplitMethod.AGREED_SHARES,
                             dict(zip(ids, ["50", "25", "24.99"], strict=True)), None)
    assert refused.value.field == "shares" and "99.99%" in refused.value.message
    with pytest.raises(FieldErrors) as refused:
        statements.set_split(arden.lead, statement, SplitMethod.AGREED_SHARES,
                             dict(zip(ids, ["50", "2⁵", ""], strict=True)), None)
    assert {field for field, _ in refused.value.errors} == {f"share_{ids[1]}",
                                                            f"share_{ids[2]}"}
    assert statement.split_method == SplitMethod.POPULATION
    statements.set_split(arden.lead, statement, SplitMethod.AGREED_SHARES,
                         dict(zip(ids, ["50", "25", "25"], strict=True)), None)
    split = statements.budget_split(statement)
    assert [row.part for row in split.parties] == [Decimal("75000.00"), Decimal("37500.00"),
                                                   Decimal("37500.00")]
    assert events("statement.split_changed") == 1


def test_partners_write_only_their_own_lines(arden):
    statement = joint(arden)
    lead_line = statement.lines[0]
    with pytest.raises(PermissionDenied):
        statements.save_line(arden.north_user, statement, line(arden.market.bi), None,
                             line=lead_line)
    with pytest.raises(PermissionDenied):
        statements.remove_line(arden.north_user, statement, lead_line, None)
    for change in (
        lambda: statements.update_details(arden.north_user, statement,
                                          statements.DetailsInput("Mine"), None),
        lambda: statements.invite_partner(arden.north_user, statement, arden.market.arden.id,
                                          None),
        lambda: statements.set_split(arden.north_user, statement, "population", {}, None),
        lambda: statements.withdraw_statement(arden.north_user, statement, None),
    ):
        with pytest.raises(PermissionDenied):
            change()


def test_other_ccgs_and_other_roles_cannot_see_or_change_it(arden):
    statement = joint(arden)
    for outsider in (arden.darlington_user, user("css@demo.test"), user("bdu@demo.test")):
        with pytest.raises(NotFound):
            statements.statement_for(outsider, statement.id)
    with pytest.raises(NotFound):
        statements.save_line(arden.darlington_user, statement, line(arden.market.bi), None)
    with pytest.raises(PermissionDenied):
        statements.save_line(user("css@demo.test"), statement, line(arden.market.bi), None)
    with pytest.raises(PermissionDenied):
        statements.create_statement(user("bdu@demo.test"), statements.DetailsInput("x"))


def test_a_partner_declining_takes_its_lines_out(arden):
    statement = joint(arden)
    statements.save_line(arden.north_user, statement, line(arden.market.bi), None)
    statements.confirm_lines(arden.lead, statement, None)
    statements.decline(arden.north_user, statement, None)
    assert [x.ccg for x in statement.lines] == [arden.coventry]
    assert statement.party_for(arden.north.id).status == PartyStatus.DECLINED
    # South has not confirmed: still a draft; when it declines too, the lead's lines stand.
    statements.decline(arden.south_user, statement, None)
    assert statement.status == StatementStatus.READY
    assert [row.party.ccg for row in statements.budget_split(statement).parties] == [
        arden.coventry]


def test_invite_only_ccgs_once(arden):
    statement = joint(arden)
    with pytest.raises(ServiceError, match="already taking part"):
        statements.invite_partner(arden.lead, statement, arden.north.id, None)
    with pytest.raises(ServiceError, match="Choose a CCG"):
        statements.invite_partner(arden.lead, statement, arden.market.arden.id, None)


def test_details_are_checked(arden):
    with pytest.raises(FieldErrors) as refused:
        statements.create_statement(arden.lead, statements.DetailsInput(
            "", summary="\x00", term_months="6١"))
    assert {field for field, _ in refused.value.errors} == {"title", "summary", "term_months"}
    with pytest.raises(FieldErrors):
        statements.create_statement(arden.lead, statements.DetailsInput("x", term_months="61"))
    assert statements.create_statement(
        arden.lead, statements.DetailsInput("x", term_months="60")).term_months == 60


def test_nothing_changes_once_it_is_being_bought(arden):
    statement = started(arden)
    statements.save_line(arden.lead, statement, line(arden.market.bi), None)
    statement.status = StatementStatus.IN_PROCUREMENT
    db.session.commit()
    with pytest.raises(ServiceError, match="being bought"):
        statements.save_line(arden.lead, statement, line(arden.market.contracts), None)


def test_withdrawn_statement_frees_its_scenario_line(arden):
    scenario = make_scenario("ccg@demo.test", name="Coventry baseline", lines=mixed_lines())
    statement = started(arden)
    statements.save_line(arden.lead, statement, line(
        arden.market.bi, scenario_line_id=scenario.lines[1].id), None)
    statements.withdraw_statement(arden.lead, statement, statement.lock_version)
    assert statement.status == StatementStatus.WITHDRAWN
    assert db.session.get(ScenarioLine, scenario.lines[1].id).statement_line is None
