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
from sqlalchemy import select
from sqlalchemy.orm import aliased

from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BSlot,
    B2BTable,
    Meeting,
    MeetingRequest,
    NetworkProfile,
    Registration,
)
from eventapp.services.exports import neutralise
from eventapp.text import person_name

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
    a, b = aliased(B2BParticipant), aliased(B2BParticipant)
    ra, rb = aliased(Registration), aliased(Registration)
    pa, pb = aliased(NetworkProfile), aliased(NetworkProfile)
    query = (
        select(
            B2BSlot.starts_at,
            B2BSlot.ends_at,
            B2BTable.number,
            B2BTable.location,
            ra.first_name,
            ra.last_name,
            pa.organisation_name,
            rb.first_name,
            rb.last_name,
            pb.organisation_name,
            Meeting.locked,
        )
        .join(B2BSlot, B2BSlot.id == Meeting.slot_id)
        .join(B2BTable, B2BTable.id == Meeting.table_id)
        .join(MeetingRequest, MeetingRequest.id == Meeting.request_id)
        .join(a, a.id == MeetingRequest.sender_id)
        .join(b, b.id == MeetingRequest.recipient_id)
        .join(ra, ra.id == a.registration_id)
        .join(rb, rb.id == b.registration_id)
        .join(pa, pa.id == a.profile_id)
        .join(pb, pb.id == b.profile_id)
        .where(Meeting.event_id == event_id)
        .order_by(B2BSlot.starts_at, B2BTable.number)
        .execution_options(yield_per=500)
    )
    yes, no = _("yes"), _("no")
    for start, end, number, location, af, al, ao, bf, bl, bo, locked in db.session.execute(query):
        yield (
            start, end, number, location,
            person_name(af, al), ao, person_name(bf, bl), bo, yes if locked else no,
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
