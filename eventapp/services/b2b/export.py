"""The meeting schedule as CSV or XLSX, streamed: one row per meeting, in time and table
order, read from the database in chunks (yield_per), never the whole list in memory."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from eventapp.extensions import db
from eventapp.services.b2b import listing
from eventapp.services.exports import neutralise

CHUNK = 64 * 1024


def headers() -> list[str]:
    return [
        _("Start"),
        _("End"),
        _("Table"),
        _("Location"),
        _("Participant A"),
        _("Organisation A"),
        _("Participant B"),
        _("Organisation B"),
        _("Locked"),
    ]


def _rows(event_id: int) -> Iterator[tuple]:
    query = listing.with_people(event_id).execution_options(yield_per=500)
    yes, no = _("yes"), _("no")
    for row in listing.rows(db.session.execute(query)):
        yield (
            row.slot.starts_at, row.slot.ends_at, row.table.number, row.table.location,
            row.a, row.a_org, row.b, row.b_org, yes if row.meeting.locked else no,
        )  # fmt: skip


def csv_stream(event_id: int, zone: ZoneInfo) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers())
    for row in _rows(event_id):
        writer.writerow(
            [
                v.astimezone(zone).isoformat(" ", "minutes")[:16]
                if isinstance(v, datetime)
                else neutralise(v)
                for v in row
            ]
        )
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_stream(event_id: int, zone: ZoneInfo, title: str = "") -> Iterator[bytes]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    name = "".join(" " if c in "[]:*?/\\" else c for c in (title or "B2B")).strip()[:31]
    sheet = workbook.create_sheet(name or "B2B")
    sheet.append(headers())
    for row in _rows(event_id):
        out = []
        for value in row:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value.astimezone(zone).replace(tzinfo=None))
                cell.number_format = "yyyy-mm-dd hh:mm"
                out.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
                cell.data_type = "s"  # text, never a formula
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk
