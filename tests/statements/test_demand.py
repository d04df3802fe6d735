"""Aggregated demand: the BDU sees every region, an SHA cluster its own, CCGs and CSSs none."""

from decimal import Decimal

import pytest

from marketplace.models import Organisation, OrganisationKind, Role
from marketplace.services import statements
from marketplace.services.errors import PermissionDenied

from ..conftest import text_of, user
from ..factories import ccg
from ..procurements.conftest import make_user
from ..queries import counting_statements
from .conftest import line, started


@pytest.fixture
def demand_world(arden):
    # Coventry and Warwickshire North in separate statements (a joint procurement could be
    # proposed), Darlington in the North, and a declined and a withdrawn line left out.
    coventry = started(arden, "Coventry support")
    statements.save_line(arden.lead, coventry, line(
        arden.market.bi, budget_annual="120000", days_per_year="40"), None)
    statements.save_line(arden.lead, coventry, line(arden.market.contracts, mode="do"), None)
    north = statements.create_statement(arden.north_user, statements.DetailsInput("North"))
    statements.save_line(arden.north_user, north, line(
        arden.market.bi, budget_annual="45000.50", population_covered="180000"), None)
    darlington = statements.create_statement(arden.darlington_user,
                                             statements.DetailsInput("Darlington"))
    statements.save_line(arden.darlington_user, darlington, line(
        arden.market.bi, mode="share", budget_annual="30000"), None)
    gone = statements.create_statement(arden.south_user, statements.DetailsInput("Gone"))
    statements.save_line(arden.south_user, gone, line(arden.market.bi, budget_annual="1"),
                         None)
    statements.withdraw_statement(arden.south_user, gone, None)
    return arden


def test_clusters_come_from_the_2012_data(app_context):
    assert ccg("05A").pct_cluster == "Arden PCT Cluster"
    assert ccg("00C").pct_cluster == "NHS County Durham and Darlington PCT Cluster"


def test_the_bdu_sees_demand_by_specification_region_and_cluster(demand_world):
    demand = statements.aggregated_demand(user("bdu@demo.test"))
    summary = [(g.specification.code, g.region, g.cluster, g.ccg_count, g.population,
                g.budget, g.joint_candidate) for g in demand.groups]
    assert summary == [
        ("BI-01", "Midlands and East of England", "Arden PCT Cluster", 2, 464_596 + 180_000,
         Decimal("165000.50"), True),
        ("BI-01", "North of England", "NHS County Durham and Darlington PCT Cluster", 1,
         106_079, Decimal("30000.00"), False),
    ]  # the in-house line and the withdrawn statement are not demand
    assert demand.total_budget == Decimal("195000.50")
    arden_only = statements.aggregated_demand(user("bdu@demo.test"),
                                              cluster="Arden PCT Cluster")
    assert [g.cluster for g in arden_only.groups] == ["Arden PCT Cluster"]


def test_an_sha_cluster_sees_its_own_region_only(demand_world):
    peer = user("peer@demo.test")  # NHS Midlands and East (SHA cluster)
    north = next(r for r in statements.aggregated_demand(user("bdu@demo.test")).regions
                 if r.name == "North of England")
    demand = statements.aggregated_demand(peer, region_id=north.id)  # asks for the North
    assert demand.region_fixed
    assert {g.region for g in demand.groups} == {"Midlands and East of England"}


def test_ccgs_csss_and_peers_outside_sha_clusters_are_refused(demand_world, app_context):
    for email in ("ccg@demo.test", "css@demo.test"):
        with pytest.raises(PermissionDenied):
            statements.aggregated_demand(user(email))
    local_authority = Organisation(kind=OrganisationKind.LOCAL_AUTHORITY,
                                   name="Test Borough Council")
    peer = make_user("peer.la@example.gov.uk", "Lee Ward", local_authority,
                     role=Role.PEER_REVIEWER)
    with pytest.raises(PermissionDenied):
        statements.aggregated_demand(peer)


def test_summaries_by_cluster_and_by_specification(demand_world):
    demand = statements.aggregated_demand(user("bdu@demo.test"))
    assert not demand.detailed
    assert [(row.label, row.ccg_count, row.population, row.budget, row.groups,
             row.joint_candidates) for row in demand.by_cluster()] == [
        ("Arden PCT Cluster", 2, 464_596 + 183_852, Decimal("165000.50"), 1, 1),
        ("NHS County Durham and Darlington PCT Cluster", 1, 106_079, Decimal("30000.00"), 1,
         0)]
    assert [(row.label, row.ccg_count, row.population, row.budget, row.groups,
             row.joint_candidates) for row in demand.by_specification()] == [
        ("Business intelligence", 3, 464_596 + 180_000 + 106_079, Decimal("195000.50"), 2, 1)]
    narrowed = statements.aggregated_demand(user("bdu@demo.test"),
                                            specification_id=demand_world.market.bi.id)
    assert narrowed.detailed and len(narrowed.groups) == 2
    nothing = statements.aggregated_demand(user("bdu@demo.test"),
                                           specification_id=demand_world.market.contracts.id)
    assert nothing.groups == []


def test_the_demand_page_per_role(demand_world, sign_in):
    page = sign_in("bdu@demo.test").get("/demand")
    assert page.status_code == 200
    body = text_of(page)
    assert "Arden PCT Cluster" in body and "£165,000.50" in body
    assert "NHS Warwickshire North CCG" not in body  # the totals only, until narrowed
    body = text_of(sign_in("bdu@demo.test").get("/demand?cluster=Arden+PCT+Cluster"))
    assert "a joint procurement could be proposed" in body
    assert "NHS Warwickshire North CCG" in body
    filtered = text_of(sign_in("bdu@demo.test").get(
        "/demand?cluster=NHS+County+Durham+and+Darlington+PCT+Cluster&region=%C2%B2"))
    assert "Arden PCT Cluster:" not in filtered and "£30,000.00" in filtered
    assert sign_in("peer@demo.test").get("/demand").status_code == 200
    assert "NHS Darlington CCG" not in text_of(sign_in("peer@demo.test").get("/demand"))
    assert sign_in("ccg@demo.test").get("/demand").status_code == 403
    assert sign_in("css@demo.test").get("/demand").status_code == 403


def test_the_demand_page_runs_as_many_queries_for_many_lines_as_for_a_few(demand_world, sign_in):
    """The totals are added up from one query of the lines, and a narrowed view loads its
    lines with their statements and parties in a fixed number of queries: no query per row."""
    client = sign_in("bdu@demo.test")
    pages = ("/demand", "/demand?cluster=Arden+PCT+Cluster",
             f"/demand?specification={demand_world.market.bi.id}")
    before = {}
    for page in pages:
        with counting_statements() as count:
            assert client.get(page).status_code == 200
        before[page] = len(count)
    more = statements.create_statement(demand_world.south_user,
                                       statements.DetailsInput("South support"))
    statements.save_line(demand_world.south_user, more, line(
        demand_world.market.bi, budget_annual="2000"), None)
    statements.save_line(demand_world.south_user, more, line(
        demand_world.market.contracts, budget_annual="3000"), None)
    darlington = statements.create_statement(demand_world.darlington_user,
                                             statements.DetailsInput("Darlington contracts"))
    statements.save_line(demand_world.darlington_user, darlington, line(
        demand_world.market.contracts, budget_annual="500"), None)
    for page in pages:
        with counting_statements() as count:
            assert client.get(page).status_code == 200
        assert len(count) == before[page], page


def test_lines_without_a_budget_and_a_ccg_in_two_statements_add_up(demand_world):
    """The totals are added up in SQL: a group whose lines give no budget is £0.00, and a
    CCG asking for one specification in two statements counts once among its CCGs and its
    cluster's, with both statements counted."""
    south = statements.create_statement(demand_world.south_user,
                                        statements.DetailsInput("South contracts"))
    statements.save_line(demand_world.south_user, south,
                         line(demand_world.market.contracts), None)
    again = statements.create_statement(demand_world.south_user,
                                        statements.DetailsInput("South intelligence"))
    statements.save_line(demand_world.south_user, again, line(
        demand_world.market.bi, budget_annual="10"), None)
    demand = statements.aggregated_demand(user("bdu@demo.test"))
    by_key = {(g.specification.code, g.cluster): g for g in demand.groups}
    contracts = by_key[("CM-01", "Arden PCT Cluster")]
    assert (contracts.ccg_count, contracts.population, contracts.budget) == (
        1, 271_809, Decimal("0.00"))
    bi = by_key[("BI-01", "Arden PCT Cluster")]
    assert (bi.ccg_count, bi.statement_count, bi.budget) == (3, 3, Decimal("165010.50"))
    arden = next(row for row in demand.by_cluster() if row.label == "Arden PCT Cluster")
    assert (arden.ccg_count, arden.population, arden.groups, arden.joint_candidates) == (
        3, 464_596 + 183_852 + 271_809, 2, 1)
    assert demand.total_budget == Decimal("195010.50")


def test_each_filter_value_is_bound_where_the_statement_is_built_once(demand_world):
    """The demand statement is built once per combination of filters asked for; the values
    are bound each time, so one cluster, region or specification after another gives each
    its own groups."""
    bdu = user("bdu@demo.test")
    durham = "NHS County Durham and Darlington PCT Cluster"
    for cluster in ("Arden PCT Cluster", durham, "Arden PCT Cluster"):
        assert {g.cluster for g in statements.aggregated_demand(bdu, cluster=cluster).groups} \
            == {cluster}
    regions = {r.name: r.id for r in statements.aggregated_demand(bdu).regions}
    for name in ("North of England", "Midlands and East of England"):
        found = statements.aggregated_demand(bdu, region_id=regions[name]).groups
        assert {g.region for g in found} == {name}
    assert statements.aggregated_demand(
        bdu, specification_id=demand_world.market.contracts.id).groups == []
    assert len(statements.aggregated_demand(
        bdu, specification_id=demand_world.market.bi.id).groups) == 2
