"""A statement's page runs as many queries for more lines and partners as for a few: none
for each line's specification or each partner's CCG."""

from marketplace.services import statements

from ..conftest import text_of
from ..factories import make_scenario, mixed_lines
from ..queries import statements_for
from .conftest import line, started


def test_the_statement_and_split_pages_run_as_many_queries_for_more_lines(arden, ccg_client):
    small = started(arden, "Small")
    statements.save_line(arden.lead, small, line(arden.market.bi, budget_annual="100"), None)
    statements.invite_partner(arden.lead, small, arden.south.id, None)
    large = started(arden, "Large")
    for spec in (arden.market.bi, arden.market.contracts, arden.market.comms):
        statements.save_line(arden.lead, large, line(spec, budget_annual="100"), None)
    statements.invite_partner(arden.lead, large, arden.south.id, None)
    statements.invite_partner(arden.lead, large, arden.north.id, None)
    assert arden.north.name in text_of(ccg_client.get(f"/statements/{large.id}"))
    for page in ("", "/split"):
        with_small = statements_for(ccg_client, f"/statements/{small.id}{page}")
        with_large = statements_for(ccg_client, f"/statements/{large.id}{page}")
        assert with_large == with_small, (page, with_small, with_large)


def test_the_line_page_runs_as_many_queries_for_more_scenarios(arden, ccg_client):
    statement = started(arden)
    make_scenario("ccg@demo.test", name="Baseline", lines=mixed_lines())
    with_one = statements_for(ccg_client, f"/statements/{statement.id}/lines/new")
    for name in ("Growth", "Shared back office"):
        make_scenario("ccg@demo.test", name=name, lines=mixed_lines())
    page = text_of(ccg_client.get(f"/statements/{statement.id}/lines/new"))
    assert "Shared back office: Business intelligence" in page
    # Each scenario line's scenario, which its choice names, was a query of its own.
    assert statements_for(ccg_client, f"/statements/{statement.id}/lines/new") == with_one
