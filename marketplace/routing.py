"""URL converters: ``<int:...>`` matches only numbers a database id column can hold.

Every ``<int:...>`` in our routes names a row (or a small number such as a version). A number
beyond a 32-bit INTEGER cannot name anything, and SQLite refuses to bind one at all (an
OverflowError, so a 500), so such URLs answer 404 like any other unknown object.
"""

from werkzeug.routing import IntegerConverter

MAX_DATABASE_INTEGER = 2**31 - 1


class DatabaseIntegerConverter(IntegerConverter):
    def __init__(self, url_map, fixed_digits=0, min=None, max=None, signed=False):
        super().__init__(url_map, fixed_digits=fixed_digits, min=min,
                         max=MAX_DATABASE_INTEGER if max is None else max, signed=signed)


def register_url_converters(app) -> None:
    # Before any blueprint adds its rules: a rule compiles with the converters of that moment.
    app.url_map.converters["int"] = DatabaseIntegerConverter
