"""The fonts review PDFs embed, all from npm packages the set-up installs, never the machine's.

DejaVu Sans (regular and bold, PDF_FONT_DIR) sets the text; Noto Emoji (PDF_EMOJI_FONT, the
monochrome outline font, which prints like text) follows it in the font stack, for emoji
that DejaVu lacks. Which characters the stack can print is read from the fonts' own character
maps, so text can be checked before it is rendered (reports/printable.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from flask import current_app
from fontTools.ttLib import TTFont, TTLibError

from .pdf import MissingResource

DEJAVU_FILES = {"regular": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf"}


def document_fonts(app=None) -> dict[str, Path]:
    """regular, bold and emoji: the font files a review document names in its @font-face."""
    config = (app or current_app).config
    folder = Path(config["PDF_FONT_DIR"]).resolve()
    fonts = {weight: folder / name for weight, name in DEJAVU_FILES.items()}
    fonts["emoji"] = Path(config["PDF_EMOJI_FONT"]).resolve()
    return fonts


def font_urls(app=None) -> dict[str, str]:
    return {name: path.as_uri() for name, path in document_fonts(app).items()}


def font_folders(app=None) -> tuple[Path, ...]:
    """The folders the PDF fetcher must be allowed to read the fonts from."""
    return tuple(dict.fromkeys(path.parent for path in document_fonts(app).values()))


def missing_fonts(app=None) -> list[Path]:
    return [path for path in document_fonts(app).values() if not path.is_file()]


@lru_cache(maxsize=16)
def _character_map(path: str, modified_ns: int) -> frozenset[int]:
    # Keyed by modification time too, so a font package upgraded under a running worker is
    # read again rather than trusted from memory.
    try:
        with TTFont(path, lazy=True) as font:
            return frozenset(font.getBestCmap() or ())
    except (TTLibError, OSError) as error:
        raise MissingResource(f"{path} is not a font that can be read: {error}") from error


def coverage(app=None) -> frozenset[int]:
    """Every code point some font of the document's stack has a glyph for."""
    fonts = []
    for path in document_fonts(app).values():
        if not path.is_file():
            raise MissingResource(f"{path} does not exist: run npm ci")
        fonts.append((str(path), path.stat().st_mtime_ns))
    return _coverage(tuple(fonts))


@lru_cache(maxsize=16)
def _coverage(fonts: tuple[tuple[str, int], ...]) -> frozenset[int]:
    # The union of the stack's maps, kept like the maps themselves (by file and modification
    # time): every review page's print notes ask, and the union is thousands of code points.
    covered: set[int] = set()
    for path, modified_ns in fonts:
        covered |= _character_map(path, modified_ns)
    return frozenset(covered)
