"""Audit events read as sentences: every kind the code records has words, the sentence
names people and things, and changes are listed with labels and organisation names."""

import ast
import re
from pathlib import Path

import pytest

from marketplace.config import PROJECT_ROOT
from marketplace.extensions import db
from marketplace.models import (
    ActionStatus,
    AuditEvent,
    ConditionStatus,
    FigureReview,
    VariationStatus,
)
from marketplace.services import audit_words, prospectuses
from marketplace.services.agreements import TRANSITIONS

from . import factories as build
from .conftest import html, text_of


def recorded_kinds() -> tuple[set[str], set[str]]:
    """(kinds written as plain strings, patterns of kinds built by f-strings) of every
    record_event call in the application."""
    plain, patterns = set(), set()
    for path in (Path(PROJECT_ROOT) / "marketplace").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and node.args
                and getattr(node.func, "id", getattr(node.func, "attr", None)) == "record_event"
            ):
                continue
            kind = node.args[0]
            if isinstance(kind, ast.Constant):
                plain.add(kind.value)
            elif isinstance(kind, ast.JoinedStr):
                patterns.add(
                    "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else "[a-z_]+"
                        for part in kind.values
                    )
                )
            else:
                pytest.fail(f"{path}:{node.lineno}: an event kind the test cannot read")
    return plain, patterns


# The values the f-string kinds take, from the enums and verbs that make them.
DYNAMIC = (
    [f"agreement.{status.value}" for targets in TRANSITIONS.values() for status in targets]
    + ["agreement.terminated", "agreement.notice_given"]
    + [f"agreement_variation.{s}" for s in (VariationStatus.AGREED, VariationStatus.DECLINED)]
    + [f"condition.{s}" for s in (ConditionStatus.ACCEPTED, ConditionStatus.REOPENED)]
    + [f"development_action.{s}" for s in (ActionStatus.ACCEPTED, ActionStatus.REOPENED)]
    + [f"performance_figure.{s}" for s in (FigureReview.ACCEPTED, FigureReview.DISPUTED)]
    + [
        "checkpoint.created",
        "checkpoint.updated",
        "criterion.added",
        "criterion.updated",
        "procurement_threshold.added",
        "procurement_threshold.changed",
        "user.updated",
        "user.deactivated",
    ]
)


def test_every_event_kind_in_the_code_has_a_sentence():
    plain, patterns = recorded_kinds()
    assert len(plain) > 80, "the walk should find the services' events"
    assert sorted(plain - set(audit_words.SENTENCES)) == []
    assert sorted(set(DYNAMIC) - set(audit_words.SENTENCES)) == []
    for pattern in patterns:
        assert any(re.fullmatch(pattern, kind) for kind in DYNAMIC), (
            f"event kinds {pattern} are not listed in DYNAMIC: add them, and their words"
        )


def test_every_sentence_names_who_or_what():
    for kind, template in audit_words.SENTENCES.items():
        assert "{who}" in template or "{thing}" in template, kind
        assert "_" not in template.replace("{", "").replace("}", ""), kind


def _event(kind, obj, summary, changes=None, actor="css@demo.test"):
    person = build.person(actor) if actor else None
    event = AuditEvent(
        actor=person,
        organisation=person.organisation if person else None,
        action=kind,
        object_type=type(obj).__name__,
        object_id=str(obj.id),
        summary=summary,
        changes=changes,
    )
    db.session.add(event)
    db.session.flush()
    return event


def test_a_sentence_names_the_person_their_organisation_and_the_thing(app_context):
    build.publish("Arden CSS", (build.create_spec(), {}))
    version = prospectuses.get_version(build.organisation("Arden CSS").id, 1)
    event = _event(
        "prospectus.withdrawn",
        version,
        "Withdrew Arden CSS prospectus v1",
        {"reason": "Merging with GEM"},
    )
    words = audit_words.describe(event)
    person = build.person("css@demo.test")
    assert words.sentence == (
        f"{person.full_name} (Arden CSS) withdrew Arden CSS's prospectus version 1."
    )
    assert words.changes == ["Reason: Merging with GEM"]


def test_codes_in_changes_become_names(app_context):
    coventry, warwickshire = build.ccg("05A"), build.ccg("05R")
    market = build.build_market()
    statement = build.make_statement(coventry, [(coventry, market.bi, "150000.00", None)])
    event = _event(
        "statement.partner_invited", statement, "invited", {"partner": "05R"}, actor="ccg@demo.test"
    )
    words = audit_words.describe(event)
    assert words.changes == [f"CCG invited: {warwickshire.name} (05R)"]
    event = _event(
        "statement.split_changed",
        statement,
        "split",
        {
            "before": {"split_method": "population", "shares": {"05A": "100"}},
            "after": {"split_method": "agreed", "shares": {"05A": "60", "05R": "40"}},
        },
        actor="ccg@demo.test",
    )
    changes = audit_words.describe(event).changes
    assert changes[0] == "How the cost is split: population → agreed"
    assert changes[1] == (
        f"Shares: {coventry.name}: 100 → {coventry.name}: 60; {warwickshire.name}: 40"
    )
    assert statement.title in audit_words.describe(event).sentence


def test_a_removed_thing_is_named_from_the_summary_of_the_time(app_context):
    offer = build.add_offer("Arden CSS", build.create_spec(), title="Risk stratification")
    event = _event("offer.draft_removed", offer, "Removed draft offer 'Risk stratification'")
    prospectuses.remove_offer(None, offer)
    db.session.flush()
    sentence = audit_words.describe(event).sentence
    assert "removed an offer from a draft prospectus" in sentence
    assert "Risk stratification" in sentence


def test_the_audit_trail_page_shows_sentences(admin_client):
    build.publish("Arden CSS", (build.create_spec(), {}))
    db.session.commit()
    page = html(admin_client.get("/admin/audit-events"))
    cells = [td.get_text(" ", strip=True) for td in page.select("tbody tr td:nth-of-type(2)")]
    assert cells and all(cell.endswith(".") or "." in cell for cell in cells)
    text = text_of(admin_client.get("/admin/audit-events"))
    assert "prospectus.published" not in text and "ProspectusVersion" not in text
    assert "published Arden CSS's prospectus version 1" in text


def test_an_organisation_is_named_as_the_thing_and_the_actor_by_their_own(app_context):
    arden = build.organisation("Arden CSS")
    event = _event("market.licence_granted", arden, "Granted", actor="ccg@demo.test")
    person = build.person("ccg@demo.test")
    assert audit_words.describe(event).sentence == (
        f"{person.full_name} ({person.organisation.name}) granted a licence to operate to "
        "“Arden CSS”."
    )
