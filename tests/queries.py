"""Counting the SQL statements a request runs, to catch a query per row."""

from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db


class StatementCount:
    def __init__(self):
        self.statements: list[str] = []

    def __len__(self):
        return len(self.statements)


@contextmanager
def counting_statements():
    count = StatementCount()

    def record(connection, cursor, statement, parameters, context, executemany):
        count.statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield count
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def statements_for(client, url: str) -> int:
    """The statements a GET of ``url`` runs, as in a new request (nothing loaded already)."""
    db.session.expire_all()
    with counting_statements() as count:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(count)
