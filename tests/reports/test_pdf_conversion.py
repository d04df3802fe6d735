"""HTML → PDF conversion: only the app's own files, and loud failure instead of gaps."""

import pytest

from marketplace.reports.pdf import (
    LocalFileFetcher,
    MissingResource,
    RenderError,
    ResourceRefused,
    html_to_pdf,
)
from marketplace.reports.review_document import FONT_FILES


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "ok.css").write_text("p { color: #212b32; }")
    return tmp_path


def _convert(html: str, folder):
    return html_to_pdf(html, roots=[folder], base=folder.as_uri() + "/")


def test_the_fetcher_refuses_the_network(folder):
    fetcher = LocalFileFetcher([folder])
    for url in ("http://example.com/style.css", "https://example.com/font.ttf",
                "ftp://example.com/x.png", "file://example.com/share/x.css"):
        with pytest.raises(ResourceRefused):
            fetcher.fetch(url)
    with pytest.raises(RenderError, match="never fetch from the network"):
        _convert('<link rel="stylesheet" href="http://example.com/style.css"><p>Hi</p>',
                 folder)


def test_the_fetcher_refuses_files_outside_its_folders(folder):
    with pytest.raises(ResourceRefused):
        LocalFileFetcher([folder]).fetch("file:///etc/passwd")
    with pytest.raises(ResourceRefused):
        LocalFileFetcher([folder]).fetch((folder / ".." / "elsewhere.css").as_uri())


def test_the_fetcher_serves_its_own_files(folder):
    response = LocalFileFetcher([folder]).fetch((folder / "ok.css").as_uri())
    assert response.read() == b"p { color: #212b32; }"
    assert _convert('<link rel="stylesheet" href="ok.css"><p>Hi</p>', folder).startswith(b"%PDF")


def test_a_missing_image_fails_loudly(folder):
    with pytest.raises(MissingResource, match="missing.png"):
        _convert('<p>Logo: <img src="missing.png" alt="logo"></p>', folder)


def test_a_missing_font_fails_loudly(folder):
    html = ('<style>@font-face { font-family: Body; src: url("nowhere.ttf"); }'
            "body { font-family: Body; }</style><p>Hi</p>")
    with pytest.raises(MissingResource, match="nowhere.ttf"):
        _convert(html, folder)


def test_a_warning_from_weasyprint_fails_the_render(folder):
    (folder / "broken.png").write_bytes(b"not an image")
    with pytest.raises(RenderError):
        _convert('<img src="broken.png" alt="broken">', folder)


def test_the_font_comes_from_the_installed_package(app):
    from pathlib import Path

    folder = Path(app.config["PDF_FONT_DIR"])
    assert "node_modules" in folder.parts
    for name in FONT_FILES.values():
        assert (folder / name).is_file(), f"{name}: run npm ci"
