"""Two requests at once, made repeatable: the second runs to the end inside the first.

``meanwhile(app, other)`` runs ``other`` (typically another client's request) in a session of
its own at the moment the request in the ``with`` block first writes: after it has read and
checked everything, before it has written anything. That is the interleaving a double click
or a second editor produces, and no request holds a lock then, so it works on SQLite (one
writer at a time) as on PostgreSQL.
"""

from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db


@contextmanager
def meanwhile(app, other):
    session = db.session()  # the session of the test's app context, which requests reuse
    ran = []

    def run_other_first(session, flush_context, instances):
        if ran:
            return
        ran.append(True)
        with app.app_context():  # a new app context: a session and connection of its own
            ran.append(other())

    event.listen(session, "before_flush", run_other_first)
    try:
        yield ran
    finally:
        event.remove(session, "before_flush", run_other_first)
    assert ran, "the request never wrote, so the other one never ran"
