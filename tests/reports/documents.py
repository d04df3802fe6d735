"""Readers for review-document tests: the text and metadata of a PDF."""

import io
import re

from pypdf import PdfReader


def pages_text(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def text(content: bytes) -> str:
    return " ".join(pages_text(content))


def metadata(content: bytes) -> dict:
    return dict(PdfReader(io.BytesIO(content)).metadata)
