"""The date inputs (templates/macros/date-time.html) write the NHS.UK dateInput macro's
markup by hand, as that macro cost more than the rest of a form page; this holds the two to
the same markup, whitespace aside."""

import re
from types import SimpleNamespace

import pytest

NHS_DATE_INPUT = """{% from "nhsuk/components/date-input/macro.jinja" import dateInput %}
{{ dateInput({
  "id": f.id,
  "fieldset": {"legend": {"text": f.label.text, "classes": "nhsuk-fieldset__legend--s"}},
  "hint": {"text": (f.description ~ " " if f.description else "") ~ hint},
  "errorMessage": {"text": f.errors | select("string") | join(". ")} if f.errors else none,
  "items": items,
}) }}"""
HINTS = {
    "date_field": "For example, 1 1 2012.",
    "date_time_field": "For example, 21 1 2013 and 17:00 (UK time, 24-hour clock).",
}
PARTS = {
    "date_field": ("day", "month", "year"),
    "date_time_field": ("day", "month", "year", "time"),
}
LABELS = {"day": ("Day", 2), "month": ("Month", 2), "year": ("Year", 4), "time": ("Time", 4)}


def _markup(text: str) -> str:
    return re.sub(r"\s*<", "<", re.sub(r">\s*", ">", re.sub(r"\s+", " ", text))).strip()


def _field(errors, description, value):
    parts = SimpleNamespace(**dict.fromkeys(LABELS, value))
    return SimpleNamespace(
        id="due_on",
        name="due_on",
        label=SimpleNamespace(text="Due <on>"),
        errors=errors,
        description=description,
        parts=parts,
    )


@pytest.mark.parametrize("macro", ["date_field", "date_time_field"])
@pytest.mark.parametrize("errors", [[], ["Enter a real date"]])
@pytest.mark.parametrize("description", ["", "The first day."])
@pytest.mark.parametrize("value", [None, "", "1", "<b>"])
def test_the_date_inputs_write_the_nhs_markup(app, macro, errors, description, value):
    field = _field(errors, description, value)
    items = [
        {
            "id": f"due_on-{key}",
            "name": f"due_on-{key}",
            "label": LABELS[key][0],
            "width": LABELS[key][1],
            "value": getattr(field.parts, key),
            **({"inputmode": "text"} if key == "time" else {}),
        }
        for key in PARTS[macro]
    ]
    with app.test_request_context():
        ours = app.jinja_env.from_string(
            '{% from "macros/date-time.html" import date_field, date_time_field %}'
            f"{{{{ {macro}(f) }}}}"
        ).render(f=field)
        theirs = app.jinja_env.from_string(NHS_DATE_INPUT).render(
            f=field, hint=HINTS[macro], items=items
        )
    assert _markup(ours) == _markup(theirs)
