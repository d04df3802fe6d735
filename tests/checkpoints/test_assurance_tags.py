"""One macro shows every assurance outcome: words and a colour, different for A, B and C."""

from bs4 import BeautifulSoup
from flask import render_template_string

from ..conftest import html

TEMPLATE = '{% from "macros/status.html" import assurance_tag %}{{ assurance_tag(words, code) }}'


def _tag(app, words, code=None):
    with app.test_request_context("/"):
        page = BeautifulSoup(
            render_template_string(TEMPLATE, words=words, code=code), "html.parser"
        )
    (tag,) = page.select(".nhsuk-tag")
    return tag.get_text(strip=True), [c for c in tag["class"] if c.startswith("nhsuk-tag--")]


def test_the_tag_says_the_scenario_in_words_and_colours_it(app):
    assert _tag(app, "Checkpoint 2: Scenario A: Proceed") == (
        "Checkpoint 2: Scenario A: Proceed",
        ["nhsuk-tag--green"],
    )
    assert _tag(
        app,
        "Checkpoint 2: Scenario B: Proceed with issues needing rapid management",
        "checkpoint-2-b",
    )[1] == ["nhsuk-tag--yellow"]
    assert _tag(app, "Checkpoint 2: Scenario C: Stop", "C") == (
        "Checkpoint 2: Scenario C: Stop",
        ["nhsuk-tag--red"],
    )
    assert _tag(app, None) == ("Not yet assessed", ["nhsuk-tag--grey"])


def test_search_cards_colour_each_providers_assurance(client, market):
    from marketplace.extensions import db

    from .. import factories as build

    build.signed_off_without_document(build.drafted_review(2, values=build.CP2_GOOD))
    failed = dict.fromkeys(build.CP2_GOOD, "failed")
    build.signed_off_without_document(build.drafted_review(2, values=failed, name=build.GEM))
    db.session.commit()
    page = html(client.get("/offers"))
    tags = {tag.get_text(strip=True): tag["class"] for tag in page.select(".nhsuk-tag")}
    assert "nhsuk-tag--green" in tags["Checkpoint 2: Scenario A: Proceed"]
    assert "nhsuk-tag--red" in tags["Checkpoint 2: Scenario C: Stop"]
