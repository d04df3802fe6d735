"""Growing lists come in pages: ?page=N links, page 2 exists, hostile page values never fail."""

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug.datastructures import MultiDict

from marketplace.admin.views import AUDIT_PAGE_SIZE
from marketplace.extensions import db
from marketplace.models import AuditEvent
from marketplace.pagination import MAX_PAGE, page_number

from .conftest import html, text_of, user
from .queries import counting_statements


@pytest.mark.parametrize("raw, expected", [
    ("1", 1), ("2", 2), (str(MAX_PAGE), MAX_PAGE),
    ("", 1), ("0", 1), ("-1", 1), ("abc", 1), ("²", 1), ("٣", 1), ("2.0", 1), (" 2", 1),
    ("1e3", 1), ("🙂", 1), ("2\x00", 1), (str(MAX_PAGE + 1), 1), ("9" * 1000, 1),
])
def test_page_numbers_are_plain_whole_numbers_in_range(raw, expected):
    assert page_number(MultiDict({"page": raw})) == expected


def test_no_page_is_the_first():
    assert page_number(MultiDict()) == 1


def _audit_events(count: int, *, action: str = "bench.event") -> None:
    actor = user("ccg@demo.test")
    start = datetime(2013, 4, 1, tzinfo=UTC)
    db.session.add_all(
        AuditEvent(actor_id=actor.id, organisation_id=actor.organisation_id, action=action,
                   object_type="System", summary=f"Event {number:03d}",
                   occurred_at=start + timedelta(minutes=number))
        for number in range(count)
    )
    db.session.commit()


def _target(href: str) -> tuple[str, dict]:
    parts = urlsplit(href)
    return parts.path, parse_qs(parts.query)


def _summaries(response) -> list[str]:
    return [cell.get_text(" ", strip=True).removeprefix("What happened ")
            for cell in html(response).select("tbody tr td:last-child")]


def test_the_audit_trail_comes_in_pages_with_shareable_links(admin_client):
    _audit_events(AUDIT_PAGE_SIZE + 5)
    first = admin_client.get("/admin/audit-events?object_type=System")
    assert first.status_code == 200
    assert len(_summaries(first)) == AUDIT_PAGE_SIZE
    assert _summaries(first)[0] == f"Event {AUDIT_PAGE_SIZE + 4:03d}"  # newest first
    links = html(first).select(".nhsuk-pagination a")
    assert [_target(link["href"]) for link in links] == [
        ("/admin/audit-events", {"object_type": ["System"], "page": ["2"]})]
    assert "Page 2 of 2" in links[0].get_text(" ", strip=True)

    second = admin_client.get("/admin/audit-events?object_type=System&page=2")
    assert second.status_code == 200
    assert _summaries(second) == [f"Event {number:03d}" for number in range(4, -1, -1)]
    previous = html(second).select(".nhsuk-pagination a")
    assert [_target(link["href"]) for link in previous] == [
        ("/admin/audit-events", {"object_type": ["System"], "page": ["1"]})]


def test_a_page_past_the_last_is_not_found(admin_client):
    _audit_events(3)
    assert admin_client.get("/admin/audit-events?page=2").status_code == 404
    assert admin_client.get(f"/admin/audit-events?page={MAX_PAGE}").status_code == 404
    # A kind of event not in the list is refused at its field, not searched for.
    assert admin_client.get("/admin/audit-events?action=nothing-like-it&page=1").status_code == 400


@pytest.mark.parametrize("raw", ["abc", "²", "٣", "0", "-5", "9" * 400, "%F0%9F%99%82",
                                 "<script>", "%202", "2.0"])
def test_hostile_page_values_show_the_first_page(admin_client, raw):
    _audit_events(AUDIT_PAGE_SIZE + 1)
    response = admin_client.get(f"/admin/audit-events?object_type=System&page={raw}")
    assert response.status_code == 200
    assert _summaries(response)[0] == f"Event {AUDIT_PAGE_SIZE:03d}"


def test_a_nul_in_the_page_is_refused_like_a_nul_in_any_query_parameter(admin_client):
    response = admin_client.get("/admin/audit-events?object_type=System&page=1%00")
    assert response.status_code == 400
    assert "Remove the unusual characters" in text_of(response)


def test_the_audit_trail_filters_by_organisation(admin_client):
    _audit_events(2)
    coventry = user("ccg@demo.test").organisation
    page = html(admin_client.get("/admin/audit-events"))
    chosen = page.find("option", string=coventry.name)
    assert chosen is not None
    filtered = text_of(admin_client.get(f"/admin/audit-events?organisation={chosen['value']}"))
    assert "Event 001" in filtered
    # An organisation that did nothing is not offered: naming it is refused at the field.
    refused = admin_client.get("/admin/audit-events?organisation=ealing")
    assert refused.status_code == 400
    assert "Choose an organisation from the list" in html(refused).select_one(
        "#organisation-error").get_text()


def test_an_audit_page_runs_as_many_queries_for_fifty_events_as_for_two(admin_client):
    _audit_events(2)
    with counting_statements() as with_two:
        assert admin_client.get("/admin/audit-events").status_code == 200
    _audit_events(AUDIT_PAGE_SIZE, action="other.event")
    with counting_statements() as with_fifty:
        assert admin_client.get("/admin/audit-events").status_code == 200
    assert len(with_fifty) == len(with_two)


def test_an_audit_page_asks_once_for_all_its_actors_and_their_organisations(admin_client):
    def events_by(emails: list[str]) -> None:
        start = datetime(2013, 5, 1, tzinfo=UTC)
        for number, email in enumerate(emails):
            actor = user(email)
            # No organisation on the event: its actor's is the one named.
            db.session.add(AuditEvent(actor_id=actor.id, action="bench.event",
                                      object_type="System", summary=f"By {email}",
                                      occurred_at=start + timedelta(minutes=number)))
        db.session.commit()

    counts = []
    for emails in (["ccg@demo.test"], ["ccg2@demo.test", "css@demo.test", "css2@demo.test",
                                       "bdu@demo.test", "peer@demo.test"]):
        events_by(emails)
        counts.append([])
        for path in ("/admin/audit-events", "/dashboard"):
            with counting_statements() as count:
                page = text_of(admin_client.get(path))
            assert f"By {emails[-1]}" in page
            counts[-1].append(len(count))
    assert counts[0] == counts[1], counts


def test_an_audit_page_counts_its_events_with_its_rows_and_its_actors_with_their_organisations(
        admin_client):
    _audit_events(AUDIT_PAGE_SIZE + 3)
    with counting_statements() as count:
        page = admin_client.get("/admin/audit-events?object_type=System&page=2")
    assert f"{AUDIT_PAGE_SIZE + 3} events" in text_of(page)
    assert len(_summaries(page)) == 3
    statements = [" ".join(s.split()) for s in count.statements]
    # The total is a window over the page's own query, not a second count(*) query.
    assert not [s for s in statements if s.startswith("SELECT count(*)")], statements
    # The actors' organisations come with the actors (the events name no other).
    assert not [s for s in statements if s.startswith("SELECT organisation.")
                and "FROM organisation WHERE organisation.id IN" in s
                and "IN (SELECT DISTINCT audit_event" not in s], statements
