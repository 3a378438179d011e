"""The accounting export of an organisation's invoices and credit notes over a period (CSV or
XLSX, streamed): number, kind, date, buyer, event, amount excluding VAT, VAT by rate (one
column per rate found in the period), amount including VAT, paid or not, payment reference,
purchase order and the invoice a credit note corrects. A credit note's amounts are negative,
as accountants enter them. And a ZIP of the PDFs, written as it streams."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, or_, select
from sqlalchemy.orm import aliased

from eventapp.extensions import db
from eventapp.models import (
    BookingPayment,
    DocumentKind,
    Event,
    IssuedDocument,
    PaymentState,
    PaymentTransaction,
)
from eventapp.services.exports import neutralise
from eventapp.services.invoicing import formatting

CHUNK = 64 * 1024
SETTLED = (PaymentState.PAID, PaymentState.PARTLY_REFUNDED, PaymentState.REFUNDED)


class EventTitles(dict):
    """The events' names by id (Event.title: a stage with its tour), each read once: one
    query per event of the list or export, never per document."""

    def __init__(self, language: str):
        super().__init__()
        self.language = language

    def __missing__(self, event_id: int | None) -> str:
        event = db.session.get(Event, event_id) if event_id is not None else None
        self[event_id] = event.title(self.language) if event is not None else ""
        return self[event_id]


def settled_clause():
    """Whether a document is settled: an invoice paid (when issued, or since), a credit note
    whose refund went out, a quote never (it is not owed)."""
    return case(
        (
            IssuedDocument.kind == DocumentKind.INVOICE,
            or_(
                IssuedDocument.prepaid_cents >= IssuedDocument.total_cents,
                BookingPayment.state.in_(SETTLED),
            ),
        ),
        (
            IssuedDocument.kind == DocumentKind.CREDIT_NOTE,
            or_(
                IssuedDocument.refund_transaction_id.is_(None),
                PaymentTransaction.state == "succeeded",
            ),
        ),
        else_=False,
    )


def documents_query(organisation_id: int, *, start=None, end=None, status=None, event_id=None):
    """The organisation's documents with their settled flag and event title, newest first."""
    corrected = aliased(IssuedDocument)
    query = (
        select(
            IssuedDocument,
            settled_clause().label("settled"),
            corrected.number.label("corrects_number"),
        )
        .outerjoin(BookingPayment, BookingPayment.id == IssuedDocument.payment_id)
        .outerjoin(
            PaymentTransaction, PaymentTransaction.id == IssuedDocument.refund_transaction_id
        )
        .outerjoin(Event, Event.id == IssuedDocument.event_id)
        .outerjoin(corrected, corrected.id == IssuedDocument.corrects_id)
        .where(IssuedDocument.organisation_id == organisation_id)
    )
    if start is not None:
        query = query.where(IssuedDocument.issue_date >= start)
    if end is not None:
        query = query.where(IssuedDocument.issue_date <= end)
    if event_id is not None:
        query = query.where(IssuedDocument.event_id == event_id)
    if status == "paid":
        query = query.where(IssuedDocument.kind == DocumentKind.INVOICE, settled_clause())
    elif status == "unpaid":
        query = query.where(
            and_(IssuedDocument.kind == DocumentKind.INVOICE, settled_clause().is_(False))
        )
    elif status == "credit_notes":
        query = query.where(IssuedDocument.kind == DocumentKind.CREDIT_NOTE)
    elif status == "quotes":
        query = query.where(IssuedDocument.kind == DocumentKind.QUOTE)
    elif status == "accounting":
        query = query.where(IssuedDocument.kind != DocumentKind.QUOTE)
    return query.order_by(IssuedDocument.issue_date.desc(), IssuedDocument.id.desc())


def _euros(cents: int) -> Decimal:
    return (Decimal(cents) / 100).quantize(Decimal("0.01"))


def _rates(query: Select) -> list[str]:
    """The VAT rates found in the exported documents (their columns), highest first."""
    ids = query.with_only_columns(IssuedDocument.id).order_by(None).subquery()
    found: set[str] = set()
    for breakdown in db.session.scalars(
        select(IssuedDocument.vat_breakdown).where(IssuedDocument.id.in_(select(ids.c.id)))
    ):
        found.update(group["rate"] for group in breakdown or ())
    return sorted(found, key=Decimal, reverse=True)


def headers(rates: list[str], language: str) -> list[str]:
    return [
        _("Document number"),
        _("Document"),
        _("Date"),
        _("Buyer"),
        _("Event"),
        _("Excl. VAT (€)"),
        *(_("VAT %(rate)s (€)", rate=formatting.rate(Decimal(rate), language)) for rate in rates),
        _("Incl. VAT (€)"),
        _("Paid"),
        _("Payment reference"),
        _("Purchase order"),
        _("Corrects invoice"),
    ]


def rows(query: Select, rates: list[str], language: str) -> Iterator[list]:
    labels = {kind: kind.label for kind in DocumentKind}
    titles = EventTitles(language)
    for record, settled, corrects in db.session.execute(query.execution_options(yield_per=500)):
        sign = -1 if record.kind == DocumentKind.CREDIT_NOTE else 1
        vat = {group["rate"]: group["vat_cents"] for group in record.vat_breakdown or ()}
        yield [
            record.number,
            labels[record.kind],
            record.issue_date,
            record.buyer_name,
            titles[record.event_id],
            _euros(sign * record.net_cents),
            *(_euros(sign * vat.get(rate, 0)) for rate in rates),
            _euros(sign * record.total_cents),
            _("yes") if settled else _("no"),
            record.payment_reference or "",
            record.purchase_order or "",
            corrects or "",
        ]


def csv_stream(query: Select, language: str) -> Iterator[bytes]:
    rates = _rates(query)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(headers(rates, language))
    for values in rows(query, rates, language):
        writer.writerow(
            [
                neutralise(v)
                if isinstance(v, str)
                else (v.isoformat() if hasattr(v, "isoformat") else str(v).replace(".", ","))
                for v in values
            ]
        )
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_stream(query: Select, language: str, title: str) -> Iterator[bytes]:
    import tempfile

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    rates = _rates(query)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31] or "Invoices")
    bold = Font(bold=True)
    header = []
    for name in headers(rates, language):
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for values in rows(query, rates, language):
        out = []
        for value in values:
            if isinstance(value, Decimal):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "#,##0.00"
                out.append(cell)
            elif isinstance(value, str):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"  # text, never a formula
                out.append(cell)
            else:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "yyyy-mm-dd"
                out.append(cell)
        sheet.append(out)
    with tempfile.TemporaryFile() as handle:
        workbook.save(handle)
        handle.seek(0)
        while chunk := handle.read(CHUNK):
            yield chunk


class _Pipe(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come (zipfile writes to it)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_stream(query: Select) -> Iterator[bytes]:
    """The PDFs of the documents, one by one into a ZIP that streams (nothing held whole)."""
    from eventapp.services.invoicing.records import render

    pipe = _Pipe()
    ids = list(db.session.scalars(query.with_only_columns(IssuedDocument.id)))
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document_id in ids:
            record = db.session.get(IssuedDocument, document_id)
            archive.writestr(record.file_name, render(record))
            db.session.expunge(record)
            yield pipe.take()
    yield pipe.take()
