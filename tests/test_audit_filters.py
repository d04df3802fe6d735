"""The audit trail's filters are lists of plain labels (what happened, the kind of record,
who, their organisation), never internal keys typed as free text; the choice travels in the
URL so a filtered trail can be shared, and a value not in its list is a 400 with the reason
at its field."""

import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import AuditEvent, Organisation
from marketplace.services.audit import record_event
from marketplace.services.audit_words import SENTENCES

from .conftest import html, user
from .factories import create_spec

URL = "/admin/audit-events"


@pytest.fixture
def trail(app_context):
    """Two specifications added (by the system), one retired by the administrator, and a
    sign-in by a CCG user: events of three kinds, two people, two organisations."""
    admin, ccg = user("admin@demo.test"), user("ccg@demo.test")
    create_spec("BI-DSS", "Decision support")
    second = create_spec("BI-RPT", "Reports")
    record_event("specification.retired", second, "Retired BI-RPT", actor=admin)
    record_event("user.signed_in", ccg, "Signed in", actor=ccg)
    db.session.commit()
    return admin, ccg


def _sentences(response) -> list[str]:
    return [cell.get_text(" ", strip=True).removeprefix("What happened ")
            for cell in html(response).select("tbody tr td:last-child")]


def _options(page, name: str) -> dict[str, str]:
    return {option.get("value", ""): option.get_text(strip=True)
            for option in page.select(f"select[name={name}] option")}


def test_the_filters_are_lists_of_plain_labels(admin_client, trail):
    admin, ccg = trail
    page = html(admin_client.get(URL))
    assert not page.select("form input[type=text]")  # nothing to type
    kinds = _options(page, "action")
    assert kinds[""] == "Any"
    assert kinds["specification.retired"] == "Specification: retired the specification …"
    assert set(kinds) == {"", *SENTENCES}
    records = _options(page, "object_type")
    assert records["ServiceSpecification"] == "Service specification"
    assert records["User"] == "User account"
    people = _options(page, "actor")
    assert people[str(admin.id)] == f"{admin.full_name} ({admin.organisation.name})"
    assert people[str(ccg.id)] == f"{ccg.full_name} ({ccg.organisation.name})"
    organisations = _options(page, "organisation")
    assert organisations[str(ccg.organisation_id)] == ccg.organisation.name
    # What people read is words: no event key, class name or email among the labels.
    for options in (kinds, records, people, organisations):
        for label in options.values():
            assert not re.search(r"\w\.\w|[a-z][A-Z]|@", label), label


def test_each_filter_narrows_the_trail_and_travels_in_the_url(admin_client, trail):
    admin, ccg = trail
    retired = admin_client.get(f"{URL}?action=specification.retired")
    assert retired.status_code == 200
    assert len(_sentences(retired)) == 1 and "retired the specification" in _sentences(
        retired)[0]
    assert html(retired).select_one(
        "select[name=action] option[selected]")["value"] == "specification.retired"
    specifications = _sentences(admin_client.get(f"{URL}?object_type=ServiceSpecification"))
    assert len(specifications) == 3
    by_ccg = admin_client.get(f"{URL}?{urlencode({'actor': ccg.id})}")
    assert [s for s in _sentences(by_ccg)] == [f"{ccg.full_name} signed in."]
    of_ccg = admin_client.get(f"{URL}?{urlencode({'organisation': ccg.organisation_id})}")
    assert _sentences(of_ccg) == _sentences(by_ccg)
    both = admin_client.get(f"{URL}?" + urlencode(
        {"action": "specification.retired", "actor": admin.id}))
    assert len(_sentences(both)) == 1
    neither = admin_client.get(f"{URL}?" + urlencode(
        {"action": "specification.retired", "actor": ccg.id}))
    assert neither.status_code == 200 and _sentences(neither) == []


@pytest.mark.parametrize("name, value, message", [
    ("action", "specification", "Choose what happened from the list"),
    ("action", "<b>", "Choose what happened from the list"),
    ("object_type", "Nothing", "Choose a kind of record from the list"),
    ("actor", "admin@demo.test", "Choose a person from the list"),
    ("actor", "999999999", "Choose a person from the list"),
    ("actor", "٣", "Choose a person from the list"),
    ("organisation", "Arden", "Choose an organisation from the list"),
    ("organisation", "9" * 40, "Choose an organisation from the list"),
])
def test_a_value_not_in_its_list_is_refused_at_the_field(admin_client, trail, name, value,
                                                         message):
    response = admin_client.get(f"{URL}?{urlencode({name: value})}")
    assert response.status_code == 400
    page = html(response)
    assert page.select_one(f"#{name}-error").get_text(" ", strip=True) == f"Error: {message}"
    assert page.select_one(".nhsuk-error-summary a")["href"] == f"#{name}"
    assert len(_sentences(response)) >= 4  # not applied: the trail as unfiltered


def test_only_administrators_see_the_trail(client, sign_in, trail):
    for email in ("ccg@demo.test", "css@demo.test", "bdu@demo.test", "peer@demo.test"):
        assert sign_in(email).get(f"{URL}?action=specification.retired").status_code == 403
    assert client.get(URL).status_code == 302


def test_an_organisation_that_acted_is_listed_by_name_only(admin_client, trail):
    """An organisation with no event in the trail is not offered (the list stays short)."""
    named = set(db.session.scalars(select(AuditEvent.organisation_id).distinct()))
    page = html(admin_client.get(URL))
    listed = {int(value) for value in _options(page, "organisation") if value}
    assert listed == named - {None}
    assert db.session.scalar(select(Organisation.id).where(
        Organisation.id.not_in(listed)).limit(1)) is not None
