"""Ending a signed agreement: notice by either party (the default notice period, since the
agreements drafted here state none), or termination with a reason; and the warnings both
sides see from 6 and 3 months before the (varied) end date.

Termination ends the agreement that day (status ended) under the agreement's lock_version;
one ending per agreement (a unique row), so two people giving notice at once cannot both.
"""

from datetime import date

from sqlalchemy import func, select

from marketplace import clock
from marketplace.domain import contract_life as rules
from marketplace.extensions import db
from marketplace.models import Agreement, AgreementEnding, AgreementStatus, EndingKind
from marketplace.policies import require

from .audit import record_event
from .buying_common import clean_text
from .errors import Conflict, ServiceError
from .transaction import check_version, on_conflict, transaction, transactional
from .variations import current_end_date, current_terms

RUNNING = (AgreementStatus.SIGNED, AgreementStatus.FINAL)
MAX_REASON = 2000
ENDED_MEANWHILE = (
    "Somebody else gave notice on or ended this agreement after you opened it, so nothing "
    "was saved. Check the agreement as it is now."
)


def ending_of(agreement: Agreement) -> AgreementEnding | None:
    return db.session.scalar(
        select(AgreementEnding).where(AgreementEnding.agreement_id == agreement.id))


def today():
    return clock.in_uk(clock.now()).date()


def expiry_warning(agreement: Agreement) -> tuple[int, str] | None:
    """The 6- or 3-month warning for a running agreement, from its current (varied) end or
    the end its notice sets."""
    if agreement.status not in RUNNING:
        return None
    return expiry_warning_as_read(agreement, ending_of(agreement),
                                  current_terms(agreement).end_date)


def expiry_warning_as_read(agreement: Agreement, notice: AgreementEnding | None,
                           current_end: date) -> tuple[int, str] | None:
    """expiry_warning from the agreement's ending and current end date, when a page has read
    them (end_if_notice_ran_out, variations.versions)."""
    if agreement.status not in RUNNING:
        return None
    end = notice.ends_on if notice is not None else current_end
    return rules.expiry_warning(end, today())


def end_column():
    """The day an agreement ends, as a column for a query about agreements: the end its
    notice (or termination) sets, else its end as varied."""
    notice_end = (select(AgreementEnding.ends_on)
                  .where(AgreementEnding.agreement_id == Agreement.id)
                  .correlate(Agreement).scalar_subquery())
    return func.coalesce(notice_end, current_end_date())


def expiry_warnings(agreements, ends: dict[int, date] | None = None,
                    ) -> dict[int, tuple[int, str] | None]:
    """expiry_warning for each of these agreements, by id, for a list; ``ends``: their ends
    when already read with them (end_column), else read here in one query."""
    running = [agreement.id for agreement in agreements if agreement.status in RUNNING]
    warnings: dict[int, tuple[int, str] | None] = {a.id: None for a in agreements}
    if not running:
        return warnings
    if ends is None:
        ends = dict(db.session.execute(
            select(Agreement.id, end_column()).where(Agreement.id.in_(running))).all())
    on = today()
    for agreement_id in running:
        warnings[agreement_id] = rules.expiry_warning(ends[agreement_id], on)
    return warnings


def notice_ends_on(agreement: Agreement):
    # Only the end as varied: not the KPIs that the agreement's whole terms would need.
    current_end = db.session.scalar(
        select(current_end_date()).where(Agreement.id == agreement.id))
    return rules.notice_ends_on(today(), current_end)


@transactional
def end(actor, agreement: Agreement, expected_lock_version: int | None, kind: str,
        reason: str) -> AgreementEnding:
    require(actor, "party", agreement,
            f"Only {agreement.ccg.name} and {agreement.provider.name} end this agreement")
    check_version(agreement, expected_lock_version, ENDED_MEANWHILE)
    on_conflict(AgreementEnding, ENDED_MEANWHILE)
    try:
        kind = EndingKind(kind)
    except ValueError:
        raise ServiceError("Choose whether you give notice or terminate the agreement",
                           field="kind") from None
    if agreement.status not in RUNNING:
        raise ServiceError(f"Agreement {agreement.reference} is "
                           f"{agreement.status_label.lower()}: only a running agreement can "
                           "be ended.")
    existing = ending_of(agreement)
    if existing is not None and (kind is EndingKind.NOTICE
                                 or existing.kind == EndingKind.TERMINATION):
        raise ServiceError(f"Notice has already been given: the agreement ends on "
                           f"{existing.ends_on:%d %B %Y}.")
    reason = clean_text(reason, "reason", MAX_REASON,
                        required="Say why the agreement is terminated"
                        if kind is EndingKind.TERMINATION else None)
    on = today()
    ends_on = on if kind is EndingKind.TERMINATION else notice_ends_on(agreement)
    ending = existing or AgreementEnding(agreement=agreement)
    ending.kind, ending.given_on, ending.ends_on, ending.reason = kind, on, ends_on, reason
    ending.given_at, ending.given_by_id = clock.now(), actor.id
    ending.given_for_id = actor.organisation_id
    db.session.add(ending)
    before = agreement.status
    if kind is EndingKind.TERMINATION:
        agreement.status = AgreementStatus.ENDED
    record_event(
        f"agreement.{'terminated' if kind is EndingKind.TERMINATION else 'notice_given'}",
        agreement,
        f"{actor.full_name} of {actor.organisation.name} "
        + (f"terminated agreement {agreement.reference}: {reason}"
           if kind is EndingKind.TERMINATION else
           f"gave notice on agreement {agreement.reference}: it ends on "
           f"{ends_on.day} {ends_on:%B %Y}"),
        changes={"kind": kind.value, "ends_on": ends_on.isoformat(),
                 "status": [before, agreement.status], "reason": reason or None}, actor=actor)
    return ending


# --- Notice running out ---------------------------------------------------------------------
#
# An agreement under notice runs to the end of its notice's last day and is ended the day
# after, by the one clock (marketplace/clock.py): when a page next reads it
# (end_if_notice_ran_out), or for every agreement at once from `flask agreements end-due`
# (cron, or an RQ job calling end_due). Both go through _end_by_notice, a system event.


def _notice_ran_out(agreement: Agreement, ending: AgreementEnding | None, on) -> bool:
    return (agreement.status in RUNNING and ending is not None
            and ending.kind == EndingKind.NOTICE and ending.ends_on < on)


def _end_by_notice(agreement: Agreement, ending: AgreementEnding) -> None:
    before = agreement.status
    agreement.status = AgreementStatus.ENDED
    record_event(
        "agreement.ended_by_notice", agreement,
        f"Agreement {agreement.reference} between {agreement.ccg.name} and "
        f"{agreement.provider.name} ended: the notice given by {ending.given_for.name} ran "
        f"out on {ending.ends_on.day} {ending.ends_on:%B %Y}",
        changes={"status": [before, agreement.status], "ends_on": ending.ends_on.isoformat()},
        system=True)


def end_if_notice_ran_out(agreement: Agreement) -> AgreementEnding | None:
    """End the agreement if its notice has run out (in its own transaction); a page calls it
    before showing the agreement. Another request ending it at the same moment is no error.
    The agreement's ending (notice given or ended), if any, for the page to show."""
    ending = ending_of(agreement)
    if not _notice_ran_out(agreement, ending, today()):
        return ending
    try:
        with transaction():
            on_conflict(Agreement, ENDED_MEANWHILE)
            _end_by_notice(agreement, ending)
    except Conflict:
        db.session.refresh(agreement)
    return ending


@transactional
def end_due() -> list[str]:
    """End every running agreement whose notice has run out; their references."""
    on = today()
    due = db.session.execute(
        select(Agreement, AgreementEnding)
        .join(AgreementEnding, AgreementEnding.agreement_id == Agreement.id)
        .where(Agreement.status.in_([status.value for status in RUNNING]),
               AgreementEnding.kind == EndingKind.NOTICE.value, AgreementEnding.ends_on < on)
        .order_by(AgreementEnding.ends_on, Agreement.reference)).all()
    for agreement, ending in due:
        _end_by_notice(agreement, ending)
    return [agreement.reference for agreement, _ in due]
