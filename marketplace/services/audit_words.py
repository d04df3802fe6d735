"""Audit events in words: a sentence naming who did what to which thing, and what changed.

Every event kind the services record has a sentence here (tests/test_audit_words.py walks
the code for record_event calls and fails for a kind without one). The sentence names the
person and their organisation, and the object by its name, not its table and id; the
changes are listed with labels for their keys, organisations by name rather than ODS code,
and rule and threshold keys by their titles.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from marketplace import models
from marketplace.domain.checkpoints import RULES
from marketplace.domain.plan_checks import THRESHOLD_SPECS
from marketplace.extensions import db
from marketplace.models import AuditEvent, Organisation

# "{who}" is the person and organisation (or "The system"); "{thing}" the object's name.
SENTENCES: dict[str, str] = {
    # agreements
    "agreement.drafted_from_award": "{who} drafted agreement {thing} from an award",
    "agreement.updated": "{who} changed agreement {thing}",
    "agreement.signed_by_ccg": "{who} signed agreement {thing} for the CCG",
    "agreement.countersigned": "{who} countersigned agreement {thing}",
    "agreement.countersignature_declined": "{who} declined to countersign agreement {thing}",
    "agreement.draft": "{who} returned agreement {thing} to draft",
    "agreement.awaiting_countersignature": "{who} sent agreement {thing} for countersignature",
    "agreement.signed": "{who} marked agreement {thing} as signed",
    "agreement.final": "{who} marked agreement {thing} as final",
    "agreement.ended": "{who} ended agreement {thing}",
    "agreement.terminated": "{who} terminated agreement {thing}",
    "agreement.notice_given": "{who} gave notice to end agreement {thing}",
    "agreement.kpi_added": "{who} added a service level to agreement {thing}",
    "agreement.kpi_changed": "{who} changed a service level of agreement {thing}",
    "agreement.kpi_removed": "{who} removed a service level from agreement {thing}",
    "agreement_variation.proposed": "{who} proposed a variation: {thing}",
    "agreement_variation.agreed": "{who} agreed a variation: {thing}",
    "agreement_variation.declined": "{who} declined a variation: {thing}",
    "performance_return.submitted": "{who} submitted a performance return: {thing}",
    "performance_return.resubmitted": "{who} resubmitted a performance return: {thing}",
    "performance_figure.accepted": "{who} accepted a figure in the performance return {thing}",
    "performance_figure.disputed": "{who} disputed a figure in the performance return {thing}",
    "performance_figure.pending": "{who} reopened a figure in the performance return {thing}",
    "service_review.recorded": "{who} recorded a service review: {thing}",
    "service_review_action.done": "{who} marked a service review action done: {thing}",
    "agreement.ended_by_notice": "{who} ended agreement {thing}: its notice had run out",
    "authorisation_pack.issued": "{who} issued the authorisation evidence pack {thing}",
    # the customer survey
    "survey_window.opened": "{who} opened the customer survey {thing}",
    "survey_window.closed": "{who} closed the customer survey {thing}",
    "survey_answer.submitted": "{who} answered the customer survey about {thing}",
    # market change
    "market.board_decision": "{who} recorded the Board's hosting decision for {thing}",
    "market.licence_granted": "{who} granted a licence to operate to {thing}",
    "market.licence_condition_set": "{who} set a licence condition for {thing}",
    "market.licence_condition_met": "{who} recorded a licence condition as met for {thing}",
    "market.merged": "{who} recorded the merger of {thing}",
    # ready reckoner
    "allowance.updated": "{who} changed the running cost allowance {thing}",
    "scenario.created": "{who} created the scenario {thing}",
    "scenario.updated": "{who} changed the scenario {thing}",
    "scenario.copied": "{who} copied a scenario to make {thing}",
    "scenario.deleted": "{who} deleted a draft scenario",
    "scenario.finalised": "{who} made the scenario {thing} final",
    "scenario.offer_priced": "{who} priced an offer into the scenario {thing}",
    # assurance
    "business_plan.created": "{who} started {thing}",
    "business_plan.updated": "{who} changed {thing}",
    "business_plan.financial_model_saved": "{who} saved the financial model of {thing}",
    "checkpoint.created": "{who} set up {thing}",
    "checkpoint.updated": "{who} changed {thing}",
    "criterion.added": "{who} added the criterion {thing}",
    "criterion.updated": "{who} changed the criterion {thing}",
    "criterion.deleted": "{who} removed a criterion",
    "condition.added": "{who} set a condition: {thing}",
    "condition.responded": "{who} responded to a condition: {thing}",
    "condition.accepted": "{who} accepted the response to a condition: {thing}",
    "condition.reopened": "{who} reopened a condition: {thing}",
    "condition.open": "{who} reopened a condition: {thing}",
    "development_action.added": "{who} set a development action: {thing}",
    "development_action.done": "{who} marked a development action done: {thing}",
    "development_action.accepted": "{who} accepted a development action as done: {thing}",
    "development_action.reopened": "{who} reopened a development action: {thing}",
    "development_action.open": "{who} reopened a development action: {thing}",
    "evidence.uploaded": "{who} uploaded evidence for {thing}",
    "plan_check_thresholds.updated": "{who} changed the thresholds of the business plan checks",
    "review.reviewer_assigned": "{who} assigned a reviewer to {thing}",
    "review.saved": "{who} saved {thing}",
    "review.signed_off": "{who} signed off {thing}",
    "review.document_issued": "{who} issued the document of {thing}",
    "submission.created": "{who} submitted {thing}",
    # catalogue and prospectuses
    "specification.created": "{who} added the specification {thing} to the catalogue",
    "specification.updated": "{who} changed the specification {thing}",
    "specification.retired": "{who} retired the specification {thing}",
    "specification.reinstated": "{who} reinstated the specification {thing}",
    "specification.deleted": "{who} deleted a specification from the catalogue",
    "offer.draft_added": "{who} added the offer {thing} to a draft prospectus",
    "offer.draft_updated": "{who} changed the draft offer {thing}",
    "offer.draft_removed": "{who} removed an offer from a draft prospectus",
    "prospectus.draft_saved": "{who} saved {thing}",
    "prospectus.published": "{who} published {thing}",
    "prospectus.withdrawn": "{who} withdrew {thing}",
    "demo.prospectuses_seeded": "{who} loaded the demonstration prospectuses",
    "shortlist.offer_added": "{who} added an offer to the shortlist {thing}",
    "shortlist.offer_removed": "{who} took an offer off the shortlist {thing}",
    # statements of requirements
    "statement.created": "{who} started the statement {thing}",
    "statement.updated": "{who} changed the details of the statement {thing}",
    "statement.withdrawn": "{who} withdrew the statement {thing}",
    "statement.line_saved": "{who} saved a line of the statement {thing}",
    "statement.line_removed": "{who} removed a line from the statement {thing}",
    "statement.partner_invited": "{who} invited a CCG to the statement {thing}",
    "statement.partner_removed": "{who} removed a CCG from the statement {thing}",
    "statement.split_changed": "{who} changed how the statement {thing} is split",
    "statement.confirmed": "{who} confirmed its lines in the statement {thing}",
    "statement.declined": "{who} declined to take part in the statement {thing}",
    # buying
    "procurement.started": "{who} started the procurement {thing}",
    "procurement.details_changed": "{who} changed the details of the procurement {thing}",
    "procurement.route_changed": "{who} changed the route of the procurement {thing}",
    "procurement.criteria_changed": "{who} changed the evaluation criteria of {thing}",
    "procurement.evaluators_changed": "{who} changed the evaluators of {thing}",
    "procurement.invitees_changed": "{who} changed who is invited to bid for {thing}",
    "procurement.published": "{who} published the opportunity {thing}",
    "procurement.closed": "{who} closed the procurement {thing} to bids",
    "procurement.cancelled": "{who} cancelled the procurement {thing}",
    "procurement.awarded": "{who} awarded the procurement {thing}",
    "procurement.none_suitable": "{who} found no suitable response to {thing}",
    "procurement.standstill_ended": "{who} ended the standstill of {thing}",
    "procurement_threshold.added": "{who} added the procurement threshold {thing}",
    "procurement_threshold.changed": "{who} changed the procurement threshold {thing}",
    "clarification.asked": "{who} asked a clarification question about {thing}",
    "clarification.answered": "{who} answered a clarification question about {thing}",
    "decision_question.asked": "{who} asked about the decision on {thing}",
    "decision_question.answered": "{who} answered a question about the decision on {thing}",
    "evaluation.scored": "{who} scored a response to {thing}",
    "evaluation.submitted": "{who} submitted their evaluation scores for {thing}",
    "evaluation.moderated": "{who} moderated the scores for {thing}",
    "response.started": "{who} started a response to {thing}",
    "response.saved": "{who} saved a response to {thing}",
    "response.submitted": "{who} submitted a response to {thing}",
    "response.withdrawn": "{who} withdrew a response to {thing}",
    "response.attachment_added": "{who} attached a document to a response to {thing}",
    "response.attachment_removed": "{who} removed a document from a response to {thing}",
    # people
    "user.created": "{who} created the account of {thing}",
    "user.updated": "{who} changed the account of {thing}",
    "user.deactivated": "{who} deactivated the account of {thing}",
    "user.password_changed": "{who} changed the password of {thing}",
    "user.password_confirmation_failed": "A wrong password was entered to confirm an action "
    "as {thing}",
    "user.sign_in_failed": "A sign-in as {thing} failed",
    "user.signed_in": "{thing} signed in",
    "user.signed_out": "{thing} signed out",
    "notification_preferences.changed": "{who} changed which notifications they receive",
}

# Keys of the changes recorded with events, in words.
CHANGE_LABELS: dict[str, str] = {
    "active": "Can sign in",
    "after": "After",
    "annual_value": "Annual value",
    "before": "Before",
    "budget_annual": "Annual budget",
    "ccg": "CCG",
    "ccgs": "CCGs",
    "change_note": "Change note",
    "document": "Document",
    "end_date": "End date",
    "ends_on": "Ends on",
    "figure_id": "Figure",
    "lines": "Lines",
    "lock_version": "Version",
    "name": "Name",
    "organisation": "Organisation",
    "outcome": "Outcome",
    "outcome_code": "Outcome",
    "partner": "CCG invited",
    "population": "Population",
    "position": "Position",
    "price": "Price",
    "ready": "Ready to buy",
    "reason": "Reason",
    "removed": "Removed",
    "review": "Review of the figure",
    "role": "Role",
    "rule_key": "Outcome rule",
    "rating_scale": "Rating scale",
    "sha256": "Document fingerprint",
    "shares": "Shares",
    "split_method": "How the cost is split",
    "start_date": "Start date",
    "status": "Status",
    "title": "Title",
}

# Changes too technical to show people: fingerprints and internal row numbers.
HIDDEN_CHANGES = {"sha256", "lock_version", "figure_id", "line", "lines"}


# What a person calls the area an event kind's key starts with, where the key's own words
# would not do ("survey_window.opened" is about the customer survey).
AREA_LABELS: dict[str, str] = {
    "agreement_variation": "Agreement variation",
    "allowance": "Running cost allowance",
    "demo": "Demonstration data",
    "evidence": "Assurance evidence",
    "kpi": "Service level",
    "market": "Market change",
    "notification_preferences": "Notifications",
    "performance_figure": "Performance return",
    "plan_check_thresholds": "Business plan checks",
    "response": "Response to an opportunity",
    "statement": "Statement of requirements",
    "survey_answer": "Customer survey",
    "survey_window": "Customer survey",
    "user": "User account",
}

# Records (object types) in words, where splitting the class name would not do.
RECORD_LABELS: dict[str, str] = {
    "LocalProxy": "User account",  # events recorded before the proxy was unwrapped
    "User": "User account",
    "System": "The service as a whole",
    "Statement": "Statement of requirements",
    "Kpi": "Service level",
    "AgreementKpi": "Service level of an agreement",
}


def kind_label(action: str) -> str:
    """An event kind in words for a list to choose from: its area, then what was done, as
    in "Agreement: signed agreement … for the CCG" ("…" stands for the thing's name)."""
    area_key = action.split(".", 1)[0]
    area = AREA_LABELS.get(area_key) or area_key.replace("_", " ").capitalize()
    template = SENTENCES.get(action)
    if template is None:
        return area
    what = template.replace("{who} ", "").replace("{who}", "someone").removesuffix(": {thing}")
    what = what.replace("{thing}", "…")
    return f"{area}: {what[0].lower() + what[1:]}"


def kind_choices() -> list[tuple[str, str]]:
    """Every event kind that has words, as (key, label), in the order of their labels."""
    return sorted(((key, kind_label(key)) for key in SENTENCES), key=lambda pair: pair[1])


def record_label(object_type: str) -> str:
    """A record's type (a model's class name) in words: "ProspectusVersion" is "Prospectus
    version"."""
    if object_type in RECORD_LABELS:
        return RECORD_LABELS[object_type]
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", object_type) or [object_type]
    return " ".join([words[0], *(word.lower() for word in words[1:])])


@dataclass
class EventWords:
    sentence: str
    changes: list[str] = field(default_factory=list)


def _label(key: str) -> str:
    if key in CHANGE_LABELS:
        return CHANGE_LABELS[key]
    if key in RULES:
        return RULES[key].name
    threshold = _THRESHOLD_LABELS.get(key)
    if threshold:
        return threshold
    return key.replace("_", " ").capitalize()


_THRESHOLD_LABELS = {spec.key: spec.label for spec in THRESHOLD_SPECS}


class _Names:
    """Organisations by ODS code, looked up once per page of events."""

    def __init__(self):
        self._by_code: dict[str, str] | None = None

    def of(self, code: str) -> str | None:
        if self._by_code is None:
            rows = db.session.execute(
                select(Organisation.ods_code, Organisation.name).where(
                    Organisation.ods_code.is_not(None)
                )
            )
            self._by_code = {code: name for code, name in rows}
        return self._by_code.get(code)


def _value(value, names: _Names) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value(item, names) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(
            f"{_named_key(k, names)}: {_value(v, names)}"
            for k, v in value.items()
            if k not in HIDDEN_CHANGES
        )
    text = str(value)
    if text in RULES:
        return RULES[text].name
    name = names.of(text) if len(text) <= 10 else None
    return f"{name} ({text})" if name else text


def _named_key(key: str, names: _Names) -> str:
    name = names.of(key) if len(key) <= 10 else None
    return name or _label(key)


def describe_changes(changes: dict | None, names: _Names | None = None) -> list[str]:
    """Each change as "Label: before → after" or "Label: value"."""
    names = names or _Names()
    if not changes:
        return []
    if set(changes) == {"before", "after"} and all(
        isinstance(changes[k], dict | None) for k in changes
    ):
        before, after = changes["before"] or {}, changes["after"] or {}
        keys = list(dict.fromkeys([*before, *after]))
        return [
            f"{_named_key(k, names)}: {_value(before.get(k), names)} → "
            f"{_value(after.get(k), names)}"
            for k in keys
            if k not in HIDDEN_CHANGES and before.get(k) != after.get(k)
        ]
    lines = []
    for key, value in changes.items():
        if key in HIDDEN_CHANGES:
            continue
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], dict):
            lines.append(
                f"{_named_key(key, names)}: {_value(value[0], names)} → {_value(value[1], names)}"
            )
        elif isinstance(value, dict) and set(value) <= {"before", "after", "old", "new"}:
            old = value.get("before", value.get("old"))
            new = value.get("after", value.get("new"))
            lines.append(f"{_named_key(key, names)}: {_value(old, names)} → {_value(new, names)}")
        else:
            lines.append(f"{_named_key(key, names)}: {_value(value, names)}")
    return lines


def _who(event: AuditEvent, known: "_Known") -> str:
    person = known.people.get(event.actor_id) if event.actor_id is not None else None
    if person is None:
        return "The system"
    full_name, actor_organisation_id = person
    organisation = known.organisations.get(event.organisation_id or actor_organisation_id)
    return f"{full_name} ({organisation})" if organisation else full_name


# The records named by more than their own columns, by kind (after ``audit_name``).
_NAMED_BY_RELATIONS = {
    "Review": lambda review: (f"the review of {review.submission.organisation.name} at "
                              f"{review.submission.checkpoint.title}"),
    "Submission": lambda submission: (f"{submission.organisation.name}'s "
                                      f"{submission.checkpoint.title} submission"),
    "ProspectusVersion": lambda version: (f"{version.organisation.name}'s prospectus version "
                                          f"{version.number}"),
    "BusinessPlan": lambda plan: (f"{plan.organisation.name}'s business plan version "
                                  f"{plan.version}"),
    "Condition": lambda condition: f"“{condition.text}”",
    "DevelopmentAction": lambda action: f"“{action.action}”",
}
_NAME_ATTRIBUTES = ("reference", "title", "name")


def _nameable(model) -> bool:
    """Whether ``_thing`` can name a record of this model at all. A bid, a performance
    return or a clarification has no name, so it is never read: reading it only to find it
    nameless cost a query per kind on every page of the trail."""
    return model in (models.User, models.Organisation) or (
        model.__name__ in _NAMED_BY_RELATIONS
        or any(hasattr(model, attribute) for attribute in ("audit_name", *_NAME_ATTRIBUTES)))


def _name_columns(model) -> list | None:
    """The columns that name a record of ``model``, in the order ``_name_of`` tries them, or
    None when its name needs the record itself (a property, or its relations)."""
    if model.__name__ in _NAMED_BY_RELATIONS or hasattr(model, "audit_name"):
        return None
    columns = sa_inspect(model).column_attrs
    present = [attribute for attribute in _NAME_ATTRIBUTES if hasattr(model, attribute)]
    if not all(attribute in columns for attribute in present):
        return None
    return present


def _name_of(values: dict) -> str | None:
    """A record's name from its naming attributes' values: the first that says something."""
    for attribute in _NAME_ATTRIBUTES:
        value = values.get(attribute)
        if isinstance(value, str) and value:
            return f"“{value}”" if attribute != "reference" else value
    return None


def _name_of_record(object_type: str, obj) -> str:
    named = getattr(obj, "audit_name", None)
    if named:
        return named
    if object_type in _NAMED_BY_RELATIONS:
        return _NAMED_BY_RELATIONS[object_type](obj)
    return _name_of({attribute: getattr(obj, attribute, None) for attribute in _NAME_ATTRIBUTES})


def _object_key(event: AuditEvent) -> tuple[type, int] | None:
    """The model and id of the record an event is about, when it is one that has a name."""
    object_type = "User" if event.object_type == "LocalProxy" else event.object_type  # old rows
    model = getattr(models, object_type, None)
    if model is None or not event.object_id or not str(event.object_id).isdigit():
        return None
    if not _nameable(model):
        return None
    return model, int(event.object_id)


class _Known:
    """What a page of events names, read before any is described: the people who acted and
    their organisations, and the names of the records the events are about, one query per
    kind of record. Names are read as columns, not as records, wherever the columns say
    them; a record named through its relations is read whole."""

    def __init__(self, events):
        wanted: dict[type, set[int]] = {}
        for event in events:
            key = _object_key(event)
            if key is not None:
                wanted.setdefault(key[0], set()).add(key[1])
        person_ids = wanted.pop(models.User, set())
        organisation_ids = wanted.pop(models.Organisation, set())
        person_ids |= {event.actor_id for event in events if event.actor_id}
        self.people: dict[int, tuple[str, int | None]] = {}
        self.organisations: dict[int, str] = {}
        if person_ids:
            rows = db.session.execute(
                select(models.User.id, models.User.full_name, models.User.organisation_id,
                       Organisation.name)
                .outerjoin(models.User.organisation)
                .where(models.User.id.in_(person_ids)))
            for id_, full_name, organisation_id, organisation in rows:
                self.people[id_] = (full_name, organisation_id)
                if organisation_id is not None:
                    self.organisations[organisation_id] = organisation
        organisation_ids |= {event.organisation_id for event in events if event.organisation_id}
        organisation_ids -= set(self.organisations)
        if organisation_ids:
            rows = db.session.execute(select(Organisation.id, Organisation.name)
                                      .where(Organisation.id.in_(organisation_ids)))
            self.organisations.update((id_, name) for id_, name in rows)
        self.things: dict[tuple[type, int], str | None] = {}
        for model, ids in wanted.items():
            columns = _name_columns(model)
            if columns is not None:
                rows = db.session.execute(
                    select(model.id, *(getattr(model, column) for column in columns))
                    .where(model.id.in_(ids)))
                for id_, *values in rows:
                    self.things[model, id_] = _name_of(dict(zip(columns, values, strict=True)))
            else:
                for obj in db.session.scalars(select(model).where(model.id.in_(ids))):
                    self.things[model, obj.id] = _name_of_record(model.__name__, obj)

    def thing(self, event: AuditEvent) -> str | None:
        """The object's name as people know it, or None when it is gone or has none."""
        key = _object_key(event)
        if key is None:
            return None
        model, id_ = key
        if model is models.User:
            person = self.people.get(id_)
            return person[0] if person else None
        if model is models.Organisation:
            name = self.organisations.get(id_)
            return f"“{name}”" if name else None
        return self.things.get(key)


def describe(event: AuditEvent, names: _Names | None = None,
             known: _Known | None = None) -> EventWords:
    names = names or _Names()
    known = known or _Known([event])
    template = SENTENCES.get(event.action)
    thing = known.thing(event)
    if template is None:  # a kind recorded before it had words: the summary as written
        return EventWords(event.summary, describe_changes(event.changes, names))
    if "{thing}" in template and thing is None:
        # The object is gone (removed, deleted): the summary recorded at the time names it.
        sentence = (
            template.replace(" {thing}", "")
            .replace(": {thing}", "")
            .replace("{thing}", "it")
            .format(who=_who(event, known))
        )
        sentence = f"{sentence}: {event.summary}"
    else:
        sentence = template.format(who=_who(event, known), thing=thing or "")
    if "{thing}" not in template and event.action.endswith(("deleted", "removed")):
        sentence = f"{sentence}: {event.summary}"
    sentence = sentence[0].upper() + sentence[1:]
    return EventWords(sentence.rstrip(".") + ".", describe_changes(event.changes, names))


def describe_all(events) -> list[tuple[AuditEvent, EventWords]]:
    names = _Names()
    events = list(events)
    known = _Known(events)
    return [(event, describe(event, names, known)) for event in events]
