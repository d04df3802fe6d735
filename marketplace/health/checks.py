"""What the service needs to work, checked one by one: for /readyz and `flask doctor`.

Each check answers with a status word and, when something is wrong, what to do about it,
in words an operator can act on without reading the code.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import text

from marketplace.extensions import db

OK, UNAVAILABLE, NOT_CONFIGURED, WARNING = "ok", "unavailable", "not configured", "warning"
# A test render costs a few hundred milliseconds; probes come every few seconds.
PDF_CHECK_SECONDS = 60
APT_INSTALL = ("apt-get install libglib2.0-0 libfontconfig1 libpango-1.0-0 libpangoft2-1.0-0 "
               "libharfbuzz0b libharfbuzz-subset0")


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str = ""
    fix: str = ""

    @property
    def passed(self) -> bool:
        return self.status in (OK, NOT_CONFIGURED, WARNING)


def database() -> Check:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; the reason goes to the log
        current_app.logger.warning("readiness: database unavailable: %s", error)
        db.session.rollback()
        return Check("database", UNAVAILABLE, str(error).splitlines()[0],
                     "Check DATABASE_URL and that PostgreSQL is running and accepts this user.")
    return Check("database", OK, db.engine.url.render_as_string(hide_password=True))


def migrations() -> Check:
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    try:
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except Exception as error:
        return Check("migrations", UNAVAILABLE, str(error).splitlines()[0],
                     "Fix the database check first.")
    heads = set(script.get_heads())
    if current != heads:
        return Check("migrations", UNAVAILABLE,
                     f"the database is at {', '.join(sorted(current)) or 'no revision'}, "
                     f"the code at {', '.join(sorted(heads))}",
                     "Run `flask --app wsgi db upgrade` with the same environment.")
    return Check("migrations", OK, f"at {', '.join(sorted(heads))}")


def redis() -> Check:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return Check("redis", NOT_CONFIGURED,
                     "sign-in limits are counted per worker; PDF batches render inline",
                     "Set REDIS_URL in production (make serve requires it).")
    import redis as redis_client

    try:
        redis_client.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis_client.RedisError as error:
        current_app.logger.warning("readiness: redis unavailable: %s", error)
        return Check("redis", UNAVAILABLE, str(error),
                     "Check REDIS_URL and that Redis is running.")
    return Check("redis", OK)


def fonts() -> Check:
    from marketplace.reports.fonts import coverage, document_fonts, missing_fonts
    from marketplace.reports.pdf import RenderError

    missing = missing_fonts()
    if missing:
        return Check("fonts", UNAVAILABLE, "missing: " + ", ".join(map(str, missing)),
                     "Run `npm ci` in the repository folder (or fix PDF_FONT_DIR and "
                     "PDF_EMOJI_FONT).")
    try:
        covered = coverage()
    except RenderError as error:
        return Check("fonts", UNAVAILABLE, str(error), "Run `npm ci` again to restore the fonts.")
    names = ", ".join(path.name for path in document_fonts().values())
    return Check("fonts", OK, f"{names}: {len(covered)} characters")


def weasyprint_libraries() -> Check:
    """WeasyPrint loads Pango and HarfBuzz itself; without HarfBuzz-Subset it still works,
    more slowly, through fontTools (and future versions will refuse)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset, pango
    except OSError as error:  # a library it cannot do without
        return Check("system libraries", UNAVAILABLE, str(error).splitlines()[0],
                     f"Run `make system-deps`, or as root: {APT_INSTALL}")
    major, rest = divmod(pango.pango_version(), 10000)
    version = f"Pango {major}.{rest // 100}.{rest % 100}"
    if not harfbuzz.hb_version_atleast(4, 1, 0):
        return Check("system libraries", WARNING,
                     f"{version}; HarfBuzz is older than 4.1, so fonts are subset by fontTools",
                     "Upgrade libharfbuzz0b and libharfbuzz-subset0.")
    if harfbuzz_subset is None:
        return Check("system libraries", WARNING,
                     f"{version}; libharfbuzz-subset is missing, so fonts are subset by "
                     "fontTools (slower)",
                     "Run `make system-deps`, or as root: apt-get install libharfbuzz-subset0")
    return Check("system libraries", OK, version + ", HarfBuzz 4.1 or later with Subset")


_pdf_results: dict[tuple, tuple[float, Check]] = {}
_pdf_lock = threading.Lock()


def _render_test_page() -> Check:
    from marketplace.reports.fonts import coverage, font_urls
    from marketplace.reports.pdf import RenderError, html_to_pdf
    from marketplace.reports.printable import printable

    template = current_app.jinja_env.get_template("reports/pdf-check.html")
    html = template.render(fonts=font_urls())
    started = time.perf_counter()
    try:
        content = html_to_pdf(printable(html, coverage()).text)
    except (RenderError, OSError) as error:
        return Check("pdf", UNAVAILABLE, str(error),
                     "Run `flask --app wsgi doctor` to see which font or library is missing.")
    return Check("pdf", OK, f"a test page rendered in {time.perf_counter() - started:.2f} s "
                            f"({len(content)} bytes)")


def pdf(*, fresh: bool = False) -> Check:
    """A test page rendered with the configured fonts; remembered for PDF_CHECK_SECONDS per
    process, so that readiness probes stay cheap."""
    config = current_app.config
    key = (config["PDF_FONT_DIR"], config["PDF_EMOJI_FONT"], config["NHSUK_FRONTEND_DIR"])
    now = time.monotonic()
    with _pdf_lock:
        remembered = _pdf_results.get(key)
        if not fresh and remembered and remembered[0] > now:
            return remembered[1]
        result = _render_test_page()
        _pdf_results[key] = (now + PDF_CHECK_SECONDS, result)
    if not result.passed:
        current_app.logger.warning("readiness: PDF rendering unavailable: %s", result.detail)
    return result


def nhsuk_assets() -> Check:
    folder = Path(current_app.config["NHSUK_FRONTEND_DIR"])
    needed = [folder / "nhsuk-frontend.min.css", folder / "nhsuk-frontend.min.js"]
    missing = [path for path in needed if not path.is_file()]
    if missing:
        return Check("nhs.uk assets", UNAVAILABLE, "missing: " + ", ".join(map(str, missing)),
                     "Run `npm ci` in the repository folder (or fix NHSUK_FRONTEND_DIR).")
    return Check("nhs.uk assets", OK, str(folder))


def evidence_folder() -> Check:
    from marketplace.services.evidence import evidence_dir

    folder = evidence_dir()
    probe = folder if folder.exists() else folder.parent
    if not os.access(probe, os.W_OK):
        return Check("evidence folder", UNAVAILABLE, f"{folder} cannot be written",
                     "Make EVIDENCE_DIR writable by the user the app runs as.")
    return Check("evidence folder", OK, str(folder))


def readiness() -> list[Check]:
    return [database(), redis(), pdf()]


def everything() -> list[Check]:
    found = [database()]
    found.append(migrations() if found[0].status == OK else
                 Check("migrations", UNAVAILABLE, "not checked", "Fix the database first."))
    return found + [redis(), weasyprint_libraries(), fonts(), pdf(fresh=True),
                    nhsuk_assets(), evidence_folder()]
