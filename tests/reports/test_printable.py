"""What the review PDF's fonts cannot print is replaced visibly, and listed for the reviewer."""

import pytest

from marketplace.reports.fonts import coverage
from marketplace.reports.printable import REPLACEMENT_CHARACTER, printable


@pytest.fixture
def covered(app, app_context):
    return coverage()


def test_text_the_fonts_print_is_left_alone(covered):
    text = "Zoë’s CSS — £1,200 “assured” ≥ 95% 😀 👍🏽 👨‍👩‍👧 ❤️ 🇬🇧 soft\u00adhyphen"
    result = printable(text, covered)
    assert result.text == text and result.replacements == ()


def test_word_line_breaks_become_line_breaks(covered):
    result = printable("First line\x0bsecond line\u2028third\x0bfourth", covered)
    assert result.text == "First line\nsecond line\nthird\nfourth"
    vertical_tab, separator = result.replacements
    assert (vertical_tab.code, vertical_tab.count) == ("U+000B", 2)
    assert vertical_tab.describe() == ("a vertical tab (Word's line break) (U+000B, 2 times), "
                                       "printed as a new line")
    assert separator.code == "U+2028"


def test_control_characters_and_characters_no_font_has_show_as_the_replacement_character(
        covered):
    result = printable("NUL[\x00] bell[\x07] C1[\x9b] private[\ue000] hieroglyph[\U00013000]",
                       covered)
    assert result.text == "NUL[�] bell[�] C1[�] private[�] hieroglyph[�]"
    assert [r.code for r in result.replacements] == [
        "U+0000", "U+0007", "U+009B", "U+E000", "U+13000"]
    described = [r.describe() for r in result.replacements]
    assert described[0] == ("an invisible control character (U+0000), printed as "
                            f"{REPLACEMENT_CHARACTER} because the document's fonts lack it")
    assert "“\U00013000” (U+13000, egyptian hieroglyph a001)" in described[4]


def test_markup_is_untouched(covered):
    html = '<p class="review-text">Fine 😀 \ue000</p>'
    assert printable(html, covered).text == '<p class="review-text">Fine 😀 �</p>'
