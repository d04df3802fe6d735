"""Pages of lists that grow: a shareable ?page=N, read so that no value can fail a request.

A value that is not a plain whole number in range ('abc', '²', '0', '-1', a thousand
digits) shows the first page, as a missing one does; a number past the last page is a page
that does not exist (404). The links are the NHS.UK pagination component
(templates/macros/pager.html).
"""

from flask import abort, request

from marketplace.extensions import db

MAX_PAGE = 100_000


def page_number(args) -> int:
    raw = args.get("page", "")
    # isdecimal, not isdigit: '²' is a digit to Python; isascii: so is '٣'.
    if raw.isascii() and raw.isdecimal() and len(raw) <= len(str(MAX_PAGE)):
        number = int(raw)
        if 1 <= number <= MAX_PAGE:
            return number
    return 1


def paginate(statement, *, per_page: int):
    """The requested page of ``statement``'s rows (a Flask-SQLAlchemy Pagination)."""
    page = db.paginate(statement, page=page_number(request.args), per_page=per_page,
                       max_per_page=per_page, error_out=False)
    if page.page > 1 and not page.items:
        abort(404)
    return page
