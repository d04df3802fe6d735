"""Pages of lists that grow: a shareable ?page=N, read so that no value can fail a request.

A value that is not a plain whole number in range ('abc', '²', '0', '-1', a thousand
digits) shows the first page, as a missing one does; a number past the last page is a page
that does not exist (404). The links are the NHS.UK pagination component
(templates/macros/pager.html).
"""

from flask import abort, request
from sqlalchemy import func

from marketplace.domain.whole_numbers import whole_number
from marketplace.extensions import db

MAX_PAGE = 100_000


def page_number(args) -> int:
    return whole_number(args.get("page", ""), minimum=1, maximum=MAX_PAGE) or 1


def paginate(statement, *, per_page: int):
    """The requested page of ``statement``'s rows (a Flask-SQLAlchemy Pagination)."""
    page = db.paginate(statement, page=page_number(request.args), per_page=per_page,
                       max_per_page=per_page, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return page


class ItemsPage:
    """A page of a list already in memory, with the attributes templates/macros/pager.html
    reads from a Flask-SQLAlchemy page (for lists worked out in Python, not by a query)."""

    def __init__(self, items, page: int, per_page: int, total: int | None = None):
        # ``total``: the items are the page already, out of that many.
        self.total = len(items) if total is None else total
        self.per_page = per_page
        self.page = page
        self.pages = max(1, -(-self.total // per_page))
        self.items = list(items[(page - 1) * per_page : page * per_page]
                          if total is None else items)
        self.has_prev = page > 1
        self.has_next = page < self.pages
        self.prev_num = page - 1 if self.has_prev else None
        self.next_num = page + 1 if self.has_next else None


def paginate_items(items, *, per_page: int) -> ItemsPage:
    """The requested page of ``items`` (a sequence); past the last page is a 404."""
    page = ItemsPage(items, page_number(request.args), per_page)
    if page.page > 1 and not page.items:
        abort(404)
    return page


def paginate_counted(statement, *, per_page: int) -> ItemsPage:
    """As paginate, the total counted by the page's own query (count(*) OVER ()) rather than
    by a second one. For a statement of one entity or column, without DISTINCT or GROUP BY
    (the window counts the rows before either)."""
    number = page_number(request.args)
    rows = db.session.execute(
        statement.add_columns(func.count().over()).limit(per_page)
        .offset((number - 1) * per_page)).all()
    if number > 1 and not rows:
        abort(404)
    return ItemsPage([row[0] for row in rows], number, per_page,
                     total=rows[0][-1] if rows else 0)
