"""Text holding a link, a script and an attribute break-out, and the check that a page shows
it as text: escaped once, never live, never escaped twice."""

from .conftest import text_of

HOSTILE = '"><b>bold</b> <a href=x>link</a> <script>alert(1)</script>'
LIVE = ("<b>bold", "<a href=x>", "<script>alert")
ESCAPED = ("&lt;b&gt;bold&lt;/b&gt;", "&lt;a href=x&gt;link&lt;/a&gt;",
           "&lt;script&gt;alert(1)&lt;/script&gt;")


def assert_inert(response, *, shown: bool = True) -> None:
    """The hostile text is nowhere live; if ``shown``, it is there as text."""
    body = response.get_data(as_text=True)
    for tag in LIVE:
        assert tag not in body, f"{tag!r} is live in {response.request.path}"
    # Escaped once, not twice: the reader sees the characters they typed.
    assert "&amp;lt;" not in body and "&amp;#34;" not in body
    if shown:
        for escaped in ESCAPED:
            assert escaped in body, f"{escaped!r} is not shown in {response.request.path}"
        assert "<b>bold</b> <a href=x>link</a>" in text_of(response)
