"""plain_button writes what the NHS.UK button macro writes, for the parameters it takes."""

import pytest
from flask import render_template_string

MACRO = '{% from "nhsuk/components/button/macro.jinja" import button %}{{ button(params) }}'
PLAIN = "{{ plain_button(params) }}"


@pytest.mark.parametrize("params", [
    {"text": "Save review"},
    {"text": "Add condition", "classes": "nhsuk-button--secondary"},
    {"text": "Sign off this review", "classes": "nhsuk-button--secondary",
     "href": "/reviews/3/sign-off"},
    {"text": "  Tom & Jerry's <b>  ", "href": "/x?a=1&b=\"2\""},
    {"text": "Empty link", "href": ""},
])
def test_plain_button_is_the_macro_s_markup(app, params):
    with app.test_request_context("/"):
        assert render_template_string(PLAIN, params=params) == render_template_string(
            MACRO, params=params)


@pytest.mark.parametrize("params", [{"text": "Go", "variant": "warning"},
                                    {"text": "Two\nlines"}])
def test_plain_button_refuses_what_it_does_not_draw(app, params):
    with app.test_request_context("/"), pytest.raises(ValueError):
        render_template_string(PLAIN, params=params)
