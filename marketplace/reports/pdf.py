"""HTML → PDF with WeasyPrint, reading only the app's own files and failing loudly.

The fetcher serves file: URLs under a few folders (static/, the NHS.UK frontend assets and
the font package) and raises for anything else, so rendering never reaches the network. A
resource that is missing or refused stops the render (WeasyPrint would otherwise leave a
gap and log a warning), and so does any warning WeasyPrint logs: an issued document must
not quietly lose an image, a font or a stylesheet rule.
"""

from __future__ import annotations

import logging
import mimetypes
import threading
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from flask import current_app
from weasyprint import HTML
from weasyprint.logger import LOGGER as WEASYPRINT_LOGGER
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse


class RenderError(RuntimeError):
    """The PDF could not be rendered exactly as written."""


class ResourceRefused(RenderError):
    """A URL outside the app's own files: the network, or a file elsewhere on the disk."""


class MissingResource(RenderError):
    """An image, font or stylesheet the document names does not exist."""


def asset_roots(app=None) -> tuple[Path, ...]:
    """The folders a document may read from: our static files, NHS.UK assets, the font."""
    app = app or current_app
    return tuple(Path(folder).resolve() for folder in (
        app.static_folder, app.config["NHSUK_FRONTEND_DIR"], app.config["PDF_FONT_DIR"]))


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


class _WarningsOfThisThread(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record):
        if record.thread == self.thread:
            self.messages.append(record.getMessage())


def html_to_pdf(html: str, *, roots: Iterable[Path] | None = None,
                base: str | None = None) -> bytes:
    """The PDF of an HTML string; raises RenderError rather than leave anything out."""
    fetcher = LocalFileFetcher(asset_roots() if roots is None else roots)
    warnings = _WarningsOfThisThread()
    WEASYPRINT_LOGGER.addHandler(warnings)
    try:
        document = HTML(string=html, base_url=base or base_url(), url_fetcher=fetcher)
        content = document.write_pdf()
    except FatalURLFetchingError as error:
        cause = error.__cause__
        if isinstance(cause, RenderError):
            raise type(cause)(str(cause)) from error
        raise RenderError(f"{error}: {cause}") from error
    finally:
        WEASYPRINT_LOGGER.removeHandler(warnings)
    if warnings.messages:
        raise RenderError("WeasyPrint reported: " + "; ".join(warnings.messages))
    return content
