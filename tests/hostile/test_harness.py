"""A property-based harness (issue 14): every route of ``app.url_map``, every form the pages
draw and the JSON API, as every role, with hostile values. It asserts:

- no answer is a 5xx, whatever is sent (markup, NUL, Unicode digits, emoji, huge and tiny
  numbers, very long text, wrong methods, oversize bodies);
- nothing is saved on a refusal: the row count of every table is the same after a 4xx;
- user text is never live markup: the marker ``<b id=hx>`` never appears raw in a page.

The world is built once per test with tests/factories.py on the seeded baseline. Hypothesis
runs derandomized with a fixed budget (HARNESS_EXAMPLES), so a run is repeatable and stays
within its time budget on both engines; HARNESS_EXAMPLES=1000 explores further by hand.
"""

import io
import os
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlencode, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, literal, select, union_all

from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AuthorisationPack,
    BusinessPlan,
    Checkpoint,
    Condition,
    Criterion,
    DevelopmentAction,
    EvidenceDocument,
    FinancialYearAllowance,
    Licence,
    LicenceCondition,
    Offer,
    Procurement,
    ProcurementThreshold,
    Review,
    Scenario,
    ShortlistEntry,
    Statement,
    StatementLine,
    StatementParty,
    Submission,
    SurveyWindow,
    User,
)
from marketplace.services import market_change

from .. import factories as build

MARKER = "<b id=hx>"
ROLES = {
    "anonymous": None,
    "ccg": "ccg@demo.test",
    "css": "css@demo.test",
    "bdu": "bdu@demo.test",
    "admin": "admin@demo.test",
}
EXAMPLES = int(os.environ.get("HARNESS_EXAMPLES", "40"))
START = datetime(2013, 1, 7, 9, 0, tzinfo=UTC)  # as the buying tests' clock

# What hostile people type, paste or send. The markup marker carries the others, so a value
# that is saved can be found again on the pages that show it.
HOSTILE = [
    MARKER,
    f'{MARKER}"><a href=//evil.test>x</a>',
    "a\x00b",
    "²",
    "٣",
    "１２",
    "🙂👩‍⚕️",
    "\u202eevil",
    "9" * 40,
    "1e100000",
    "1e-100000",
    "NaN",
    "Infinity",
    "-1",
    "0",
    "99999999999999999999",
    "x" * 20_000,
    "",
    "\t\x0b\r\n",
    "'; DROP TABLE organisation; --",
    "../../etc/passwd",
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=30),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
).map(lambda text: text if MARKER in text or len(text) > 1000 else MARKER + text)

harness_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                            database=None, suppress_health_check=list(HealthCheck))


# The world: one of everything a URL can name.

PARAM_MODELS = {
    "agreement_id": Agreement, "user_id": User, "offer_id": Offer, "plan_id": BusinessPlan,
    "document_id": EvidenceDocument, "action_id": DevelopmentAction,
    "condition_id": Condition, "submission_id": Submission, "criterion_id": Criterion,
    "checkpoint_id": Checkpoint, "procurement_id": Procurement,
    "threshold_id": ProcurementThreshold, "statement_id": Statement, "line_id": StatementLine,
    "party_id": StatementParty, "scenario_id": Scenario, "allowance_id": FinancialYearAllowance,
    "review_id": Review, "entry_id": ShortlistEntry, "window_id": SurveyWindow,
    "pack_id": AuthorisationPack,
    "licence_id": Licence, "licence_condition_id": LicenceCondition,
}


def build_world(app) -> dict:
    app.config["MARKETPLACE_TODAY"] = START
    market = build.build_market()
    build.drafted_review(2)
    build.plan(build.ARDEN, 2)  # a draft plan Arden can still edit
    build.make_scenario(name="Coventry baseline")
    coventry, warwickshire = build.ccg("05A"), build.ccg("05R")
    statement = build.make_statement(
        coventry, [(coventry, market.bi, "150000.00", None),
                   (warwickshire, market.bi, "80000.00", None)], partners=[warwickshire])
    build.shortlist(coventry, market.arden_bi, market.gem_bi)
    build.create_agreement(coventry, [market.arden_bi])
    # A customer survey open at START: Coventry (ccg@) answers about Arden, the BDU closes it
    # and opens one for another checkpoint.
    build.survey_window(3, START.date(), date(2013, 1, 31))
    # An issued authorisation evidence pack, so its download is tried by every role.
    from marketplace.services.authorisation_packs import issue as issue_pack

    issue_pack(build.person("ccg@demo.test"), coventry)
    licence = market_change.grant_licence(build.person("bdu@demo.test"), market.gem,
                                          granted_on=date(2012, 11, 1),
                                          conditions=[("Appoint a finance director.", None)])
    buying = build.Buying(market, coventry, build.ccg("00C"), warwickshire,
                          build.person("ccg@demo.test"), build.person("ccg@demo.test"),
                          build.person("ccg2@demo.test"), build.person("css@demo.test"),
                          build.person("css2@demo.test"), build.person("css3@demo.test"),
                          build.person("indie@demo.test"), build.person("bdu@demo.test"),
                          statement)
    try:
        build.set_up_competition(buying)
    except Exception:  # noqa: BLE001 - the harness goes on with less if the set-up moves on
        db.session.rollback()
    db.session.commit()
    values = {"code": market.bi.code, "number": 2, "ocid": "ocds-unknown-1",
              "filename": "nothing.css", "provider_id": market.arden.id,
              "organisation_id": market.gem.id}
    for name, model in PARAM_MODELS.items():
        values[name] = db.session.scalar(select(func.min(model.id))) or 1
    values["licence_id"] = licence.id
    return values


def urls(app, values) -> list[tuple[str, str, set[str]]]:
    """(endpoint, url, methods) for every rule, its arguments filled from the world."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in ("static", "assets.nhsuk"):
                continue
            path = rule.rule
            for argument in rule.arguments:
                path = re.sub(rf"<(?:[a-z]+:)?{argument}>", str(values.get(argument, 1)), path)
            found.append((rule.endpoint, path, set(rule.methods) - {"HEAD", "OPTIONS"}))
    return found


def clients(app) -> dict:
    made = {}
    for role, email in ROLES.items():
        client = app.test_client()
        if email:
            client.sign_in_as(email)
        made[role] = client
    return made


def row_counts() -> tuple:
    """(table, rows) for every table. Each count is named: PostgreSQL keeps no order in a
    UNION ALL (a parallel plan returns the branches as they finish), and bare counts that
    came back in another order looked like a change."""
    counts = union_all(*(select(literal(table.name), func.count()).select_from(table)
                         for table in db.metadata.tables.values()))
    db.session.rollback()
    return tuple(sorted((name, rows) for name, rows in db.session.execute(counts)))


# Forms as the pages draw them.


@dataclass
class PageForm:
    role: str
    page: str
    action: str
    multipart: bool
    fields: list[tuple[str, str]] = field(default_factory=list)

    def names(self) -> list[str]:
        return list(dict.fromkeys(name for name, _ in self.fields if name != "csrf_token"))


def forms_on(role: str, page: str, body: str) -> list[PageForm]:
    found = []
    for form in BeautifulSoup(body, "html.parser").select("form"):
        if (form.get("method") or "get").lower() != "post":
            continue
        action = form.get("action") or page
        if urlsplit(action).netloc or not action.startswith("/"):
            continue
        drawn = PageForm(role, page, action,
                         "multipart" in (form.get("enctype") or ""))
        for element in form.select("input[name], textarea[name], select[name]"):
            name = element["name"]
            kind = (element.get("type") or "").lower()
            if element.name == "textarea":
                drawn.fields.append((name, element.get_text()))
            elif element.name == "select":
                options = element.select("option")
                chosen = next((o for o in options if o.has_attr("selected")),
                              options[1] if len(options) > 1 else options[0] if options
                              else None)
                drawn.fields.append((name, chosen.get("value", "") if chosen else ""))
            elif kind in ("checkbox", "radio"):
                if element.has_attr("checked") or not any(n == name for n, _ in drawn.fields):
                    drawn.fields.append((name, element.get("value", "on")))
            elif kind == "file":
                drawn.fields.append((name, "\x00file"))
            elif kind not in ("submit", "button", "image", "reset"):
                drawn.fields.append((name, element.get("value", "")))
        found.append(drawn)
    return found


def post(client, form: PageForm, changed: dict[str, str]):
    data: dict = {}
    for name, value in form.fields:
        if name == "csrf_token":
            continue
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in changed.items()})
    if form.multipart:
        for name, values in data.items():
            if values == ["\x00file"]:
                data[name] = [(io.BytesIO(b"%PDF-1.4 " + MARKER.encode()), f"{MARKER}.pdf")]
        return client.post(form.action, data=data | {"csrf_token": client.csrf_token()},
                           content_type="multipart/form-data")
    return client.post(form.action, data=data)


# Checks every response gets.


@dataclass
class Findings:
    server_errors: list = field(default_factory=list)
    saved_on_refusal: list = field(default_factory=list)
    raw_markup: list = field(default_factory=list)

    def check(self, what: str, response, before: tuple | None = None) -> None:
        # /readyz answers 503 by design when a dependency (Redis, PDF rendering) is missing.
        not_ready = response.status_code == 503 and " /readyz" in what
        if response.status_code >= 500 and not not_ready:
            self.server_errors.append((what, response.status_code))
        if before is not None and 400 <= response.status_code < 500 and row_counts() != before:
            self.saved_on_refusal.append((what, response.status_code))
        if response.mimetype == "text/html" and MARKER in response.get_data(as_text=True):
            self.raw_markup.append(what)


@pytest.fixture
def world(app, app_context):
    values = build_world(app)
    yield values
    app.config.pop("MARKETPLACE_TODAY", None)


@pytest.fixture
def everyone(app, world):
    return clients(app)


def _distinct(forms: list[PageForm]) -> list[PageForm]:
    """One of each form a role is shown: the sign-out button is on every page."""
    seen, kept = set(), []
    for form in forms:
        key = (form.role, form.action, tuple(form.names()))
        if key not in seen:
            seen.add(key)
            kept.append(form)
    return kept


def _every_page(app, world, everyone):
    """Each role's GET of every page: (role, url, response)."""
    for role, client in everyone.items():
        for _endpoint, url, methods in urls(app, world):
            if "GET" in methods:
                yield role, url, client.get(url)


def test_no_page_fails_with_hostile_query_parameters(app, world, everyone):
    findings = Findings()
    pages = [(role, url) for role in everyone for _endpoint, url, methods in urls(app, world)
             if "GET" in methods]

    @harness_settings
    @given(index=st.integers(0, len(pages) - 1),
           names=st.lists(st.sampled_from(["page", "per_page", "q", "from", "to", "a", "b",
                                           "offer", "region", "specification", "plan_id",
                                           "cluster", "as_of", "status", "next", "year", "sort",
                                           "document_id", "action", "object_type", "actor",
                                           "organisation"]),
                          min_size=1, max_size=3),
           value=hostile_text)
    def query(index, names, value):
        role, url = pages[index]
        target = f"{url}?{urlencode({name: value for name in names})}"
        findings.check(f"{role} GET {target[:120]}", everyone[role].get(target))

    query()
    # Every page that takes no id, as every role, with the marker in every parameter the
    # pages read: the list, search and comparison pages are where a query is echoed.
    names = ["page", "q", "from", "to", "a", "b", "offer", "region", "specification",
             "cluster", "status", "next", "action", "organisation", "as_of", "year",
             "sort", "object_type", "actor"]
    for role, client in everyone.items():
        for _endpoint, url, methods in urls(app, world):
            if "GET" in methods and not re.search(r"/[0-9]+(/|$)", url):
                target = f"{url}?{urlencode({name: MARKER for name in names})}"
                findings.check(f"{role} GET {target[:80]}", client.get(target))
    assert findings.server_errors == []
    # None is echoed raw today (the strict check is the forms test's); kept raw-free after.
    assert findings.raw_markup == [] or not MARKUP_ESCAPED, findings.raw_markup


def _row_pattern(name: str) -> str:
    """lines-3-wte and lines-0-wte are the same field in different rows."""
    return re.sub(r"-[0-9]+-", "-N-", name)


def test_every_form_refuses_hostile_values_without_failing_or_saving(app, world, everyone):
    """Every form every role is shown, filled with hostile values; then markup in every text
    field, and every page read back by every role."""
    findings = Findings()
    forms = []
    for role, url, response in _every_page(app, world, everyone):
        findings.check(f"{role} GET {url}", response)
        if response.status_code == 200 and response.mimetype == "text/html":
            forms += forms_on(role, url, response.get_data(as_text=True))
    forms = _distinct(forms)
    fields = [(form, name) for form in forms for name in form.names()]
    assert len(fields) > 100, "the pages should draw forms with fields"
    # The customer survey's forms: answering (CCG), opening and closing (BDU).
    actions = {re.sub(r"[0-9]+", "N", form.action) for form in forms}
    assert {"/customer-survey/N/providers/N", "/customer-surveys/new",
            "/customer-surveys/N/close"} <= actions, sorted(actions)

    @harness_settings
    @given(index=st.integers(0, len(fields) - 1), value=hostile_text)
    def fill(index, value):
        form, name = fields[index]
        before = row_counts()
        response = post(everyone[form.role], form, {name: value})
        findings.check(f"{form.role} POST {form.action} {name}={value[:40]!r}", response,
                       before)

    fill()
    # Every field (once per row pattern) with one of the values that used to fail (NUL, ²,
    # 1e100000, in turn), so no field is left to chance.
    seen = set()
    for form, name in fields:
        key = (re.sub(r"[0-9]+", "N", form.action), _row_pattern(name))
        if key in seen:
            continue
        value = ("a\x00b", "²", "1e100000")[len(seen) % 3]
        seen.add(key)
        before = row_counts()
        response = post(everyone[form.role], form, {name: value})
        findings.check(f"{form.role} POST {form.action} {name}={value!r}", response, before)
    # Markup in every text field of every form (saved where the rest is valid) ...
    for form in forms:
        texts = {name: f"{MARKER}{value}" for name, value in form.fields
                 if name != "csrf_token" and not re.fullmatch(r"[0-9.,£-]*", value or "")}
        findings.check(f"{form.role} POST {form.action} (markup)",
                       post(everyone[form.role], form, texts))
    # ... and read back on every page, and reflected from the query string.
    for role, url, response in _every_page(app, world, everyone):
        findings.check(f"{role} GET {url} (after)", response)
    for role, client in everyone.items():
        findings.check(f"{role} reflected", client.get(f"/offers?q={MARKER}&page={MARKER}"))
    assert findings.server_errors == []
    assert findings.saved_on_refusal == []
    _no_raw_markup(findings)


# Autoescaping every template is the `escape` helper's part of issue 14 (merged). The harness
# still finds the marker raw in the answer to POST /procurements/<id>/none-suitable (the
# rationale); set this to True once that is escaped too, and the harness then fails on any
# raw marker. While False the test is an expected failure naming the routes, and fails if it
# finds none: time to flip it.
MARKUP_ESCAPED = True


def _no_raw_markup(findings: Findings) -> None:
    raw = sorted(set(findings.raw_markup))
    if MARKUP_ESCAPED:
        assert raw == []
    elif raw:
        pytest.xfail("raw markup awaiting the escape helper's autoescaping (issue 14): "
                     + "; ".join(raw))
    else:
        pytest.fail("no raw markup found: the escaping has landed, set MARKUP_ESCAPED = True")


def test_the_json_api_refuses_hostile_json_with_a_400(client):
    findings = Findings()
    valid = {"population": 175000, "allowance_per_head": "20.00",
             "fixed_costs": [{"name": "Corporate base", "amount": "1500000.00"}]}

    @harness_settings
    @given(where=st.sampled_from(["population", "allowance_per_head", "fixed_costs",
                                  "name", "amount", "extra"]),
           value=st.one_of(hostile_text, st.floats(), st.integers(), st.none(),
                           st.booleans(), st.lists(st.integers(), max_size=3)))
    def send(where, value):
        body = {**valid, "fixed_costs": [dict(valid["fixed_costs"][0])]}
        if where in ("name", "amount"):
            body["fixed_costs"][0][where] = value
        else:
            body[where] = value
        response = client.post("/api/v1/reckoner", json=body)
        findings.check(f"reckoner {where}={value!r:.40}", response)
        assert response.status_code in (200, 400), (where, value)

    send()
    for raw in ("[" * 100_000, "NaN", "1e400", '{"population": "\\u0000"}', "\xff\xfe"):
        response = client.post("/api/v1/reckoner", data=raw, content_type="application/json")
        assert response.status_code == 400, raw[:20]
    assert findings.server_errors == []


def test_wrong_methods_are_refused_not_failed(app, world, everyone):
    # Routing refuses a method before any view or access rule runs, so one role will do;
    # the method is PUT, DELETE, PATCH or the one of GET and POST the route does not take.
    findings = Findings()
    for number, (_endpoint, url, methods) in enumerate(urls(app, world)):
        wrong = sorted({"GET", "POST", "PUT", "DELETE", "PATCH"} - methods)
        method = wrong[number % len(wrong)]
        before = row_counts()
        findings.check(f"admin {method} {url}", everyone["admin"].open(url, method=method),
                       before)
    assert findings.server_errors == []
    assert findings.saved_on_refusal == []


def test_an_oversize_body_is_refused_not_failed(app, world, everyone):
    findings = Findings()
    limit = app.config["MAX_CONTENT_LENGTH"]
    for role in ("anonymous", "css", "ccg"):
        for url in ("/sign-in", "/scenarios/new", f"/assurance/plans/{world['plan_id']}/edit",
                    "/api/v1/reckoner"):
            before = row_counts()
            findings.check(f"{role} oversize POST {url}", everyone[role].post(
                url, data=b"x" * (limit + 1), content_type="application/x-www-form-urlencoded"),
                before)
    assert findings.server_errors == []
    assert findings.saved_on_refusal == []


# Confirmation pages (NHS.UK "are you sure"): their GET only asks, whoever asks and whatever
# the query says; the action is the POST their button sends.
CONFIRMATION_PAGES = {
    "prospectuses.remove_offer", "prospectuses.withdraw", "reviews.sign_off",
    "checkpoints.submit", "catalogue.delete", "checkpoint_admin.delete_criterion",
    "statements.withdraw", "statements.line_remove", "statements.partner_remove",
    "agreements.sign", "customers.countersign", "agreements.ending", "customers.ending",
    "reckoner.delete_scenario", "agreements.change_status", "agreements.remove_kpi",
    "shortlists.remove", "opportunities.remove_attachment",
}


def test_confirmation_pages_change_nothing_when_shown(app, world, everyone):
    findings = Findings()
    pages = [(endpoint, url) for endpoint, url, methods in urls(app, world)
             if endpoint in CONFIRMATION_PAGES and "GET" in methods]
    assert {endpoint for endpoint, _url in pages} == CONFIRMATION_PAGES
    before = row_counts()
    for role, client in everyone.items():
        for _endpoint, url in pages:
            for query in ("", f"?document_id={world['plan_id']}", "?document_id=" + MARKER,
                          "?" + urlencode({"lock_version": "9" * 40, "reason": MARKER})):
                response = client.get(url + query)
                findings.check(f"{role} GET {url}{query}", response)
                assert row_counts() == before, f"{role} GET {url}{query} changed something"
    assert findings.server_errors == []
    assert findings.raw_markup == []


def test_search_sort_refuses_hostile_values_naming_the_field(app, world, everyone):
    """/offers?sort=...: the three sorts answer 200 (the cost to a CCG only for a CCG
    user), anything else a 400 whose error summary links to the sort field."""
    findings = Findings()

    @harness_settings
    @given(role=st.sampled_from(sorted(everyone)), value=hostile_text,
           q=st.sampled_from(["", "data", MARKER]))
    def sort(role, value, q):
        response = everyone[role].get("/offers?" + urlencode({"sort": value, "q": q}))
        findings.check(f"{role} GET /offers sort={value[:40]!r}", response)
        assert response.status_code == 400, value
        summary = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
            ".nhsuk-error-summary a[href='#sort']")
        assert summary is not None
        refused = everyone[role].get("/api/v1/offers?" + urlencode({"sort": value, "q": q}))
        findings.check(f"{role} GET /api/v1/offers sort={value[:40]!r}", refused)
        assert refused.status_code == 400, value
        assert "sort" in str(refused.get_json())

    sort()
    for role, client in everyone.items():
        for value in ("relevance", "price", "cost", ""):
            response = client.get(f"/offers?sort={value}&page=2&q=data")
            findings.check(f"{role} GET /offers sort={value}", response)
            expected = 400 if value == "cost" and role != "ccg" else 200
            assert response.status_code == expected, (role, value)
            api = client.get(f"/api/v1/offers?sort={value}&page=2&q=data")
            assert api.status_code == expected, (role, value, api.get_json())
    assert findings.server_errors == []
    assert findings.raw_markup == []


def test_audit_filters_refuse_hostile_values_naming_the_field(app, world, everyone):
    """/admin/audit-events?action=...&object_type=...&actor=...&organisation=...: chosen
    from lists, so anything not in its list is a 400 whose error summary links to that
    field, for the administrator; every other role is refused the page whatever it sends."""
    findings = Findings()

    @harness_settings
    @given(name=st.sampled_from(["action", "object_type", "actor", "organisation"]),
           value=hostile_text, role=st.sampled_from(sorted(everyone)))
    def audit(name, value, role):
        response = everyone[role].get("/admin/audit-events?" + urlencode({name: value}))
        findings.check(f"{role} GET /admin/audit-events {name}={value[:40]!r}", response)
        if role != "admin":
            assert response.status_code in (302, 403), (role, response.status_code)
            return
        assert response.status_code == 400, (name, value)
        summary = BeautifulSoup(response.get_data(as_text=True), "html.parser").select_one(
            f".nhsuk-error-summary a[href='#{name}']")
        assert summary is not None

    audit()
    # Every list's own values answer 200, alone and together.
    page = BeautifulSoup(everyone["admin"].get("/admin/audit-events").get_data(as_text=True),
                         "html.parser")
    chosen = {}
    for name in ("action", "object_type", "actor", "organisation"):
        values = [option["value"] for option in page.select(f"select[name={name}] option")]
        assert len(values) > 1, name
        for value in values[:5] + values[-5:]:
            response = everyone["admin"].get("/admin/audit-events?" + urlencode({name: value}))
            findings.check(f"admin GET /admin/audit-events {name}={value}", response)
            assert response.status_code == 200, (name, value)
        chosen[name] = values[-1]
    response = everyone["admin"].get("/admin/audit-events?" + urlencode(chosen))
    assert response.status_code == 200
    assert findings.server_errors == []
    assert findings.raw_markup == []
