"""What no view can take, refused for every request before any view reads it.

- JSON bodies are read by a provider that turns nesting too deep for Python (a RecursionError
  in the parser), NaN, Infinity and numbers too large for a float (1e400 reads as inf) into
  "not valid JSON", which the API answers with a 400 naming the request.
- A NUL character cannot be stored in PostgreSQL text, and no search, id or code holds one:
  in the path it names nothing (404); in a query parameter or a JSON string it is a 400 that
  names the parameter or the JSON field. Form fields refuse it themselves, next to the field
  (forms.BaseForm), so the person sees which box to correct.
"""

import json
import math
import re

from flask import abort, request
from flask.json.provider import DefaultJSONProvider

from .services.errors import ServiceError
from .validators import NUL, NUL_MESSAGE

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text[:20]} is too large a number")
    return number


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class InputJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading only what standard JSON means and Python can hold."""

    def loads(self, s, **kwargs):
        kwargs.setdefault("parse_float", _finite_float)
        kwargs.setdefault("parse_constant", _no_constant)
        try:
            return json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def nul_path(value, path: str = "") -> str | None:
    """Where in a parsed JSON value a NUL character first appears (e.g. "lines[2].service"),
    or None. Walks iteratively: the value may be nested as deep as the parser allowed."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return where or "request"
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                # As the APIs name fields: fixed_costs[0].name, income_by_customer[2013/14].
                if not where:
                    name = str(key)
                elif IDENTIFIER.fullmatch(str(key)):
                    name = f"{where}.{key}"
                else:
                    name = f"{where}[{key}]"
                if NUL in str(key):
                    return where or "request"
                stack.append((child, name))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{index}]")
                         for index, child in reversed(list(enumerate(item))))
    return None


def refuse_nul() -> None:
    if NUL in request.path:
        abort(404)
    for name, values in request.args.lists():
        if NUL in name or any(NUL in value for value in values):
            raise ServiceError(NUL_MESSAGE, field=name.replace(NUL, "")[:100])
    if request.is_json and request.content_length:
        where = nul_path(request.get_json(silent=True))
        if where is not None:
            raise ServiceError(NUL_MESSAGE, field=where[:100])


def register_input_checks(app) -> None:
    app.json = InputJSONProvider(app)
    app.before_request(refuse_nul)
