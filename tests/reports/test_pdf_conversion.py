"""HTML → PDF conversion: only the app's own files, and loud failure instead of gaps."""

import logging
from pathlib import Path

import pytest

from marketplace.config import PROJECT_ROOT
from marketplace.reports import pdf
from marketplace.reports.pdf import (
    LocalFileFetcher,
    MissingResource,
    RenderError,
    ResourceRefused,
    html_to_pdf,
)
from marketplace.services.review_document_render import FONT_FILES

from .documents import text


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


def test_an_image_weasyprint_cannot_read_fails_the_render(folder):
    (folder / "broken.png").write_bytes(b"not an image")
    with pytest.raises(RenderError, match="Failed to load image"):
        _convert('<img src="broken.png" alt="broken">', folder)


def _with_font(folder, body: str) -> str:
    font = PROJECT_ROOT / "node_modules" / "dejavu-fonts-ttf" / "ttf" / "DejaVuSans.ttf"
    (folder / font.name).write_bytes(font.read_bytes())
    return (f'<style>@font-face {{ font-family: Body; src: url("{font.name}"); }}'
            f"body {{ font-family: Body; }}</style>{body}")


@pytest.fixture
def notices(monkeypatch, caplog):
    monkeypatch.setattr(pdf, "_noticed", set())  # each notice is logged once per process
    caplog.set_level(logging.WARNING, logger=pdf.__name__)
    return caplog


def test_without_harfbuzz_subset_weasyprint_falls_back_and_the_pdf_is_still_made(
        folder, monkeypatch, notices):
    # As on a machine without Debian's libharfbuzz-subset0: WeasyPrint itself logs that it
    # uses fontTools instead, a notice about speed, not about what the document says.
    monkeypatch.setattr("weasyprint.pdf.fonts.harfbuzz_subset", None)
    content = _convert(_with_font(folder, "<p>Assured with conditions</p>"), folder)
    assert "Assured with conditions" in text(content)
    assert any("Using fontTools instead of HarfBuzz-Subset" in record.getMessage()
               for record in notices.records)


def test_css_weasyprint_ignores_is_a_notice_not_a_failure(folder, notices):
    content = _convert(_with_font(folder, "<p style='frobnicate: 1'>Hi</p>"), folder)
    assert "Hi" in text(content)
    assert any("Ignored" in record.getMessage() for record in notices.records)


def test_a_character_no_font_has_fails_rather_than_print_a_blank_box(folder):
    # Review text is made printable first (reports/printable.py); this is the safety net.
    with pytest.raises(RenderError, match=r"\.notdef glyph rendered.*U\+E000"):
        _convert(_with_font(folder, "<p>Private \ue000 use</p>"), folder)


def test_the_fonts_come_from_the_installed_packages(app):
    folder = Path(app.config["PDF_FONT_DIR"])
    assert "node_modules" in folder.parts
    for name in FONT_FILES.values():
        assert (folder / name).is_file(), f"{name}: run npm ci"
    emoji = Path(app.config["PDF_EMOJI_FONT"])
    assert "node_modules" in emoji.parts and emoji.is_file()
