"""The token's organisation's invoices, credit notes and quotes (token scope invoices:read,
Perm.ORG_INVOICES, as the organisation's invoices page): the list with the page's filters
(status, event, issue dates) through the same query (services/invoicing/exports.py), one
document, its PDF. Issued documents never change: the list is in issue order (`created_at`),
and `modified_since` gives the documents issued since; `settled` is read at each call."""

from __future__ import annotations

import marshmallow as ma
from flask import abort

from eventapp.api.v1 import schemas
from eventapp.api.v1.core import blueprint
from eventapp.api.v1.reads import TOKEN, listing
from eventapp.extensions import db
from eventapp.helpers import external_url
from eventapp.invoices.participant import pdf_response
from eventapp.models import IssuedDocument
from eventapp.permissions import Perm, guard
from eventapp.services.invoicing import exports

bp = blueprint("invoices", "Invoices, credit notes and quotes, read only (scope invoices:read).")
STATUSES = ("all", "paid", "unpaid", "credit_notes", "quotes")


class InvoiceFilters(ma.Schema):
    status = ma.fields.String(
        load_default="all",
        validate=ma.validate.OneOf(STATUSES),
        metadata={"description": "paid, unpaid (invoices), credit_notes, quotes, or all."},
    )
    event_id = schemas.row_id()
    issued_from = ma.fields.Date(metadata={"description": "Issued on or after (YYYY-MM-DD)."})
    issued_to = ma.fields.Date(metadata={"description": "Issued on or before (YYYY-MM-DD)."})


def _query(organisation, args: dict):
    return exports.documents_query(
        organisation.id,
        start=args.get("issued_from"),
        end=args.get("issued_to"),
        status=None if args["status"] == "all" else args["status"],
        event_id=args.get("event_id"),
    ).order_by(None)


def _dump(row) -> dict:
    record, settled = row.IssuedDocument, row.settled
    return {
        "id": record.id,
        "kind": str(record.kind),
        "number": record.number,
        "issue_date": record.issue_date,
        "due_date": record.due_date,
        "valid_until": record.valid_until,
        "language": record.language,
        "event_id": record.event_id,
        "booking_id": record.booking_id,
        "payment_id": record.payment_id,
        "corrects_id": record.corrects_id,
        "corrects_number": row.corrects_number,
        "quote_id": record.quote_id,
        "buyer_name": record.buyer_name,
        "purchase_order": record.purchase_order,
        "payment_reference": record.payment_reference,
        "net_cents": record.net_cents,
        "vat_cents": record.vat_cents,
        "total_cents": record.total_cents,
        "prepaid_cents": record.prepaid_cents,
        "vat_breakdown": record.vat_breakdown or [],
        "settled": bool(settled),
        "created_at": record.created_at,
        "pdf": external_url("v1_invoices.invoice_pdf", document_id=record.id),
    }


listing(
    bp,
    "invoices",
    "invoice_list",
    IssuedDocument,
    Perm.ORG_INVOICES,
    schemas.InvoiceOut,
    lambda rows: [_dump(row) for row in rows],
    statement=_query,
    filters=InvoiceFilters,
    time_column=IssuedDocument.created_at,
    doc="The organisation's documents: invoices, credit notes (`corrects_id`: the invoice "
    "they correct) and quotes.",
)


def _document(organisations, document_id: int):
    row = db.session.execute(
        _query(organisations[0], {"status": "all"}).where(IssuedDocument.id == document_id)
    ).first()
    if row is None:
        abort(404)
    return row


@bp.route("/invoices/<id:document_id>", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.organisations(Perm.ORG_INVOICES)
@bp.response(200, schemas.InvoiceOut)
def invoice_read(organisations, document_id):
    """One invoice, credit note or quote of the organisation."""
    return _dump(_document(organisations, document_id))


@bp.route("/invoices/<id:document_id>/pdf", methods=["GET"])
@bp.doc(security=TOKEN)
@guard.organisations(Perm.ORG_INVOICES)
@bp.response(200, description="The document as issued (PDF).", content_type="application/pdf")
def invoice_pdf(organisations, document_id):
    """The document's PDF, as the organisation's invoices page gives it."""
    return pdf_response(_document(organisations, document_id).IssuedDocument)
