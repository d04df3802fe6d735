"""The base form: whitespace stripped and a NUL refused at every field, the same each time."""

import pytest
from wtforms import FieldList, FormField, StringField

from marketplace.forms import BaseForm, RowForm


class _Row(RowForm):
    text = StringField("Text")


class _Form(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    rows = FieldList(FormField(_Row), min_entries=1)


@pytest.mark.usefixtures("app_context")
def test_a_form_made_again_and_again_keeps_the_same_filters(app):
    with app.test_request_context():
        first = _Form(data={"name": "  Arden  ", "rows": [{"text": " a "}]})
        for _ in range(50):
            again = _Form(data={"name": "  Arden  ", "rows": [{"text": " a "}]})
        assert len(again.name.filters) == len(first.name.filters)
        assert len(again.rows[0].form.text.filters) == len(first.rows[0].form.text.filters)


@pytest.mark.usefixtures("app_context")
def test_whitespace_is_stripped_and_a_nul_refused_at_the_field(app):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context():
        form = _Form(formdata=MultiDict({"name": "  Arden  ", "rows-0-text": "a\x00b"}))
        assert form.name.data == "Arden"
        assert not form.validate()
        assert form.rows.errors
