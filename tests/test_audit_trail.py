"""A scripted journey through the screens, step by step: every step that changes rows writes
exactly one audit event, naming an object it changed; pages that only show change nothing
and write no event."""

from dataclasses import dataclass

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    AuditEvent,
    Condition,
    Offer,
    ProspectusVersion,
    Review,
    Statement,
    Submission,
)
from marketplace.services import prospectuses

from . import factories as build
from .conftest import DEMO_PASSWORD, user
from .factories import build_market, create_agreement, create_spec, scenario_form
from .prospectuses.test_prospectus import OFFER_FORM
from .reviews.test_follow_up import prefixed
from .reviews.test_review_workflow import _form as review_form

AUDIT = "audit_event"


def table_of_model() -> dict[str, str]:
    return {mapper.class_.__name__: mapper.local_table.name
            for mapper in db.Model.registry.mappers}


def snapshot() -> dict[str, dict]:
    db.session.rollback()  # nothing pending here; later reads see what the requests wrote
    rows = {}
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            key_columns = list(table.primary_key.columns)
            rows[table.name] = {
                tuple(row._mapping[c.name] for c in key_columns): dict(row._mapping)
                for row in connection.execute(select(table))
            }
    return rows


def changed_rows(before: dict, after: dict) -> dict[tuple[str, str], dict]:
    """(table, key) -> the row as it is now (or was, if deleted), for every row that changed."""
    changed = {}
    for name in before:
        if name == AUDIT:
            continue
        old, new = before[name], after[name]
        for key in old.keys() | new.keys():
            if old.get(key) != new.get(key):
                changed[(name, ",".join(str(part) for part in key))] = new.get(key) or old[key]
    return changed


def names_the_change(named: tuple[str, str], changed: dict) -> bool:
    """The event names a changed row, or the one object that every changed row belongs to
    (a statement's lines and parties are recorded as events about the statement)."""
    if named in changed:
        return True
    table, object_id = named
    for (changed_table, _), row in changed.items():
        columns = db.metadata.tables[changed_table].columns
        owners = [c.name for c in columns
                  if any(fk.column.table.name == table for fk in c.foreign_keys)]
        if not any(str(row[column]) == object_id for column in owners):
            return False
    return True


@dataclass
class Step:
    name: str
    rows: dict
    events: list


class Journey:
    def __init__(self):
        self.steps: list[Step] = []
        self.tables = table_of_model()

    def do(self, name: str, request, expect=302):
        before = snapshot()
        response = request()
        assert response.status_code == expect, (name, response.status_code,
                                                 response.get_data(as_text=True)[:2000])
        after = snapshot()
        new_ids = after[AUDIT].keys() - before[AUDIT].keys()
        events = [db.session.get(AuditEvent, key[0]) for key in sorted(new_ids)]
        self.steps.append(Step(name, changed_rows(before, after), events))
        return response


def test_every_state_change_of_a_journey_has_its_audit_event(client, sign_in):
    # The world the journey starts from (made before any step is measured).
    market = build_market()
    spec = create_spec()
    build.checkpoint(2)
    plan = build.plan(build.ARDEN, 1)
    coventry = user("ccg@demo.test").organisation
    journey = Journey()
    css, ccg = client, sign_in("ccg@demo.test")
    bdu, bdu2 = sign_in("bdu@demo.test"), sign_in("bdu2@demo.test")

    journey.do("CSS leader signs in", lambda: css.post(
        "/sign-in", data={"email": "css@demo.test", "password": DEMO_PASSWORD}))
    journey.do("look at the dashboard", lambda: css.get("/dashboard"), expect=200)
    journey.do("edit the prospectus draft", lambda: css.post("/prospectus/edit", data={
        "lock_version": prospectuses.draft_for(market.arden.id).lock_version,
        "vision": "Clinically led support", "operating_model": "Local teams",
        "ccgs_served": [str(coventry.id)]}))
    journey.do("add a draft offer", lambda: css.post(
        "/prospectus/offers/new", data={**OFFER_FORM, "specification_id": spec.id}))
    lock = prospectuses.draft_for(market.arden.id).lock_version
    journey.do("publish the prospectus", lambda: css.post(
        "/prospectus/publish", data={"lock_version": str(lock), "change_note": "v3"}))
    published = db.session.scalar(select(ProspectusVersion).where(
        ProspectusVersion.organisation_id == market.arden.id)
        .order_by(ProspectusVersion.number.desc()).limit(1))
    offer_id = published.offers[0].id

    journey.do("start a statement of requirements", lambda: ccg.post(
        "/statements/new", data={"title": "Support from April 2013", "term_months": "18"}))
    statement = db.session.scalar(select(Statement))
    journey.do("add a line to it", lambda: ccg.post(
        f"/statements/{statement.id}/lines/new", data={
            "lock_version": str(statement.lock_version), "specification_id": str(spec.id),
            "mode": "buy", "priority": "high", "budget_annual": "150,000"}))
    journey.do("confirm the lines", lambda: ccg.post(
        f"/statements/{statement.id}/confirm",
        data={"lock_version": str(db.session.get(Statement, statement.id).lock_version)}))
    journey.do("search offers", lambda: ccg.get("/offers?q=business"), expect=200)
    journey.do("shortlist an offer", lambda: ccg.post("/shortlists/add",
                                                      data={"offer_id": offer_id}))
    # Drafting from an award has its own audit test (tests/agreements); here both sign.
    agreement = create_agreement(coventry, [db.session.get(Offer, offer_id)], status="draft")
    journey.do("the CCG signs the agreement", lambda: ccg.post(
        f"/agreements/{agreement.id}/sign", data={"lock_version": str(agreement.lock_version)}))
    db.session.refresh(agreement)
    journey.do("the CSS countersigns it", lambda: css.post(
        f"/customers/agreements/{agreement.id}/countersign",
        data={"lock_version": str(agreement.lock_version)}))
    journey.do("save a scenario", lambda: ccg.post("/scenarios/new", data=scenario_form()))

    journey.do("submit the business plan", lambda: css.post(
        "/assurance/checkpoints/2/submit", data={"document_id": plan.id}))
    submission = db.session.scalar(select(Submission))
    journey.do("take the review", lambda: bdu.post(
        f"/reviews/submissions/{submission.id}/reviewers",
        data={"reviewer_id": user("bdu@demo.test").id}))
    review = db.session.scalar(select(Review))
    journey.do("rate it", lambda: bdu.post(f"/reviews/{review.id}/edit", data=review_form(
        review, build.CP2_GOOD | {"business_plan": "marginal"})))
    journey.do("set a condition", lambda: bdu.post(
        f"/reviews/{review.id}/conditions", data={"text": "Link income to intentions"}))
    db.session.refresh(review)
    journey.do("sign it off", lambda: bdu2.post(
        f"/reviews/{review.id}/sign-off", data={"lock_version": review.lock_version}))
    condition = db.session.scalar(select(Condition))
    journey.do("answer the condition", lambda: css.post(
        f"/assurance/conditions/{condition.id}/response",
        data=prefixed(css, f"condition-{condition.id}", response="See the annex")))
    journey.do("read the submission", lambda: css.get(
        f"/assurance/submissions/{submission.id}"), expect=200)
    journey.do("sign out", lambda: css.post("/sign-out"))

    tables = journey.tables
    for step in journey.steps:
        if step.name in ("look at the dashboard", "search offers", "read the submission"):
            assert not step.rows and not step.events, step
            continue
        assert len(step.events) == 1, (step.name, [e.action for e in step.events])
        event = step.events[0]
        if event.action in ("user.signed_in", "user.signed_out"):
            continue  # an event about a session, which has no row
        assert step.rows, (step.name, "an event but no change")
        named = (tables[event.object_type], event.object_id)
        assert names_the_change(named, step.rows), (step.name, event.action, named,
                                                    sorted(step.rows))
        assert event.actor_id is not None, step.name
