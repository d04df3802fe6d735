"""Pages of lists that grow: a shareable ?page=N, read so that no value can fail a request.

A value that is not a plain whole number in range ('abc', '²', '0', '-1', a thousand
digits) shows the first page, as a missing one does; a number past the last page is a page
that does not exist (404). The links are the NHS.UK pagination component
(templates/macros/pager.html).
"""

from flask import abort, request

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
