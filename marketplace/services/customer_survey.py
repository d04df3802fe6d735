"""The CCG customer survey: the BDU opens a window for a checkpoint (and may close it early);
each CCG answers once about each CSS it has an agreement with; results are read only as
aggregates (domain/customer_survey.py), never one CCG's answer.

Opening, closing and answering are each one transaction with its audit event. Two answers
sent at once for the same CCG and CSS cannot both be saved (the unique constraint on
survey_answer), nor two windows for one checkpoint (on survey_window).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from marketplace import clock
from marketplace.domain.customer_survey import (
    QUESTIONS,
    STATE_WORDS,
    Aggregate,
    ScoreError,
    aggregate,
    read_score,
    window_date_problems,
)
from marketplace.extensions import db
from marketplace.models import (
    Agreement,
    AgreementStatus,
    Checkpoint,
    Organisation,
    Role,
    SurveyAnswer,
    SurveyScore,
    SurveyWindow,
)

from .audit import record_event
from .buying_common import FieldErrors, clean_text
from .errors import Conflict, PermissionDenied, ServiceError
from .transaction import check_version, on_conflict, transactional

# A CCG answers about a CSS it has (or had) a signed agreement with.
CUSTOMER_STATUSES = (AgreementStatus.SIGNED, AgreementStatus.FINAL, AgreementStatus.ENDED)
MAX_COMMENT = 2000
ANSWERED_ALREADY = (
    "Your CCG has already answered this survey about this CSS. Each CCG answers once per "
    "CSS it buys from, and an answer cannot be changed."
)
WINDOW_EXISTS = "There is already a survey for this checkpoint: each checkpoint has one."
CLOSED_MEANWHILE = (
    "Somebody else changed this survey after you opened the page, so nothing changed. Check "
    "the survey as it is now."
)


def today() -> date:
    return clock.today_in_uk()


def windows() -> list[SurveyWindow]:
    """Every window, newest first, each with its checkpoint (its title names it) in the same
    query, not one query per window."""
    return list(
        db.session.scalars(
            select(SurveyWindow)
            .options(joinedload(SurveyWindow.checkpoint))
            .order_by(SurveyWindow.opens_on.desc(), SurveyWindow.id.desc())
        )
    )


def window_with_checkpoint(window_id: int) -> SurveyWindow | None:
    """A window with its checkpoint (its title names it), in one query."""
    return db.session.scalars(
        select(SurveyWindow).where(SurveyWindow.id == window_id)
        .options(joinedload(SurveyWindow.checkpoint))
    ).one_or_none()


def state_words(window: SurveyWindow) -> tuple[str, str]:
    return STATE_WORDS[window.state(today())]


def checkpoints_without_a_window() -> list[Checkpoint]:
    taken = select(SurveyWindow.checkpoint_id)
    return list(
        db.session.scalars(
            select(Checkpoint).where(Checkpoint.id.not_in(taken)).order_by(Checkpoint.number)
        )
    )


def _of_a_customer(ccg_id: int) -> tuple:
    """The agreements that make the CCG a customer who answers about their provider."""
    return Agreement.ccg_id == ccg_id, Agreement.status.in_(CUSTOMER_STATUSES)


def _customer_agreements(ccg_id: int, provider_id: int | None = None):
    query = select(Agreement).where(*_of_a_customer(ccg_id))
    if provider_id is not None:
        query = query.where(Agreement.provider_id == provider_id)
    return db.session.scalars(query.order_by(Agreement.id))


def providers_of(ccg: Organisation) -> list[Organisation]:
    """The CSSs (and independent providers) the CCG has a signed agreement with."""
    seen: dict[int, Organisation] = {}
    for agreement in _customer_agreements(ccg.id):
        seen.setdefault(agreement.provider_id, agreement.provider)
    return sorted(seen.values(), key=lambda organisation: organisation.name)


def is_customer(ccg_id: int, provider_id: int) -> bool:
    return _customer_agreements(ccg_id, provider_id).first() is not None


def answered(window: SurveyWindow, ccg_id: int, provider_id: int) -> bool:
    return (
        db.session.scalar(
            select(SurveyAnswer.id).where(
                SurveyAnswer.window_id == window.id,
                SurveyAnswer.ccg_id == ccg_id,
                SurveyAnswer.provider_id == provider_id,
            )
        )
        is not None
    )


@dataclass(frozen=True)
class ToAnswer:
    window: SurveyWindow
    provider: Organisation
    answered: bool


def to_answer(ccg: Organisation) -> list[ToAnswer]:
    """Each open window's CSSs the CCG answers about, answered or not."""
    providers = providers_of(ccg)
    now = today()
    rows = []
    for window in windows():
        if window.state(now) != "open":
            continue
        done = set(
            db.session.scalars(
                select(SurveyAnswer.provider_id).where(
                    SurveyAnswer.window_id == window.id, SurveyAnswer.ccg_id == ccg.id
                )
            )
        )
        rows += [ToAnswer(window, provider, provider.id in done) for provider in providers]
    return rows


def unanswered_count(ccg_id: int) -> int:
    """How many of ``to_answer``'s rows are not answered yet, counted from ids: the same
    open windows and CSSs, without loading the CSSs, and nothing more when none is open."""
    now = today()
    open_ids = [window.id for window in windows() if window.state(now) == "open"]
    if not open_ids:
        return 0
    provider_ids = set(db.session.scalars(
        select(Agreement.provider_id).where(*_of_a_customer(ccg_id))))
    done = {(window_id, provider_id) for window_id, provider_id in db.session.execute(
        select(SurveyAnswer.window_id, SurveyAnswer.provider_id).where(
            SurveyAnswer.ccg_id == ccg_id, SurveyAnswer.window_id.in_(open_ids)))}
    return sum(1 for window_id in open_ids for provider_id in provider_ids
               if (window_id, provider_id) not in done)


# Changes.


def _bdu(actor, doing: str) -> None:
    if actor.role != Role.BDU_REVIEWER:
        raise PermissionDenied(f"Only BDU reviewers {doing}")


@transactional
def open_window(
    actor, checkpoint: Checkpoint | None, opens_on: date | None, closes_on: date | None
) -> SurveyWindow:
    from .notifications import survey_open

    _bdu(actor, "open customer surveys")
    errors = [] if checkpoint is not None else [("checkpoint_id", "Choose a checkpoint")]
    errors += window_date_problems(opens_on, closes_on, today())
    if checkpoint is not None and db.session.scalar(
        select(SurveyWindow.id).where(SurveyWindow.checkpoint_id == checkpoint.id)
    ):
        errors.append(("checkpoint_id", WINDOW_EXISTS))
    if errors:
        raise FieldErrors(errors)
    on_conflict(SurveyWindow, WINDOW_EXISTS)
    window = SurveyWindow(
        checkpoint=checkpoint,
        opens_on=opens_on,
        closes_on=closes_on,
        opened_at=clock.now(),
        opened_by_id=actor.id,
    )
    db.session.add(window)
    db.session.flush()
    record_event(
        "survey_window.opened",
        window,
        f"{actor.full_name} opened the {window.title}, from {opens_on:%d %B %Y} to "
        f"{closes_on:%d %B %Y}",
        changes={
            "checkpoint": checkpoint.number,
            "opens_on": opens_on.isoformat(),
            "closes_on": closes_on.isoformat(),
        },
        actor=actor,
    )
    survey_open(window, customer_ccg_ids())
    return window


def customer_ccg_ids() -> set[int]:
    return set(
        db.session.scalars(
            select(Agreement.ccg_id).where(Agreement.status.in_(CUSTOMER_STATUSES)).distinct()
        )
    )


@transactional
def close_window(actor, window: SurveyWindow, expected_lock_version: int | None) -> SurveyWindow:
    _bdu(actor, "close customer surveys")
    check_version(window, expected_lock_version, CLOSED_MEANWHILE)
    if window.state(today()) == "closed":
        raise ServiceError("This survey is already closed.")
    window.closed_at = clock.now()
    window.closed_by_id = actor.id
    record_event(
        "survey_window.closed",
        window,
        f"{actor.full_name} closed the {window.title} early",
        changes={"closed_on": today().isoformat()},
        actor=actor,
    )
    return window


@transactional
def submit_answer(
    actor,
    window: SurveyWindow,
    provider: Organisation,
    scores: dict[str, str],
    comments: dict[str, str],
) -> SurveyAnswer:
    ccg = actor.organisation
    if actor.role != Role.CCG_USER:
        raise PermissionDenied("Only CCG users answer the customer survey")
    if not is_customer(ccg.id, provider.id):
        raise PermissionDenied(
            f"{ccg.name} has no signed agreement with {provider.name}: "
            "a CCG answers only about the CSSs it buys from."
        )
    state = window.state(today())
    if state != "open":
        raise ServiceError(
            f"This survey is {STATE_WORDS[state][0].lower()}: answers are taken from "
            f"{window.opens_on.day} {window.opens_on:%B %Y} to {window.closes_on.day} "
            f"{window.closes_on:%B %Y}"
            + (", and it was closed early." if window.closed_at else ".")
        )
    if answered(window, ccg.id, provider.id):
        raise Conflict(ANSWERED_ALREADY)
    errors, rows = [], []
    for question in QUESTIONS:
        field = f"score_{question.key}"
        try:
            score = read_score(scores.get(question.key))
        except ScoreError:
            errors.append((field, f"Choose a score from 1 to 5 for “{question.short}”"))
            score = None
        try:
            comment = clean_text(comments.get(question.key), f"comment_{question.key}", MAX_COMMENT)
        except ServiceError as error:
            errors.append((error.field, error.message))
            comment = ""
        rows.append(SurveyScore(question=question.key, score=score or 1, comment=comment))
    if errors:
        raise FieldErrors(errors)
    on_conflict(SurveyAnswer, ANSWERED_ALREADY)
    answer = SurveyAnswer(
        window=window,
        ccg_id=ccg.id,
        provider_id=provider.id,
        answered_at=clock.now(),
        answered_by_id=actor.id,
        scores=rows,
    )
    db.session.add(answer)
    db.session.flush()
    # The audit trail records that the CCG answered, never what it said.
    record_event(
        "survey_answer.submitted",
        answer,
        f"{actor.full_name} of {ccg.name} answered the {window.title} about {provider.name}",
        changes={"window_id": window.id, "provider_id": provider.id},
        actor=actor,
    )
    return answer


# What may be read: aggregates only.


def aggregates_for(windows: list[SurveyWindow], provider_id: int) -> dict[int, Aggregate]:
    """By window id: what may be shown of the provider's answers in each of these windows,
    read as plain rows (answers and their scores) in one query however many windows."""
    by_window: dict[int, dict[int, dict[str, int]]] = {window.id: {} for window in windows}
    if by_window:
        _add_scores(by_window, db.session.execute(
            select(SurveyAnswer.window_id, SurveyAnswer.id, SurveyScore.question,
                   SurveyScore.score)
            .outerjoin(SurveyScore, SurveyScore.answer_id == SurveyAnswer.id)
            .where(SurveyAnswer.window_id.in_(list(by_window)),
                   SurveyAnswer.provider_id == provider_id)
            .order_by(SurveyAnswer.id, SurveyScore.id)))
    return {window_id: aggregate(answers.values()) for window_id, answers in by_window.items()}


def _add_scores(by_window: dict[int, dict[int, dict[str, int]]], rows) -> None:
    """Rows (window id, answer id, question, score) into each answer's scores by window, as
    SurveyAnswer.as_scores() gives them; an answer without scores counts, a row without an
    answer (a window nobody answered in) adds nothing."""
    for window_id, answer_id, question, score in rows:
        if answer_id is None:
            continue
        scores = by_window[window_id].setdefault(answer_id, {})
        if question is not None:
            scores[question] = score


def _windows_with_aggregates(provider_id: int) -> tuple[list[SurveyWindow], dict[int, Aggregate]]:
    """windows(), and aggregates_for of every one of them, in one statement: each window
    with its checkpoint and the provider's answers in it with their scores (a CSS is
    answered about by its CCGs once a window, so these are a few rows a window)."""
    found: dict[int, SurveyWindow] = {}
    by_window: dict[int, dict[int, dict[str, int]]] = {}
    rows = []
    for window, answer_id, question, score in db.session.execute(
        select(SurveyWindow, SurveyAnswer.id, SurveyScore.question, SurveyScore.score)
        .outerjoin(SurveyAnswer, (SurveyAnswer.window_id == SurveyWindow.id)
                   & (SurveyAnswer.provider_id == provider_id))
        .outerjoin(SurveyScore, SurveyScore.answer_id == SurveyAnswer.id)
        .options(joinedload(SurveyWindow.checkpoint))
        .order_by(SurveyWindow.opens_on.desc(), SurveyWindow.id.desc(), SurveyAnswer.id,
                  SurveyScore.id)
    ):
        if window.id not in found:
            found[window.id] = window
            by_window[window.id] = {}
        rows.append((window.id, answer_id, question, score))
    _add_scores(by_window, rows)
    return list(found.values()), {window_id: aggregate(answers.values())
                                  for window_id, answers in by_window.items()}


def respondent_counts(window: SurveyWindow) -> dict[int, int]:
    counts: dict[int, int] = {}
    for provider_id in db.session.scalars(
        select(SurveyAnswer.provider_id).where(SurveyAnswer.window_id == window.id)
    ):
        counts[provider_id] = counts.get(provider_id, 0) + 1
    return counts


@dataclass(frozen=True)
class ProviderResult:
    provider: Organisation
    aggregate: Aggregate


def results(window: SurveyWindow) -> list[ProviderResult]:
    """Every CSS answered about in the window, with what may be shown of its answers: the
    window's answers and their scores as plain rows in one query, and the CSSs in another,
    however many CSSs were answered about."""
    by_provider: dict[int, dict[int, dict[str, int]]] = {}
    for provider_id, answer_id, question, score in db.session.execute(
        select(SurveyAnswer.provider_id, SurveyAnswer.id, SurveyScore.question, SurveyScore.score)
        .outerjoin(SurveyScore, SurveyScore.answer_id == SurveyAnswer.id)
        .where(SurveyAnswer.window_id == window.id)
        .order_by(SurveyAnswer.id, SurveyScore.id)
    ):
        # Each answer as SurveyAnswer.as_scores() gives it; one without scores still counts.
        scores = by_provider.setdefault(provider_id, {}).setdefault(answer_id, {})
        if question is not None:
            scores[question] = score
    providers = (
        db.session.scalars(
            select(Organisation)
            .where(Organisation.id.in_(list(by_provider)))
            .order_by(Organisation.name)
        )
        if by_provider
        else []
    )
    return [ProviderResult(provider, aggregate(by_provider[provider.id].values()))
            for provider in providers]


@dataclass(frozen=True)
class SurveyResult:
    window: SurveyWindow
    aggregate: Aggregate


def latest_results(provider_id: int, checkpoint: Checkpoint | None = None) -> list[SurveyResult]:
    """The provider's aggregates in each survey, newest first; with ``checkpoint``, the one
    for that checkpoint if there is one, else those that opened before it was due."""
    found, aggregates = _windows_with_aggregates(provider_id)
    if checkpoint is not None:
        own = [window for window in found if window.checkpoint_id == checkpoint.id]
        if own:
            found = own
        elif checkpoint.due_date is not None:
            found = [window for window in found if window.opens_on <= checkpoint.due_date][:1]
        else:
            found = found[:1]
    return [SurveyResult(window, aggregates[window.id]) for window in found]


# Beside a review's customer criterion (Checkpoint 2 "CCG customer focus", Checkpoint 3
# "customer"): the survey and the contract performance record.
VOICE_CRITERIA = frozenset({"ccg_customer_focus", "customer"})


@dataclass(frozen=True)
class CustomerVoice:
    surveys: list[SurveyResult]
    record: object  # contract_record.ProviderRecord


def customer_voice(submission) -> CustomerVoice | None:
    """For a submission to a checkpoint with a customer criterion, what its customers say."""
    from .contract_record import provider_record

    checkpoint = submission.checkpoint
    if not any(criterion.key in VOICE_CRITERIA for criterion in checkpoint.criteria):
        return None
    return CustomerVoice(
        latest_results(submission.organisation_id, checkpoint),
        provider_record(submission.organisation),
    )
