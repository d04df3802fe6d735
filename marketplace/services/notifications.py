"""Telling people about the events they must not miss: in the app, and by email.

``notify`` adds the in-app rows to the caller's transaction and notes the emails to send.
The emails leave only once that transaction commits (a refused change tells nobody), and
never inside a request: with REDIS_URL set each is a job on the RQ queue, sent by the
``rq worker`` with retries; without Redis (or when it does not answer) they are sent in this
process, as `flask reviews render` renders PDFs here, but after the response has gone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import after_this_request, current_app, has_request_context
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from marketplace import clock
from marketplace.extensions import db
from marketplace.mail import send_email
from marketplace.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Role,
    User,
)

from .audit import record_event
from .transaction import transactional

log = logging.getLogger(__name__)

_PENDING = "notification_emails"
# Seconds before each retry of an email the SMTP server refused or did not answer.
RETRY_INTERVALS = [30, 120, 600]
PAGE_SIZE = 50
_EMAILS_OFF: ContextVar[bool] = ContextVar("notification_emails_off", default=False)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def link_to(endpoint: str, **values) -> str:
    """The path of a page, with or without a request (a CLI command closing competitions)."""
    return current_app.url_map.bind("").build(endpoint, values)


def users_of(organisation_ids: Iterable[int], *roles: str) -> list[User]:
    ids = set(organisation_ids)
    if not ids:
        return []
    query = select(User).where(User.organisation_id.in_(ids), User.is_active_user.is_(True))
    if roles:
        query = query.where(User.role.in_(roles))
    return list(db.session.scalars(query.order_by(User.id)))


def provider_users(organisation_ids: Iterable[int]) -> list[User]:
    return users_of(organisation_ids, Role.CSS_LEADER)


def ccg_users(organisation_ids: Iterable[int]) -> list[User]:
    return users_of(organisation_ids, Role.CCG_USER)


def emailed_kinds(user: User) -> set[str]:
    refused = set(db.session.scalars(
        select(NotificationPreference.kind).where(NotificationPreference.user_id == user.id,
                                                  NotificationPreference.by_email.is_(False))))
    return {kind.value for kind in NotificationKind} - refused


@contextmanager
def without_emails() -> Iterator[None]:
    """Notify in the app only: for writing history (the demo seed), not for telling people."""
    token = _EMAILS_OFF.set(True)
    try:
        yield
    finally:
        _EMAILS_OFF.reset(token)


def notify(users: Iterable[User], kind: NotificationKind, sentence: str, link: str
           ) -> list[Notification]:
    """Tell each user (once, if active) in the app; email those who want this kind."""
    kind = NotificationKind(kind)
    recipients = list({user.id: user for user in users if user.is_active_user}.values())
    if not recipients:
        return []
    now = clock.now()
    refused = set(db.session.scalars(
        select(NotificationPreference.user_id).where(
            NotificationPreference.user_id.in_([user.id for user in recipients]),
            NotificationPreference.kind == kind.value,
            NotificationPreference.by_email.is_(False))))
    notifications = []
    pending = db.session().info.setdefault(_PENDING, [])
    for user in recipients:
        notification = Notification(recipient_id=user.id, kind=kind.value, sentence=sentence,
                                    link=link, created_at=now, is_read=False)
        db.session.add(notification)
        notifications.append(notification)
        if user.id not in refused and not _EMAILS_OFF.get():
            pending.append(_email(user, kind, sentence, link))
    return notifications


def _email(user: User, kind: NotificationKind, sentence: str, link: str) -> Email:
    base = current_app.config["PUBLIC_BASE_URL"]
    body = (f"Dear {user.full_name},\n\n{sentence}\n\nSee it in CSS Marketplace: {base}{link}\n\n"
            f"You are told about this because: {kind.label.lower()}. Choose which emails you "
            f"receive at {base}{link_to('notifications.settings')}\n")
    return Email(to=user.email, subject=f"CSS Marketplace: {sentence}"[:200], body=body)


# --- after the transaction -----------------------------------------------------------------


def _after_commit(session: Session) -> None:
    emails = session.info.pop(_PENDING, None)
    if emails:
        dispatch(emails)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


LISTENERS = ((Session, "after_commit", _after_commit),
             (Session, "after_rollback", _after_rollback))


def _redis():
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    from redis import Redis
    from redis.exceptions import RedisError

    connection = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    try:
        connection.ping()
    except RedisError as error:
        log.warning("Redis at %s is not answering (%s): sending emails here instead", url, error)
        return None
    return connection


def dispatch(emails: list[Email]) -> str:
    """Queue the emails on RQ ("rq"), or send them here after the response ("inline")."""
    connection = _redis()
    if connection is not None:
        from rq import Queue, Retry

        queue = Queue(current_app.config["MAIL_QUEUE"], connection=connection)
        for email in emails:
            queue.enqueue(send_email, email.to, email.subject, email.body,
                          retry=Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS),
                          job_timeout=120, result_ttl=3600, failure_ttl=7 * 86400,
                          description=f"Email {email.to}: {email.subject}")
        return "rq"
    if has_request_context():
        app = current_app._get_current_object()

        @after_this_request
        def send_after_response(response):
            def send():
                with app.app_context():
                    _send_each(emails)
            response.call_on_close(send)
            return response

        return "after response"
    _send_each(emails)
    return "inline"


def _send_each(emails: list[Email]) -> None:
    for email in emails:
        try:
            send_email(email.to, email.subject, email.body)
        except OSError as error:  # smtplib's errors are OSErrors; the in-app row stands
            log.warning("email %r to %s not sent: %s", email.subject, email.to, error)


# --- reading and choosing ------------------------------------------------------------------


def unread_count(user: User) -> int:
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.recipient_id == user.id, Notification.is_read.is_(False))) or 0


def notifications_for(user: User, limit: int = PAGE_SIZE) -> list[Notification]:
    return list(db.session.scalars(
        select(Notification).where(Notification.recipient_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)))


@transactional
def mark_all_read(user: User) -> int:
    result = db.session.execute(
        update(Notification).where(Notification.recipient_id == user.id,
                                   Notification.is_read.is_(False)).values(is_read=True))
    return result.rowcount


@transactional
def set_email_kinds(user: User, kinds: Iterable[str]) -> None:
    """The user receives by email exactly these kinds (the in-app list keeps every kind)."""
    wanted = {NotificationKind(kind).value for kind in kinds}
    existing = {row.kind: row for row in db.session.scalars(
        select(NotificationPreference).where(NotificationPreference.user_id == user.id))}
    for kind in NotificationKind:
        row = existing.get(kind.value)
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=kind.value)
            db.session.add(row)
        row.by_email = kind.value in wanted
    record_event("notification_preferences.changed", user,
                 f"{user.full_name} chose which notifications to receive by email: "
                 + (", ".join(kind.label.lower() for kind in NotificationKind
                              if kind.value in wanted) or "none"),
                 changes={"by_email": sorted(wanted)}, actor=user)


# --- the events: who is told what, in each event's own words -------------------------------


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


def review_issued(review) -> None:
    """At sign-off: the CSS's leaders see their results, and any conditions now theirs."""
    submission = review.submission
    leaders = provider_users([submission.organisation_id])
    link = link_to("checkpoints.submission", submission_id=submission.id)
    title = submission.checkpoint.title
    notify(leaders, NotificationKind.REVIEW_ISSUED,
           f"Your {title} review is issued: {review.outcome_label}", link)
    if review.conditions:
        notify(leaders, NotificationKind.CONDITION_SET,
               f"{title}: {_count(len(review.conditions), 'condition')} set for "
               f"{submission.organisation.name} to answer", link)


def condition_decided(condition) -> None:
    submission = condition.review.submission
    verdict = "accepted" if condition.status == "accepted" else "reopened"
    notify(provider_users([submission.organisation_id]), NotificationKind.CONDITION_DECIDED,
           f"A reviewer {verdict} your response to a {submission.checkpoint.title} condition",
           link_to("checkpoints.submission", submission_id=submission.id))


def agreement_to_countersign(agreement) -> None:
    notify(provider_users([agreement.provider_id]), NotificationKind.AGREEMENT_TO_COUNTERSIGN,
           f"{agreement.ccg.name} signed agreement {agreement.reference}: it waits for "
           f"{agreement.provider.name} to countersign",
           link_to("agreements.show", agreement_id=agreement.id))


def return_disputed(figure) -> None:
    """The CCG disputed a figure: the CSS's leaders must answer it with a resubmission."""
    performance_return = figure.performance_return
    agreement = performance_return.agreement
    notify(provider_users([agreement.provider_id]), NotificationKind.RETURN_DISPUTED,
           f"{agreement.ccg.name} disputed the figure for {figure.kpi.measure} in your "
           f"return for {performance_return.period_start:%B %Y} on agreement "
           f"{agreement.reference}: {figure.dispute_reason}",
           link_to("customers.provider_return", agreement_id=agreement.id,
                   return_id=performance_return.id))


def _eligible_provider_users(procurement) -> list[User]:
    from .procurement_access import eligible_provider_ids

    return provider_users(eligible_provider_ids(procurement))


def opportunity_published(procurement) -> None:
    notify(_eligible_provider_users(procurement), NotificationKind.OPPORTUNITY_PUBLISHED,
           f"{procurement.lead_ccg.name} published opportunity {procurement.reference}, "
           f"“{procurement.title}”, closing {clock.in_words(procurement.closes_at)}",
           link_to("opportunities.show", procurement_id=procurement.id))


def clarification_answered(clarification) -> None:
    procurement = clarification.procurement
    notify(_eligible_provider_users(procurement), NotificationKind.CLARIFICATION_ANSWERED,
           f"{procurement.lead_ccg.name} answered a question about opportunity "
           f"{procurement.reference}; the answer is published to every provider",
           link_to("opportunities.show", procurement_id=procurement.id))


def _submitted_bids(procurement) -> list:
    return [bid for bid in procurement.bids if bid.status == "submitted"]


def bids_closed(procurement) -> None:
    bids = _submitted_bids(procurement)
    notify(ccg_users([procurement.lead_ccg_id]), NotificationKind.BIDS_CLOSED,
           f"Opportunity {procurement.reference} closed for responses with "
           f"{_count(len(bids), 'response')}: evaluation can begin",
           link_to("procurements.show", procurement_id=procurement.id))
    notify(provider_users({bid.provider_id for bid in bids}), NotificationKind.BIDS_CLOSED,
           f"Opportunity {procurement.reference} closed for responses: yours is being "
           "evaluated", link_to("opportunities.show", procurement_id=procurement.id))


def decided(procurement) -> None:
    """The award (or none suitable): every provider that responded has its letter."""
    decision = procurement.decision
    if decision.winning_bid is not None:
        outcome = f"awarded to {decision.winning_bid.provider.name}"
        if decision.standstill_ends_on:
            outcome += f"; standstill until the end of {decision.standstill_ends_on:%-d %B %Y}"
    else:
        outcome = "none of the responses was suitable"
    notify(provider_users({bid.provider_id for bid in _submitted_bids(procurement)}),
           NotificationKind.AWARD,
           f"{procurement.lead_ccg.name} decided opportunity {procurement.reference}: "
           f"{outcome}. Your decision letter is ready",
           link_to("opportunities.show", procurement_id=procurement.id))


def standstill_ended(procurement) -> None:
    decision = procurement.decision
    winner = decision.winning_bid.provider
    sentence = (f"The standstill period of {procurement.reference} has ended: the award to "
                f"{winner.name} stands and its agreements are drafted to sign")
    notify(ccg_users([procurement.lead_ccg_id]), NotificationKind.STANDSTILL_ENDED, sentence,
           link_to("procurements.show", procurement_id=procurement.id))
    notify(provider_users([winner.id]), NotificationKind.STANDSTILL_ENDED, sentence,
           link_to("opportunities.show", procurement_id=procurement.id))


def survey_open(window, ccg_ids) -> None:
    """Tell the users of every CCG with a signed agreement that a customer survey opens."""
    when = ("is open now" if window.opens_on <= clock.today_in_uk()
            else f"opens on {window.opens_on.day} {window.opens_on:%B %Y}")
    notify(ccg_users(ccg_ids), NotificationKind.SURVEY_OPEN,
           f"The {window.title} {when}: tell the BDU how the CSSs you buy from serve you, by "
           f"{window.closes_on.day} {window.closes_on:%B %Y}",
           link_to("survey_answers.index"))
