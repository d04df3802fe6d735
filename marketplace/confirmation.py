"""The confirmation page shown before an action that cannot be undone (NHS.UK pattern).

A route that does something irreversible answers GET with this page, which changes nothing,
and does the thing only on the POST its button sends. The page says what will happen in
sentences, so the person can decide without knowing how the system works."""

from flask import render_template, request

from marketplace.forms import BaseForm


def confirmation_page(
    *,
    title: str,
    consequences: list[str],
    button_text: str,
    cancel_href: str,
    form: BaseForm | None = None,
    fields=(),
    hidden: dict | None = None,
    action: str | None = None,
    undo_note: str | None = None,
    reversible: bool = False,
    status: int = 200,
):
    return render_template(
        "confirm.html",
        title=title,
        consequences=consequences,
        button_text=button_text,
        cancel_href=cancel_href,
        form=form or BaseForm(),
        fields=list(fields),
        hidden=hidden or {},
        action=action or request.path,
        undo_note=undo_note,
        reversible=reversible,
    ), status
