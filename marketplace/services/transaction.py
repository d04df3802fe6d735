"""One transaction per service call, and the one optimistic lock.

Every service function that changes state is ``@transactional``: it commits when it returns
and rolls back and re-raises when anything goes wrong, so a refusal never leaves half a change
behind and no view or service calls ``commit()`` or ``rollback()`` itself. A transactional
function called from another joins the caller's transaction; only the outermost commits.

Two requests can read the same rows and both decide to write. The loser finds out when its
writes reach the database, at a flush: a row it updates has a newer ``lock_version``
(SQLAlchemy's StaleDataError) or a row it inserts clashes with a unique constraint
(IntegrityError). Both become ``Conflict``, with the message the service gave for that table
(``check_version`` and ``on_conflict``) or a general one, and answer 409.
"""

import re
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from marketplace.extensions import db

from .errors import Conflict

CHANGED_MEANWHILE = (
    "Somebody else changed this after you opened it, so your change was not saved. Check it "
    "as it is now and make your change again."
)
DONE_MEANWHILE = (
    "Somebody else made the same change at the same moment, so yours was not saved. Check "
    "the page as it is now."
)

_DEPTH = "transaction_depth"
_MESSAGES = "conflict_messages"
_FAILED_INSIDE = "nested_transaction_failed"
_UNDO = "undo_on_rollback"

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def transaction():
    """The current transaction, begun here if none is: committed at the end of the outermost
    block, rolled back on any exception (which goes on up)."""
    session = db.session()
    info = session.info
    outermost = not info.get(_DEPTH)
    if outermost:
        info[_MESSAGES] = {}
        info[_FAILED_INSIDE] = False
        info[_UNDO] = []
    info[_DEPTH] = info.get(_DEPTH, 0) + 1
    try:
        try:
            yield session
            if not outermost:
                # Written now, as a commit would, so the caller reads the versions this
                # call made (a lock_version passed on to the next call is then current).
                session.flush()
            elif info[_FAILED_INSIDE]:
                # A nested call failed and its caller carried on: what the nested call
                # wrote before failing must not be committed as if it had succeeded.
                raise RuntimeError("a nested transactional call failed; nothing was saved")
            else:
                session.commit()
        except (StaleDataError, IntegrityError) as error:
            conflict = _as_conflict(error, info[_MESSAGES])
            if conflict is None:
                raise
            raise conflict from error
    except BaseException:
        if outermost:
            try:
                session.rollback()
            finally:
                for undo in reversed(info[_UNDO]):
                    undo()
        else:
            info[_FAILED_INSIDE] = True
        raise
    finally:
        info[_DEPTH] -= 1


def transactional(function: Callable[P, R]) -> Callable[P, R]:
    """Run the service function in ``transaction()``."""

    @wraps(function)
    def in_transaction(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction():
            return function(*args, **kwargs)

    return in_transaction


def on_conflict(model, message: str) -> None:
    """If this transaction loses a race on ``model``'s table (the row changed since it was
    read, or another request inserted the same unique row first), refuse with ``message``."""
    db.session().info.setdefault(_MESSAGES, {})[model.__table__.name] = message


def on_rollback(undo: Callable[[], object]) -> None:
    """Undo work done outside the database (a file written) if this transaction rolls back."""
    db.session().info.setdefault(_UNDO, []).append(undo)


def check_version(obj, expected: int | None, message: str) -> None:
    """Refuse a change based on a page that showed an older version of ``obj``.

    ``expected`` is the ``lock_version`` the page was drawn from; 0 means the page showed no
    such record (``obj`` None: it does not exist now either). None means the caller read no
    version (a script or a test builder): then only a change made by somebody else between
    this request's read and its write is refused, when the write reaches the database.
    """
    if obj is not None:
        on_conflict(type(obj), message)
    if expected is None:
        return
    current = obj.lock_version if obj is not None else 0
    if expected != current:
        raise Conflict(message)


_STALE_TABLE = re.compile(r"on table '([^']+)'")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: ([^.\s]+)\.")
_UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


def _as_conflict(error: Exception, messages: dict[str, str]) -> Conflict | None:
    if isinstance(error, StaleDataError):
        match = _STALE_TABLE.search(str(error))
        table = match.group(1) if match else None
        return Conflict(messages.get(table, CHANGED_MEANWHILE))
    table = _unique_violation_table(error)
    if table is None:
        return None  # not a race: a bug that should show as one
    return Conflict(messages.get(table, DONE_MEANWHILE))


def _unique_violation_table(error: IntegrityError) -> str | None:
    original = error.orig
    if getattr(original, "sqlstate", None) == _UNIQUE_VIOLATION:
        return original.diag.table_name
    match = _SQLITE_UNIQUE.match(str(original))
    return match.group(1) if match else None
