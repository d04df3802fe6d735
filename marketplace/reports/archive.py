"""ZIP archives with the same bytes every time: entries in name order, each dated by its
document (not by when the archive was made), fixed permissions and host system."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from io import BytesIO
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

UNIX = 3
EARLIEST_ZIP_YEAR = 1980


def _zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    if moment.year < EARLIEST_ZIP_YEAR:
        return (EARLIEST_ZIP_YEAR, 1, 1, 0, 0, 0)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def deterministic_zip(entries: Iterable[tuple[str, datetime, bytes]]) -> bytes:
    """entries: (file name, its date, its bytes)."""
    buffer = BytesIO()
    with ZipFile(buffer, "w", ZIP_DEFLATED) as archive:
        for name, moment, content in sorted(entries, key=lambda entry: entry[0]):
            info = ZipInfo(name, date_time=_zip_time(moment))
            info.compress_type = ZIP_DEFLATED
            info.create_system = UNIX
            info.external_attr = 0o100644 << 16  # a regular file, rw-r--r--
            archive.writestr(info, content)
    return buffer.getvalue()
