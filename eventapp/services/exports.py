"""Attendee exports as CSV (UTF-8 with BOM so Excel reads accents; comma or semicolon) and XLSX
(openpyxl write-only). Both stream: rows come from the database in batches (yield_per) and go
out in chunks, so 100,000 rows never sit in memory at once.

Cells starting with = + - @ (or a tab / carriage return) are prefixed with an apostrophe so a
spreadsheet never runs them as formulas (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import Select

from eventapp import events
from eventapp.extensions import db
from eventapp.models import ActorCategory, Event, Region, Registration, RegistrationSource, User
from eventapp.models import RegistrationStatus as Status
from eventapp.questions.fields import EXPORT_PERSON_FIELDS, person_label
from eventapp.services import audit

BATCH = 1000
CHUNK = 64 * 1024
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_COLUMNS = (
    Registration.id,
    Registration.event_id,
    Registration.last_name,
    Registration.first_name,
    Registration.email,
    Registration.organisation_name,
    Registration.job_title,
    Registration.category,
    Registration.region,
    Registration.status,
    Registration.source,
    Registration.language,
    Registration.created_at,
    Registration.consent_at,
    Registration.checked_in_at,
    Registration.booking_id,
)


def record_export(event: Event, *, user: User, format: str, filters: dict) -> None:
    """Log an export of the attendee list (who, which event, which filters), in the caller's
    transaction: the request commits it before the file streams."""
    audit.record("attendees.exported", user=user, event_id=event.id, format=format, filters=filters)
    db.session.flush()
    events.record("attendees.exported", event_id=event.id, format=format)


def neutralise(value):
    """A cell value that a spreadsheet will show as text, never evaluate."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


# Column widths of the XLSX sheet, in characters, in the order of headers(): the rows stream,
# so widths are set for what each column usually holds rather than measured.
_WIDTHS = (18, 16, 34, 28, 24, 24, 24, 14, 16, 12, 18, 18, 18, 12)
_EVENT_WIDTH = 44


def language_names() -> dict[str, str]:
    """Languages by name, in the reader's language (an export says « Français », not « fr »)."""
    return {"fr": _("French"), "en": _("English")}


def zone_label(zone: ZoneInfo) -> str:
    """« heure de Paris » / « Paris time » for Europe/Paris, the zone's name otherwise."""
    return _("Paris time") if zone.key == "Europe/Paris" else zone.key


def headers(with_event: bool, zone: ZoneInfo | None = None, questions=()) -> list[str]:
    # The person's columns are headed by the field model's labels (questions/fields.py).
    names = [
        *(person_label(name) for name in EXPORT_PERSON_FIELDS),
        _("Status"),
        _("Source"),
        _("Language"),
        _("Registered on"),
        _("Consent given on"),
        _("Checked in at"),
        _("Registration number"),
    ]
    if zone is not None:  # the times' zone, said in their headers
        for index in (10, 11, 12):
            names[index] = f"{names[index]} ({zone_label(zone)})"
    # The questions' columns are headed by their identifier: stable when a wording changes,
    # and what the import recognises.
    names += [spec.identifier for spec in questions]
    return [_("Event"), *names] if with_event else names


def _labels(enum_cls) -> dict[str, str]:
    """Translated labels, computed once per export (not once per cell)."""
    return {member.value: str(member.label) for member in enum_cls}


def _raw_rows(query: Select) -> Iterator[tuple]:
    """The export's columns as plain tuples, fetched in batches of BATCH rows (a server-side
    cursor on PostgreSQL), through the Core connection: no ORM objects for 100,000 rows."""
    statement = query.with_only_columns(*_COLUMNS)
    result = db.session.connection().execute(statement, execution_options={"yield_per": BATCH})
    yield from result.tuples()


def _same(value):
    return value


def _with_answers(raw: Iterator[tuple], questions) -> Iterator[tuple[tuple, list[str]]]:
    """Each row with its answers to `questions` (display text), read once per batch of rows:
    a fixed number of statements per BATCH rows, never one per row."""
    if not questions:
        for row in raw:
            yield row, []
        return
    from eventapp.questions.reading import answers_for_rows

    batch = []
    for row in raw:
        batch.append(row)
        if len(batch) >= BATCH:
            yield from answers_for_rows(batch, questions)
            batch = []
    if batch:
        yield from answers_for_rows(batch, questions)


def rows(
    query: Select,
    local: Callable[[datetime | None], object],
    event_titles: dict[int, str] | None = None,
    text: Callable[[str], str] = _same,
    questions=(),
) -> Iterator[list]:
    """The export's rows, fetched in batches: one tuple per row, labels from dicts.
    `event_titles` adds a first column (tour exports); `local` turns each date into what the
    file holds; `text` is applied to the typed text (names, e-mail, organisation, job title,
    event title)."""
    categories, regions = _labels(ActorCategory), _labels(Region)
    statuses, sources = _labels(Status), _labels(RegistrationSource)
    languages = language_names()
    for (
        reg_id, event_id, last, first, email, organisation, job, category, region, status,
        source, language, created, consent, checked_in, _booking_id,
    ), answers in _with_answers(_raw_rows(query), questions):  # fmt: skip
        values = [
            text(last),
            text(first),
            text(email or ""),
            text(organisation),
            text(job),
            categories.get(category, ""),
            regions.get(region, ""),
            statuses.get(status, ""),
            sources.get(source, ""),
            languages.get(language, language or ""),
            local(created),
            local(consent),
            local(checked_in),
            reg_id,
            *(text(a) for a in answers),
        ]
        if event_titles is not None:
            values.insert(0, text(event_titles.get(event_id, "")))
        yield values


def csv_stream(
    query: Select,
    zone: ZoneInfo,
    *,
    delimiter: str = ",",
    event_titles: dict[int, str] | None = None,
    questions=(),
) -> Iterator[str]:
    """CSV text in chunks: a BOM, the header, then the rows, typed text neutralised. Written
    for 100,000 rows in a few seconds: dates formatted straight from the local time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers(event_titles is not None, questions=questions))

    def local(value: datetime | None) -> str:
        # "YYYY-MM-DD HH:MM" (isoformat is several times faster than strftime)
        return value.astimezone(zone).isoformat(" ", "minutes")[:16] if value else ""

    for values in rows(query, local, event_titles, text=neutralise, questions=questions):
        writer.writerow(values)
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_stream(
    query: Select,
    zone: ZoneInfo,
    *,
    title: str = "",
    event_titles: dict[int, str] | None = None,
    questions=(),
) -> Iterator[bytes]:
    """An .xlsx file in chunks. openpyxl's write-only mode writes each row to a temporary file
    as it comes (constant memory); the finished file is then sent in chunks. Text that looks
    like a formula is stored as a plain string cell (never a formula)."""
    # openpyxl takes a tenth of a second to import: only when an XLSX is asked for.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_safe_sheet_title(title or _("Attendees")))
    bold = Font(bold=True)
    names = headers(event_titles is not None, zone, questions)
    widths = (*_WIDTHS, *(24 for _q in questions))
    widths = (_EVENT_WIDTH, *widths) if event_titles is not None else widths
    # Before the first row: write-only sheets write their columns first.
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header_cells)
    date_format = "yyyy-mm-dd hh:mm"

    def local(value: datetime | None) -> datetime | None:
        # Spreadsheets have no time zones: the local time, naive.
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0) if value else None

    count = 0
    for values in rows(query, local, event_titles, questions=questions):
        count += 1
        out = []
        for value in values:
            if isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = date_format
                out.append(cell)
            elif isinstance(value, str):
                # Control characters are not allowed in the XML of a sheet.
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if value.startswith("="):
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # text, never a formula
                    out.append(cell)
                else:
                    out.append(value)
            else:
                out.append(value)
        sheet.append(out)
    # The filter arrows on the header row, over every row written (the tail of the sheet is
    # written when the workbook is saved).
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def xlsx_table_stream(
    title: str,
    names: list[str],
    rows: Iterator[list],
    zone: ZoneInfo,
    *,
    widths=(),
    money_columns=(),
) -> Iterator[bytes]:
    """Any table as an .xlsx file in chunks, written like the attendees' (write-only, constant
    memory): a bold frozen header with filters, datetimes in `zone` (naive: spreadsheets have
    no time zones), Decimal amounts in `money_columns` (0-based) formatted as euros, text that
    looks like a formula kept as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_safe_sheet_title(title))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)
    header_cells = []
    for name in names:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header_cells.append(cell)
    sheet.freeze_panes = "A2"
    sheet.append(header_cells)
    money = set(money_columns)
    count = 0
    for values in rows:
        count += 1
        out = []
        for index, value in enumerate(values):
            if isinstance(value, datetime):
                cell = WriteOnlyCell(
                    sheet, value=value.astimezone(zone).replace(tzinfo=None, microsecond=0)
                )
                cell.number_format = "yyyy-mm-dd hh:mm"
                out.append(cell)
            elif index in money and value is not None and not isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = '#,##0.00 "€"'
                out.append(cell)
            elif isinstance(value, str):
                value = ILLEGAL_CHARACTERS_RE.sub("", value)
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(names))}{count + 1}"
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


def _safe_sheet_title(title: str) -> str:
    for char in "[]:*?/\\":
        title = title.replace(char, " ")
    return title.strip()[:31] or "Export"


def filename(slug: str, filters: dict, stamp: str, extension: str) -> str:
    """A file name that says the event and the filter: « congres-2026-liste-d-attente-biotech-
    recherche-20261202-1405.xlsx » (the search text itself, maybe a name, is left out)."""
    from eventapp.services.events.editing import slugify

    labels = {
        "status": {member.value: str(member.label) for member in Status}
        | {"all": _("all"), "live": ""},
        "category": _labels(ActorCategory),
        "region": _labels(Region) | {"none": _("no region")},
        "checked_in": {"yes": _("checked in"), "no": _("not checked in")},
    }
    parts = [slug]
    for key in ("status", "category", "region", "checked_in"):
        value = filters.get(key)
        if value:
            parts.append(labels[key].get(value, value))
    if filters.get("stage"):
        parts.append(_("stage %(id)s", id=filters["stage"]))
    if filters.get("q"):
        parts.append(_("search"))
    parts.append(stamp)
    return "-".join(slugify(part) for part in parts if part and slugify(part)) + f".{extension}"
