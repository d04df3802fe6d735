"""The buying pages run as many queries for a bigger procurement as for a small one: none for
each line of its statement, evaluator, question, response or procurement in a list."""

from datetime import timedelta

from marketplace.extensions import db
from marketplace.services import awards, clarifications, procurements

from ..conftest import text_of
from ..factories import make_statement, make_user, published_competition
from ..queries import counting_statements, statements_for
from .evaluation import respond

LEAD = "ccg@demo.test"


def _competition(b, lines, *, title: str):
    b.statement = make_statement(b.coventry, lines, partners=[b.warwickshire], title=title)
    return published_competition(b)


def _large(b):
    """A competition of four lines for two CCGs."""
    return _competition(b, [
        (b.coventry, b.market.bi, "150000.00", None),
        (b.warwickshire, b.market.bi, "80000.00", None),
        (b.coventry, b.market.contracts, "100000.00", None),
        (b.warwickshire, b.market.comms, "20000.00", None),
    ], title="Large")


def test_the_procurement_page_runs_as_many_queries_for_more_lines_evaluators_and_questions(
        buying, sign_in):
    b = buying
    small = _competition(b, [(b.coventry, b.market.bi, "150000.00", None)], title="Small")
    clarifications.ask(b.arden_user, small, "Which data warehouse?")
    large = _large(b)
    colleague = make_user("sam.evaluator@example.nhs.uk", "Sam Evaluator", b.warwickshire)
    procurements.set_evaluators(b.lead_user, large, large.lock_version,
                                [b.lead_user.id, b.partner_user.id, colleague.id])
    clarifications.ask(b.arden_user, large, "Which data warehouse?")
    clarifications.ask(b.gem_user, large, "Who holds the contracts register?")
    client = sign_in(LEAD)
    assert "Sam Evaluator" in text_of(client.get(f"/procurements/{large.id}"))
    with_small = statements_for(client, f"/procurements/{small.id}")
    with_large = statements_for(client, f"/procurements/{large.id}")
    # Each line's specification and CCG, each evaluator's user and organisation and each
    # question's provider were a query of their own.
    assert with_large == with_small, (with_small, with_large)
    bdu = sign_in("bdu@demo.test")
    assert statements_for(bdu, f"/procurements/{large.id}") \
        == statements_for(bdu, f"/procurements/{small.id}")


def test_a_ccg_refused_another_ccgs_procurement_reads_only_the_procurement(buying, sign_in):
    """Who may read it is checked on the procurement, its statement and parties (one
    statement); its lines, evaluators and questions are read only for those who may."""
    b = buying
    large = _large(b)
    clarifications.ask(b.arden_user, large, "Which data warehouse?")
    url = f"/procurements/{large.id}"
    stranger = sign_in("ccg2@demo.test")
    db.session.expire_all()
    with counting_statements() as count:
        assert stranger.get(url).status_code == 404
    read = [" ".join(s.split()) for s in count.statements]
    assert len([s for s in read if "FROM procurement " in s]) == 1, read
    assert not [s for s in read if any(f"FROM {table} " in s for table in (
        "statement_line", "procurement_evaluator", "clarification", "evaluation_criterion"))]


def test_the_opportunity_page_runs_as_many_queries_for_more_lines(buying, sign_in):
    b = buying
    small = _competition(b, [(b.coventry, b.market.bi, "150000.00", None)], title="Small")
    large = _large(b)
    arden = sign_in("css@demo.test")
    assert statements_for(arden, f"/opportunities/{large.id}") \
        == statements_for(arden, f"/opportunities/{small.id}")


def test_an_evaluators_list_runs_as_many_queries_for_three_responses_as_for_one(
        buying, clock, sign_in):
    b = buying
    one = _competition(b, [(b.coventry, b.market.bi, "150000.00", None),
                           (b.coventry, b.market.contracts, "100000.00", None)], title="One")
    respond(b, one, "arden_user")
    three = _competition(b, [(b.coventry, b.market.bi, "150000.00", None),
                             (b.coventry, b.market.contracts, "100000.00", None)],
                         title="Three")
    for who in ("arden_user", "gem_user", "meridian_user"):
        respond(b, three, who)
    clock.set(three.closes_at + timedelta(hours=16))
    client = sign_in(LEAD)
    pages = [f"/procurements/{three.id}/evaluation", f"/procurements/{three.id}/responses"]
    assert all(text_of(client.get(url)).count("Meridian") for url in pages)
    assert client.get(f"/procurements/{one.id}").status_code == 200  # closes it: not counted
    for url in pages:
        with_three = statements_for(client, url)
        with_one = statements_for(client, url.replace(f"/{three.id}/", f"/{one.id}/"))
        # Each response's scores (and before that its provider) were a query of their own.
        assert with_three == with_one, (url, with_one, with_three)


def test_the_bdu_procurement_list_runs_as_many_queries_for_more_lead_ccgs(buying, sign_in):
    b = buying
    bdu = sign_in("bdu@demo.test")

    def cancelled(lead, user, title):
        statement = make_statement(lead, [(lead, b.market.bi, "150000.00", None)], title=title)
        procurement = procurements.start_procurement(user, statement, "further_competition",
                                                     "A competition is required.")
        procurements.cancel(user, procurement, procurement.lock_version, "Not needed now.")

    cancelled(b.coventry, b.lead_user, "Coventry's")
    with_one = statements_for(bdu, "/procurements")
    cancelled(b.darlington, b.other_ccg_user, "Darlington's")
    cancelled(b.warwickshire, b.partner_user, "Warwickshire's")
    page = text_of(bdu.get("/procurements"))
    assert b.darlington.name in page and b.warwickshire.name in page
    # Each procurement's lead CCG was a query of its own.
    assert statements_for(bdu, "/procurements") == with_one



def test_the_letters_run_as_many_queries_for_three_bidders_as_for_one(buying, clock, sign_in):
    b = buying
    lines = [(b.coventry, b.market.bi, "150000.00", None),
             (b.coventry, b.market.contracts, "100000.00", None)]
    one = _competition(b, lines, title="One")
    respond(b, one, "arden_user")
    three = _competition(b, lines, title="Three")
    for who in ("arden_user", "gem_user", "meridian_user"):
        respond(b, three, who)
    clock.set(three.closes_at + timedelta(hours=16))
    for procurement in (one, three):
        procurements.refresh_status(procurement)
        awards.none_suitable(b.lead_user, procurement, procurement.lock_version,
                             "None of the responses meets the need.")
    lead, arden = sign_in(LEAD), sign_in("css@demo.test")
    assert text_of(lead.get(f"/procurements/{three.id}/letters")).count(".pdf") == 3
    for client, page in ((lead, "/procurements/{}/letters"), (lead, "/procurements/{}"),
                         (arden, "/opportunities/{}")):
        with_one = statements_for(client, page.format(one.id))
        with_three = statements_for(client, page.format(three.id))
        # Each letter's response (and its provider) was a query of its own.
        assert with_three == with_one, (page, with_one, with_three)
