"""JSON whose Decimal amounts are written as JSON numbers, digit for digit.

Flask's JSON provider writes Decimal as a string, and going through float would lose pence on
large sums; standards such as OCDS want amounts as numbers, so we write them ourselves.
"""

import json
from decimal import Decimal

from flask import Response


def dumps(value) -> str:
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value!r} cannot be written as a JSON number")
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k))}:{dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(dumps(item) for item in value) + "]"
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def exact_json_response(value, status: int = 200) -> Response:
    return Response(dumps(value), status=status, mimetype="application/json")
