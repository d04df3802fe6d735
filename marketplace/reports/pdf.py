"""HTML → PDF with WeasyPrint, reading only the app's own files and failing loudly.

The fetcher serves file: URLs under a few folders (static/, the NHS.UK frontend assets and
the font packages) and raises for anything else, so rendering never reaches the network. A
resource that is missing or refused stops the render (WeasyPrint would otherwise leave a
gap and log a message).

WeasyPrint also logs what it could not do. Messages that mean the PDF would not show what the
HTML says (an image, stylesheet or font not loaded, a character drawn as a blank box, content
discarded) stop the render: an issued document must not quietly lose anything. Other
messages are notices, such as its fallback to fontTools when the Debian package
libharfbuzz-subset0 is missing, or a CSS property it does not support: they go to the log
for the operator and never refuse a reviewer's sign-off. (tests/reports renders the review
layout and asserts WeasyPrint says nothing at all, so a notice about our own stylesheet is
caught there rather than at sign-off.)
"""

from __future__ import annotations

import logging
import mimetypes
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from flask import current_app
from weasyprint import HTML
from weasyprint.logger import LOGGER as WEASYPRINT_LOGGER
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

log = logging.getLogger(__name__)

# WeasyPrint's warnings (the format string, before its arguments) that mean the document is
# wrong. Everything it logs at ERROR is wrong too: failed images, stylesheets, SVG, anchors.
FATAL_WARNINGS = re.compile(
    r"^(Font-face %r cannot be loaded"
    r"|\.notdef glyph rendered"
    r"|Too many glyphs missing"
    r"|Malformed (base )?URL"
    r"|Unable to compute content)"
)


class RenderError(RuntimeError):
    """The PDF could not be rendered exactly as written."""


class ResourceRefused(RenderError):
    """A URL outside the app's own files: the network, or a file elsewhere on the disk."""


class MissingResource(RenderError):
    """An image, font or stylesheet the document names does not exist."""


def is_fatal(record: logging.LogRecord) -> bool:
    return record.levelno >= logging.ERROR or bool(FATAL_WARNINGS.match(str(record.msg)))


def asset_roots(app=None) -> tuple[Path, ...]:
    """The folders a document may read from: our static files, NHS.UK assets, the fonts."""
    app = app or current_app
    return tuple(Path(folder).resolve() for folder in (
        app.static_folder, app.config["NHSUK_FRONTEND_DIR"], app.config["PDF_FONT_DIR"],
        Path(app.config["PDF_EMOJI_FONT"]).parent))


def base_url(app=None) -> str:
    """Relative URLs in a document (href="css/review-print.css") resolve inside static/."""
    return Path((app or current_app).static_folder).resolve().as_uri() + "/"


class LocalFileFetcher(URLFetcher):
    def __init__(self, roots: Iterable[Path]):
        super().__init__(allowed_protocols=("file",), fail_on_errors=True)
        self.roots = tuple(Path(root).resolve() for root in roots)
        self.fetched: list[Path] = []

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise ResourceRefused(f"{url} is not one of the app's own files: review documents "
                                  "never fetch from the network")
        path = Path(url2pathname(unquote(parts.path))).resolve()
        if not any(path.is_relative_to(root) for root in self.roots):
            raise ResourceRefused(f"{path} is outside the folders a document may read")
        if not path.is_file():
            raise MissingResource(f"{path} does not exist")
        self.fetched.append(path)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  {"Content-Type": content_type})


class _MessagesOfThisThread(logging.Handler):
    """WeasyPrint's messages about this render (a gthread worker renders on several threads)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.fatal: list[str] = []
        self.notices: list[str] = []

    def emit(self, record):
        if record.thread != self.thread:
            return
        (self.fatal if is_fatal(record) else self.notices).append(record.getMessage())


_noticed: set[str] = set()


def _log_notices(notices: list[str]) -> None:
    # Once per process each: a machine without libharfbuzz-subset0 says so on every render.
    for message in dict.fromkeys(notices):
        if message not in _noticed:
            _noticed.add(message)
            log.warning("WeasyPrint notice (the PDF was still rendered): %s", message)


def html_to_pdf(html: str, *, roots: Iterable[Path] | None = None,
                base: str | None = None) -> bytes:
    """The PDF of an HTML string; raises RenderError rather than leave anything out."""
    fetcher = LocalFileFetcher(asset_roots() if roots is None else roots)
    messages = _MessagesOfThisThread()
    # A quieter LOG_LEVEL must not stop WeasyPrint from telling us what went wrong.
    if WEASYPRINT_LOGGER.getEffectiveLevel() > logging.WARNING:
        WEASYPRINT_LOGGER.setLevel(logging.WARNING)
    WEASYPRINT_LOGGER.addHandler(messages)
    try:
        document = HTML(string=html, base_url=base or base_url(), url_fetcher=fetcher)
        content = document.write_pdf()
    except FatalURLFetchingError as error:
        cause = error.__cause__
        failure = (type(cause)(str(cause)) if isinstance(cause, RenderError)
                   else RenderError(f"{error}: {cause}"))
        log.error("PDF not rendered: %s", failure)
        raise failure from error
    finally:
        WEASYPRINT_LOGGER.removeHandler(messages)
    _log_notices(messages.notices)
    if messages.fatal:
        failure = RenderError("WeasyPrint reported: " + "; ".join(messages.fatal))
        log.error("PDF not rendered: %s", failure)
        raise failure
    return content
