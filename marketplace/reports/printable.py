"""Text as the review PDF can print it, and a list of what had to change.

Review text comes from browsers and from Word: emoji, a vertical tab where Word had a line
break, now and then a character that no font we ship has. WeasyPrint would draw a blank box
for such a character (and a document must not quietly lose text), so before rendering each
character is checked against the character maps of the document's fonts (reports/fonts.py):

- a line-breaking control (vertical tab, form feed, next line, line and paragraph separator)
  becomes a line break, which is what the writer meant;
- any other control character, and any character none of the fonts has, becomes U+FFFD, the
  replacement character "�", so the gap shows;

and the reviewer is told which characters these were before signing off.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

REPLACEMENT_CHARACTER = "\ufffd"
LINE_BREAKS = {
    "\x0b": "vertical tab (Word's line break)",
    "\x0c": "form feed (page break)",
    "\x85": "next line",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
}
# Everything outside printable ASCII and tab/newline/return: the only characters worth a look.
_UNUSUAL = re.compile(r"[^\t\n\r\x20-\x7e]")
# Unicode's default-ignorable code points (DerivedCoreProperties.txt): joiners, variation
# selectors, tag characters, bidi marks, the soft hyphen. Pango draws nothing for them, so
# they need no glyph; emoji sequences are made of them.
_DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _ignorable(code: int) -> bool:
    return any(low <= code <= high for low, high in _DEFAULT_IGNORABLE)


@dataclass(frozen=True)
class Replacement:
    character: str
    count: int

    @property
    def code(self) -> str:
        return f"U+{ord(self.character):04X}"

    @property
    def becomes_line_break(self) -> bool:
        return self.character in LINE_BREAKS

    @property
    def printed_as(self) -> str:
        return "\n" if self.becomes_line_break else REPLACEMENT_CHARACTER

    def describe(self) -> str:
        """Plain words for the reviewer: 'a vertical tab ... (U+000B), printed as a new line'."""
        times = "" if self.count == 1 else f", {self.count} times"
        if self.becomes_line_break:
            return (f"a {LINE_BREAKS[self.character]} ({self.code}{times}), "
                    "printed as a new line")
        if unicodedata.category(self.character) in ("Cc", "Cs", "Cn"):
            what = f"an invisible control character ({self.code}{times})"
        else:
            name = unicodedata.name(self.character, "").lower()
            what = f"“{self.character}” ({self.code}{', ' + name if name else ''}{times})"
        return f"{what}, printed as {REPLACEMENT_CHARACTER} because the document's fonts lack it"


@dataclass(frozen=True)
class PrintableText:
    text: str
    replacements: tuple[Replacement, ...]


def _replacement_for(character: str, covered: frozenset[int]) -> str | None:
    if character in LINE_BREAKS:
        return "\n"
    code = ord(character)
    if unicodedata.category(character) in ("Cc", "Cs"):
        return REPLACEMENT_CHARACTER
    if code in covered or _ignorable(code):
        return None
    return REPLACEMENT_CHARACTER


def printable(text: str, covered: frozenset[int]) -> PrintableText:
    """The text with every character the fonts cannot print replaced, and what was replaced.

    Safe on a whole HTML document: markup is ASCII, which the fonts have, so only text changes.
    """
    table = {}
    for character in set(_UNUSUAL.findall(text)):
        replacement = _replacement_for(character, covered)
        if replacement is not None:
            table[ord(character)] = replacement
    if not table:
        return PrintableText(text, ())
    replacements = tuple(sorted((Replacement(chr(code), text.count(chr(code)))
                                 for code in table), key=lambda r: ord(r.character)))
    return PrintableText(text.translate(table), replacements)


def summary(replacements: Iterable[Replacement]) -> str:
    """One sentence for a flash message after sign-off."""
    described = [replacement.describe() for replacement in replacements]
    return "; ".join(described)
