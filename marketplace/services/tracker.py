"""Read models for the BDU tracker, the CSV export, the results API and a CSS's progress."""

import csv
import io
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import and_, exists, func, select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.domain.checkpoints import TIMELINE_2012, Milestone, overdue_milestones
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    Checkpoint,
    Condition,
    ConditionStatus,
    Merger,
    MergerKind,
    Organisation,
    OrganisationKind,
    Review,
    ReviewStatus,
    Role,
    Submission,
    User,
)

from .checkpoints import checkpoints, outcome_colour

# Milestones a CSS itself has to meet; staff transfer and Board hosting happen to everyone.
CSS_MILESTONES = tuple(
    m for m in TIMELINE_2012 if m.key not in ("staff_transfer_begins", "hosted_by_board")
)
SUBMITTED_MILESTONE = {1: "cp1_prospectus_review", 2: "cp2_outline_business_plan",
                       3: "cp3_full_business_plan", 4: "cp4", 5: "cp5"}


def css_milestones(all_checkpoints: list[Checkpoint]) -> tuple[Milestone, ...]:
    """The milestones a CSS has to meet, each checkpoint's submission falling due on the date
    an administrator gave that checkpoint (the 2012 timeline's date only where none is set)."""
    due = {SUBMITTED_MILESTONE[c.number]: c.due_date for c in all_checkpoints
           if c.number in SUBMITTED_MILESTONE and c.due_date is not None}
    return tuple(replace(m, due=due.get(m.key, m.due)) for m in CSS_MILESTONES)
OPEN_CONDITION_STATUSES = (ConditionStatus.OPEN, ConditionStatus.RESPONDED,
                           ConditionStatus.REOPENED)

STATUSES = {
    "not_submitted": ("Not submitted", "grey"),
    "awaiting_review": ("Submitted, awaiting review", "blue"),
    "in_review": ("In review", "yellow"),
    "signed_off": ("Signed off", "green"),
}


@dataclass(frozen=True)
class ReviewShown:
    """What a cell shows of a submission's review."""
    status: str
    outcome_code: str | None
    outcome_label: str | None
    signed_off_at: datetime | None


@dataclass(frozen=True)
class Cell:
    checkpoint: Checkpoint
    status: str
    submission: Submission | None = None
    review: ReviewShown | None = None

    @property
    def status_label(self) -> str:
        return STATUSES[self.status][0]

    @property
    def status_colour(self) -> str:
        return STATUSES[self.status][1]

    @property
    def outcome_code(self) -> str | None:
        return self.review.outcome_code if self.status == "signed_off" else None

    @property
    def outcome_label(self) -> str | None:
        return self.review.outcome_label if self.status == "signed_off" else None

    @property
    def outcome_colour(self) -> str:
        return outcome_colour(self.outcome_code)


@dataclass
class CssProgress:
    organisation: Organisation
    cells: list[Cell] = field(default_factory=list)
    open_conditions: int = 0
    overdue: list[Milestone] = field(default_factory=list)
    # Set when the CSS had merged into (or been taken over by) another by the tracker's date:
    # it no longer trades, so it has no milestones to meet and its conditions are its
    # successor's (services/market_change.merge). Its checkpoints stay on record.
    merger: Merger | None = None

    @property
    def is_merged(self) -> bool:
        return self.merger is not None

    @property
    def state(self) -> str:
        """The CSS's state in words: "Trading", or "Merged into X on 1 August 2012"."""
        if self.merger is None:
            return "Trading"
        verb = "Taken over by" if self.merger.kind == MergerKind.TAKEOVER else "Merged into"
        return f"{verb} {self.merger.successor.name} on {self.merger.effective_on:%-d %B %Y}"

    def cell(self, number: int) -> Cell | None:
        return next((c for c in self.cells if c.checkpoint.number == number), None)


def as_of_date() -> date:
    """The tracker counts overdue milestones from today on the one clock (MARKETPLACE_TODAY)."""
    return clock.today_in_uk()


def _status(submission: Submission | None, review: ReviewShown | None) -> str:
    if submission is None:
        return "not_submitted"
    return _submitted_status(review.status if review else None)


def _submitted_status(review_status: str | None) -> str:
    """A submitted cell's status from its review's (None before a review is started)."""
    if review_status is None:
        return "awaiting_review"
    return "signed_off" if review_status == ReviewStatus.SIGNED_OFF else "in_review"


@dataclass(frozen=True)
class _Standing:
    """What a CSS has done towards its milestones besides its checkpoints: any agreement (even
    a draft), one signed by both parties (or final), a final one; a CSS leader named."""
    agreement: bool = False
    signed: bool = False
    final: bool = False
    has_leader: bool = False


def progress(region_id: int | None = None, organisation_id: int | None = None,
             as_of: date | None = None,
             all_checkpoints: list[Checkpoint] | None = None) -> list[CssProgress]:
    """One row per CSS. ``all_checkpoints`` saves a query where the caller has them already.
    The CSSs come in one query with their mergers and standing, their submissions and open
    conditions in one each: as many queries for every CSS as for one."""
    as_of = as_of or as_of_date()
    found = _organisations(region_id, organisation_id, as_of)
    organisations = [organisation for organisation, _merger, _standing in found]
    ids = [o.id for o in organisations]
    all_checkpoints = checkpoints() if all_checkpoints is None else all_checkpoints
    mergers = {o.id: merger for o, merger, _standing in found if merger is not None}
    rows = _rows(organisations, all_checkpoints, _submissions(ids), mergers,
                 _open_conditions(ids))
    overdue = _overdue({row.organisation.id: row.cells for row in rows if row.merger is None},
                       as_of, all_checkpoints, ids,
                       standing={o.id: standing for o, _merger, standing in found})
    for row in rows:
        row.overdue = overdue.get(row.organisation.id, [])
    return rows


def overdue_count(as_of: date | None = None) -> int:
    """How many CSSs have overdue milestones: the tracker's own reckoning (the same cells and
    rules as ``progress``), from plain rows: ids and statuses, not the objects a page shows."""
    as_of = as_of or as_of_date()
    ids = list(db.session.scalars(
        select(Organisation.id).where(Organisation.kind == OrganisationKind.CSS)))
    all_checkpoints = checkpoints()
    merged = set(db.session.scalars(
        select(Merger.predecessor_id).where(Merger.predecessor_id.in_(ids),
                                            Merger.effective_on <= as_of)))
    statuses = {
        (organisation_id, checkpoint_id): _submitted_status(review_status)
        for organisation_id, checkpoint_id, review_status in db.session.execute(
            select(Submission.organisation_id, Submission.checkpoint_id, Review.status)
            .outerjoin(Review, Review.submission_id == Submission.id)
            .where(Submission.organisation_id.in_(ids)))
    }
    cells = {
        organisation_id: [
            Cell(checkpoint, statuses.get((organisation_id, checkpoint.id), "not_submitted"))
            for checkpoint in all_checkpoints]
        for organisation_id in ids if organisation_id not in merged
    }
    return sum(1 for overdue in _overdue(cells, as_of, all_checkpoints, ids).values()
               if overdue)


def _agreement_exists(*statuses):
    return exists().where(Agreement.provider_id == Organisation.id,
                          *([Agreement.status.in_(statuses)] if statuses else []))


def _standing_columns() -> tuple:
    """SQL for an organisation's _Standing, its fields in order: any agreement (even a
    draft), one signed by both parties or final, a final one; a CSS leader named."""
    return (
        _agreement_exists(),
        _agreement_exists(AgreementStatus.SIGNED, AgreementStatus.FINAL),
        _agreement_exists(AgreementStatus.FINAL),
        exists().where(User.organisation_id == Organisation.id, User.role == Role.CSS_LEADER),
    )


def _standing_of(row) -> _Standing:
    return _Standing(*(bool(value) for value in row))


def _organisations(region_id: int | None, organisation_id: int | None,
                   as_of: date) -> list[tuple[Organisation, Merger | None, _Standing]]:
    """The CSSs by name, each with its region, its merger by ``as_of`` (a CSS merges once)
    with the successor, and its _Standing."""
    statement = (
        select(Organisation, Merger, *_standing_columns())
        .outerjoin(Merger, and_(Merger.predecessor_id == Organisation.id,
                                Merger.effective_on <= as_of))
        .where(Organisation.kind == OrganisationKind.CSS))
    if region_id:
        statement = statement.where(Organisation.region_id == region_id)
    if organisation_id:
        statement = statement.where(Organisation.id == organisation_id)
    return [
        (organisation, merger, _standing_of(standing))
        for organisation, merger, *standing in db.session.execute(
            statement.options(joinedload(Organisation.region), joinedload(Merger.successor))
            .order_by(Organisation.name, Organisation.id))
    ]


def _submissions(ids: list[int]
                 ) -> dict[tuple[int, int], tuple[Submission, ReviewShown | None]]:
    """Each CSS's submissions by checkpoint, with what their cells show of the review: its
    columns, not the review itself, whose text and thresholds stay in the database."""
    return {
        (submission.organisation_id, submission.checkpoint_id):
            (submission, ReviewShown(*review) if review[0] is not None else None)
        for submission, *review in db.session.execute(
            select(Submission, Review.status, Review.outcome_code, Review.outcome_label,
                   Review.signed_off_at)
            .outerjoin(Review, Review.submission_id == Submission.id)
            .where(Submission.organisation_id.in_(ids)))
    }


def _open_conditions(ids: list[int]) -> dict[int, int]:
    # Counted for the CSS that answers each condition: the one reviewed or, once it has
    # merged, its successor (Condition.answered_by).
    answering = func.coalesce(Condition.answered_by_id, Submission.organisation_id)
    return dict(db.session.execute(
        select(answering, func.count(Condition.id))
        .select_from(Submission)
        .join(Review, Review.submission_id == Submission.id)
        .join(Condition, Condition.review_id == Review.id)
        .where(answering.in_(ids), Review.status == ReviewStatus.SIGNED_OFF,
               Condition.status.in_(OPEN_CONDITION_STATUSES))
        .group_by(answering)
    ).all())


def _rows(organisations: list[Organisation], all_checkpoints: list[Checkpoint],
          submissions: dict[tuple[int, int], tuple[Submission, ReviewShown | None]],
          mergers: dict[int, Merger],
          open_conditions: dict[int, int]) -> list[CssProgress]:
    rows = []
    for organisation in organisations:
        row = CssProgress(organisation, merger=mergers.get(organisation.id),
                          open_conditions=open_conditions.get(organisation.id, 0))
        for checkpoint in all_checkpoints:
            submission, review = submissions.get((organisation.id, checkpoint.id), (None, None))
            row.cells.append(Cell(checkpoint, _status(submission, review), submission, review))
        rows.append(row)
    return rows


def _overdue(cells: dict[int, list[Cell]], as_of: date, all_checkpoints: list[Checkpoint],
             ids: list[int], standing: dict[int, _Standing] | None = None
             ) -> dict[int, list[Milestone]]:
    """The overdue milestones of each trading CSS, by id, from its cells (a merged CSS is
    left out by the caller: it has no milestones left to meet); ``standing``, each CSS's
    _Standing where the caller read it already."""
    milestones = css_milestones(all_checkpoints)
    standing = _standing(ids) if standing is None else standing
    return {
        organisation_id: overdue_milestones(
            as_of, _completed(row_cells, standing.get(organisation_id, _Standing())),
            milestones)
        for organisation_id, row_cells in cells.items()
    }


def _standing(ids: list[int]) -> dict[int, _Standing]:
    return {organisation_id: _standing_of(standing)
            for organisation_id, *standing in db.session.execute(
                select(Organisation.id, *_standing_columns()).where(Organisation.id.in_(ids)))}


def _completed(cells: list[Cell], standing: _Standing) -> set[str]:
    done = set()
    for cell in cells:
        key = SUBMITTED_MILESTONE.get(cell.checkpoint.number)
        if key and cell.status != "not_submitted":
            done.add(key)
        if cell.checkpoint.number == 3 and cell.status == "signed_off":
            done |= {"cp3_assurance_completed", "hosting_decisions"}
    if standing.agreement:  # any agreement, even a draft, is the draft SLA milestone
        done.add("draft_slas_signed")
    if standing.signed:
        done.add("slas_signed")
    if standing.final:
        done.add("final_slas")
    if standing.has_leader:
        done.add("css_leaders_identified")
    return done


def csv_export(rows: list[CssProgress]) -> str:
    output = io.StringIO()
    writer = csv.writer(output)
    numbers = [cell.checkpoint.number for cell in rows[0].cells] if rows else []
    writer.writerow(
        ["CSS", "Region"]
        + [f"Checkpoint {n} {what}" for n in numbers for what in ("status", "outcome")]
        + ["Open conditions", "Overdue milestones", "State"]
    )
    for row in rows:
        writer.writerow(
            [row.organisation.name, row.organisation.region.name if row.organisation.region
             else "National"]
            + [value for cell in row.cells for value in (cell.status_label,
                                                         cell.outcome_label or "")]
            + [row.open_conditions, "; ".join(m.title for m in row.overdue), row.state]
        )
    return output.getvalue()


def results(checkpoint: Checkpoint) -> list[dict]:
    """One entry per CSS for the API: status, outcome, and the scenario letter at checkpoint 2."""
    entries = []
    for row in progress():
        cell = row.cell(checkpoint.number)
        entry = {
            "organisation_id": row.organisation.id,
            "organisation": row.organisation.name,
            "region": row.organisation.region.name if row.organisation.region else None,
            "status": cell.status,
            "status_label": cell.status_label,
            "outcome": cell.outcome_code,
            "outcome_label": cell.outcome_label,
            "signed_off_at": cell.review.signed_off_at.isoformat()
            if cell.status == "signed_off" else None,
        }
        if checkpoint.rule_key == "cp2_scenario":
            entry["scenario"] = cell.outcome_code
        entries.append(entry)
    return entries
