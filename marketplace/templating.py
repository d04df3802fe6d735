"""Filters and globals for templates. Templates display; they never compute money."""

import functools
import json
import secrets
from datetime import date, datetime
from decimal import Decimal

from flask import g
from flask_login import current_user
from markupsafe import Markup, escape

from marketplace import clock
from marketplace.domain.money import format_money

from .access import allowed
from .navigation import footer_links, navigation_for

# Shown in place of a stored figure no page can format (NaN, 1E+30 with its pence, a word):
# the page still opens, and says which figure is wrong.
UNREADABLE = "{value} (not a figure this service can show)"


def _unreadable(value) -> str:
    text = str(value)
    return UNREADABLE.format(value=text if len(text) <= 40 else text[:40] + "…")


def _money(value) -> str:
    if value is None:
        return "–"
    try:
        return format_money(Decimal(value))
    except (ArithmeticError, ValueError, TypeError):
        return _unreadable(value)


def _date(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        return value.strftime("%-d %B %Y at %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %B %Y")
    return str(value)


def _number(value) -> str:
    return "–" if value is None else f"{value:,}"


def _quantity(value) -> str:
    """Days or cases: 40.00 → 40, 12.50 → 12.5, with thousands separators."""
    if value is None:
        return "–"
    try:
        quantity = Decimal(value)
        if quantity.is_finite() and quantity.adjusted() < 28:
            return f"{quantity.normalize():,f}"
    except (ArithmeticError, ValueError, TypeError):
        pass
    return _unreadable(value)


def _offer_price(offer) -> str:
    """An offer's price in words, as its pricing model states it."""
    price = format_money(offer.price)
    if offer.pricing_model == "per_head":
        return f"{price} per head a year"
    if offer.pricing_model == "fixed_annual":
        return f"{price} a year"
    unit = "day" if offer.pricing_model == "day_rate" else "case"
    return f"{price} a {unit} × {_quantity(offer.estimated_quantity)} {unit}s a year"


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def _header_renderer(app):
    """The NHS.UK header macro, remembering what it rendered for each set of parameters.

    Every page renders a header, and for a signed-in user its navigation makes it one of
    the costliest parts of the page; yet it depends on nothing but its parameters (the
    person, their links, the current section). So each distinct set is rendered once per
    process, and the HTML reused; the macro escapes the text as on any page."""
    template = app.jinja_env.from_string(
        '{% from "nhsuk/components/header/macro.jinja" import header %}{{ header(params) }}')

    @functools.lru_cache(maxsize=1024)
    def render(key: str) -> Markup:
        return Markup(template.render(params=json.loads(key)))

    def nhsuk_header(params: dict) -> Markup:
        return render(json.dumps(params, sort_keys=True))

    return nhsuk_header


def _select_options(items, value=None) -> Markup:
    """The <option> elements of an NHS.UK select, as its macro writes them.

    A select of every organisation has thousands of options, and the macro renders each
    through two more macros; the same markup built here costs a small fraction of that."""
    parts = []
    for item in items:
        if not item:
            continue
        if item.get("divider"):
            parts.append("<hr>")
            continue
        text = item.get("text", "")
        attributes = ""
        if "value" in item:
            attributes = f' value="{escape(item["value"])}"'
        selected = item.get("selected")
        if selected is None and value:
            selected = item.get("value", text) == value
        if selected:
            attributes += " selected"
        if item.get("disabled"):
            attributes += " disabled"
        parts.append(f"<option{attributes}>{escape(text)}</option>")
    return Markup("\n".join(parts))


def _choice_items(kind: str, id_prefix: str, name: str, items) -> Markup:
    """The items of an NHS.UK checkboxes or radios component ("checkboxes", "radios"), as
    its macro writes them (ids id_prefix, id_prefix-2, ...): a CSS ticks the CCGs it serves
    from a list of hundreds, a review rates every criterion, and the macro renders each
    item through a label macro and a heading macro."""
    input_type = "checkbox" if kind == "checkboxes" else "radio"
    parts = []
    for index, item in enumerate(items, start=1):
        item_id = escape(id_prefix if index == 1 else f"{id_prefix}-{index}")
        checked = " checked" if item.get("checked") else ""
        parts.append(
            f'<div class="nhsuk-{kind}__item">'
            f'<input class="nhsuk-{kind}__input" id="{item_id}" name="{escape(name)}" '
            f'type="{input_type}" value="{escape(item["value"])}"{checked}>'
            f'<label class="nhsuk-label nhsuk-{kind}__label" for="{item_id}">'
            f'{escape(item["text"])}</label></div>')
    return Markup("\n".join(parts))


def _checkbox_items(id_prefix: str, name: str, items) -> Markup:
    return _choice_items("checkboxes", id_prefix, name, items)


def _radio_items(id_prefix: str, name: str, items) -> Markup:
    return _choice_items("radios", id_prefix, name, items)


def _field_checkbox_items(field) -> list[dict]:
    return [{"value": value, "text": text, "checked": checked}
            for value, text, checked, *_ in field.iter_choices()]


TAG_COLOURS = ("white", "grey", "green", "aqua-green", "blue", "purple", "pink", "red",
               "orange", "yellow")


def _tag(params: dict) -> Markup:
    """The NHS.UK tag (text, or html; colour; classes) as its macro writes it, for tables
    with a tag in every cell (the assurance tracker has one per CSS and checkpoint)."""
    extra = params.get("classes") or ""
    classes = "nhsuk-tag"
    colour = params.get("colour")
    if colour in TAG_COLOURS and not any(f"nhsuk-tag--{c}" in extra for c in TAG_COLOURS):
        classes += f" nhsuk-tag--{colour}"
    if colour is False and "nhsuk-tag--no-colour" not in extra:
        classes += " nhsuk-tag--no-colour"
    if params.get("border") is False and "nhsuk-tag--no-border" not in extra:
        classes += " nhsuk-tag--no-border"
    if extra:
        classes += f" {extra}"
    content = Markup(params["html"]) if params.get("html") else escape(
        str(params.get("text") or "").strip())
    return Markup(f'<strong class="{escape(classes)}">{content}</strong>')


BUTTON_PARAMS = frozenset({"text", "classes", "href"})


def _button(params: dict) -> Markup:
    """The NHS.UK button (text; classes; href makes it a link) as its macro writes it, for
    pages that draw one per item. Other parameters are the macro's to handle."""
    unknown = params.keys() - BUTTON_PARAMS
    if unknown:
        raise ValueError(f"plain_button does not draw {sorted(unknown)}: use button()")
    classes = "nhsuk-button" + (f" {params['classes']}" if params.get("classes") else "")
    text = str(params.get("text") or "").strip()
    if "\n" in text:
        raise ValueError("plain_button draws one line of text: use button()")
    text = escape(text)
    if params.get("href"):
        return Markup(f'<a class="{escape(classes)}" data-module="nhsuk-button" '
                      f'href="{escape(params["href"])}" role="button" draggable="false">\n'
                      f'  {text}\n</a>\n')
    return Markup(f'<button class="{escape(classes)}" data-module="nhsuk-button" '
                  f'type="submit">\n  {text}\n</button>\n')


def _field_options(field) -> list[dict]:
    """A WTForms select field's choices as the items of an NHS.UK select."""
    return [{"value": value, "text": text, "selected": selected}
            for value, text, selected, *_ in field.iter_choices()]


def _unread_notifications() -> int:
    """For the header: counted when the signed-in session was read (auth.loader)."""
    if not current_user.is_authenticated:
        return 0
    return g.get("unread_notifications", 0)


def register_template_helpers(app) -> None:
    app.jinja_env.filters["money"] = _money
    app.jinja_env.filters["govdate"] = _date
    app.jinja_env.filters["number"] = _number
    app.jinja_env.filters["quantity"] = _quantity
    app.jinja_env.filters["offer_price"] = _offer_price
    # Closing times and the like, in UK time (stored in UTC).
    app.jinja_env.filters["ukdatetime"] = clock.in_words
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["select_options"] = _select_options
    app.jinja_env.globals["field_options"] = _field_options
    app.jinja_env.globals["checkbox_items"] = _checkbox_items
    app.jinja_env.globals["radio_items"] = _radio_items
    app.jinja_env.globals["plain_tag"] = _tag
    app.jinja_env.globals["plain_button"] = _button
    app.jinja_env.globals["field_checkbox_items"] = _field_checkbox_items
    app.jinja_env.globals["nhsuk_header"] = _header_renderer(app)
    app.jinja_env.globals["allowed"] = allowed

    @app.context_processor
    def inject_navigation():
        return {"navigation_items": navigation_for(current_user), "footer_links": footer_links(),
                "unread_notifications": _unread_notifications}
