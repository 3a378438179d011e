"""Issued documents: immutable, test bookings never numbered, incomplete legal details block
the invoice without a gap, access to the PDFs (the booking's link; another organisation's
document is 404, a viewer is refused), the organiser list (no query per row, filters), the
accounting exports and the billing details' retention."""

import csv
import io
import zipfile

import pytest
from sqlalchemy import delete, func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import (
    AuditLog,
    BillingDetails,
    BookingPayment,
    DocumentKind,
    ImmutableDocument,
    IssuedDocument,
)
from eventapp.services.invoicing import issuing
from tests.invoices.conftest import book, booking_of, pay


def _invoice(payment_id) -> IssuedDocument:
    return _db.session.scalar(
        select(IssuedDocument).where(
            IssuedDocument.payment_id == payment_id, IssuedDocument.kind == DocumentKind.INVOICE
        )
    )


def test_an_issued_invoice_can_be_neither_changed_nor_deleted(db, congress):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])
    invoice = _invoice(payment_id)
    assert invoice.number == "F-000001"
    invoice.buyer_name = "Someone else"
    with pytest.raises(ImmutableDocument):
        db.session.flush()
    db.session.rollback()
    db.session.delete(_invoice(payment_id))
    with pytest.raises(ImmutableDocument):
        db.session.flush()
    db.session.rollback()
    assert _invoice(payment_id).buyer_name == "Marie0 Curie"


def test_the_issuer_s_legal_form_and_bic_from_its_profile_are_on_the_invoice(db, congress):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])
    seller = _invoice(payment_id).content["seller"]
    assert (seller["legal_form"], seller["bic"]) == ("Association loi 1901", "BNPAFRPPXXX")


def test_a_test_booking_never_takes_a_number(db, congress):
    event = congress["event"]
    payment_id = book(event.id, congress["rates"]["academic"].id)
    event.status = "draft"  # the organisers trying their form before publishing it
    db.session.commit()
    pay(payment_id, congress["manager"])
    assert db.session.get(BookingPayment, payment_id).state == "paid"
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == 0
    event.status = "published"
    db.session.commit()
    other = book(event.id, congress["rates"]["academic"].id, n=2)
    pay(other, congress["manager"])
    assert _invoice(other).number == "F-000001"


def test_incomplete_legal_details_block_the_invoice_without_a_gap(db, congress):
    org = congress["org"]
    org.siret = None
    db.session.commit()
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])  # the payment itself goes through
    assert db.session.get(BookingPayment, payment_id).state == "paid"
    assert _invoice(payment_id) is None
    assert db.session.scalar(select(AuditLog.id).where(AuditLog.action == "invoice.blocked"))
    org.siret = "44306184100047"
    db.session.commit()
    with write_transaction():
        record = issuing.issue_invoice(db.session.get(BookingPayment, payment_id))
    assert record.number == "F-000001" and record.prepaid_cents == record.total_cents


def test_a_cancellation_refunded_in_full_credits_that_attendee_s_line(db, congress):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id, people=2)
    pay(payment_id, congress["manager"])
    invoice = _invoice(payment_id)
    assert invoice.total_cents == 45600
    with write_transaction():
        from eventapp.services.fees import actions

        actions.refund(_db.session.get(BookingPayment, payment_id), 22800, user=None)
    credit = _db.session.scalar(
        select(IssuedDocument).where(IssuedDocument.corrects_id == invoice.id)
    )
    assert credit.number == "F-000002" and credit.total_cents == 22800
    assert [line["attendee"] for line in credit.content["lines"]] == ["Marie0-0 Curie"]


@pytest.mark.parametrize("total", [1, 3, 9, 10001, 12347, 99999])
def test_a_partial_credit_note_credits_the_exact_amount_when_the_vat_allows(total):
    from decimal import Decimal

    net = issuing.net_for_total(total, Decimal(20))
    reached = net + issuing._vat_of(net, Decimal(20))
    assert reached <= total and total - reached <= 1


def test_documents_are_downloaded_with_the_booking_link_only(client, db, congress, factory):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])
    invoice = _invoice(payment_id)
    token = booking_of(payment_id).manage_token
    assert client.get(f"/b/{token}/documents/{invoice.id}.pdf").status_code == 200
    other = book(congress["event"].id, congress["rates"]["academic"].id, n=5)
    other_token = booking_of(other).manage_token
    assert client.get(f"/b/{other_token}/documents/{invoice.id}.pdf").status_code == 404
    assert client.get(f"/b/not-a-token/documents/{invoice.id}.pdf").status_code == 404


def test_another_organisation_or_a_viewer_cannot_see_the_invoices(
    client, db, login, congress, factory
):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])
    invoice = _invoice(payment_id)
    org = congress["org"]
    outsider = factory.user(factory.organisation(), role="manager")
    login(outsider)
    assert client.get(f"/organiser/o/{org.id}/invoices").status_code == 404
    assert client.get(f"/organiser/o/{org.id}/invoices/{invoice.id}.pdf").status_code == 404
    assert client.get(f"/organiser/o/{org.id}/invoices/export.csv").status_code == 404
    own = outsider.memberships[0].organisation_id
    # Its own list does not open another organisation's document either.
    assert client.get(f"/organiser/o/{own}/invoices/{invoice.id}.pdf").status_code == 404
    client.get("/auth/logout")
    viewer = factory.user(org, role="viewer")
    login(viewer)
    assert client.get(f"/organiser/o/{org.id}/invoices").status_code == 404
    client.get("/auth/logout")
    checkin = factory.user(org, role="checkin")
    login(checkin)
    assert client.get(f"/organiser/o/{org.id}/invoices").status_code == 404


def test_the_list_makes_no_query_per_row_and_filters(client, db, login, congress, query_counter):
    event, rate = congress["event"], congress["rates"]["academic"]
    for n in range(3):
        pay(book(event.id, rate.id, n=n), congress["manager"], key=str(n))
    login(congress["manager"])
    url = f"/organiser/o/{congress['org'].id}/invoices"
    client.get(url)
    with query_counter() as few:
        client.get(url)
    for n in range(3, 9):
        pay(book(event.id, rate.id, n=n), congress["manager"], key=str(n))
    with query_counter() as more:
        page = client.get(url)
    assert len(more) == len(few)
    assert page.text.count("F-0000") >= 9
    assert "F-000009" in client.get(f"{url}?status=paid").text
    assert "F-000001" not in client.get(f"{url}?status=unpaid").text
    assert "F-000001" not in client.get(f"{url}?from=2999-01-01").text
    assert client.get(f"{url}?from=nonsense&page=x&event=abc").status_code == 200


def test_the_accounting_exports_and_the_zip(client, db, login, congress):
    event, rate = congress["event"], congress["rates"]["academic"]
    first = book(event.id, rate.id, n=1)
    pay(first, congress["manager"])
    with write_transaction():
        from eventapp.services.fees import actions

        actions.refund(_db.session.get(BookingPayment, first), 5000, user=None)
    login(congress["manager"])
    base = f"/organiser/o/{congress['org'].id}/invoices/export"
    response = client.get(f"{base}.csv", buffered=True)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:6] == ["Numéro", "Document", "Date", "Client", "Événement", "HT (€)"]
    assert "TVA 20\u202f% (€)" in rows[0]
    by_number = {row[0]: row for row in rows[1:]}
    assert by_number["F-000001"][5] == "190,00" and by_number["F-000001"][7] == "228,00"
    assert by_number["F-000002"][7] == "-50,00" and by_number["F-000002"][-1] == "F-000001"
    assert by_number["F-000001"][8] == "oui"
    xlsx = client.get(f"{base}.xlsx", buffered=True)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["F-000001"][5] == 190 and values["F-000002"][7] == -50
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}.zip", buffered=True).data))
    assert sorted(archive.namelist()) == ["credit-note-F-000002.pdf", "invoice-F-000001.pdf"]
    assert archive.read("invoice-F-000001.pdf").startswith(b"%PDF")


def test_resend_queues_the_pdf_in_the_outbox(client, db, login, congress, mail_outbox):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    pay(payment_id, congress["manager"])
    invoice = _invoice(payment_id)
    login(congress["manager"])
    page = client.get(f"/organiser/o/{congress['org'].id}/invoices")
    assert page.status_code == 200
    client.application.config["WTF_CSRF_ENABLED"] = False
    response = client.post(f"/organiser/o/{congress['org'].id}/invoices/{invoice.id}/send")
    assert response.status_code == 302
    sent = [m for m in mail_outbox if "F-000001" in m.subject]
    assert sent and sent[-1].attachments[0][0] == "invoice-F-000001.pdf"


def test_billing_details_are_editable_until_invoiced_and_erased_with_the_booking(
    client, db, congress
):
    payment_id = book(congress["event"].id, congress["rates"]["academic"].id)
    token = booking_of(payment_id).manage_token
    client.application.config["WTF_CSRF_ENABLED"] = False
    bad = client.post(f"/b/{token}/billing", data={"buyer_kind": "business", "name": "Univ"})
    assert bad.status_code == 400 and 'value="Univ"' in bad.text
    good = client.post(
        f"/b/{token}/billing",
        data={
            "buyer_kind": "business",
            "name": "Université Paris-Saclay",
            "address": "3 rue Joliot-Curie",
            "postcode": "91190",
            "city": "Gif-sur-Yvette",
            "country_code": "FR",
            "vat_number": "FR07130025265",
            "purchase_order": "BC-1",
        },
    )
    assert good.status_code == 302
    db.session.rollback()
    billing = db.session.scalar(select(BillingDetails))
    assert billing.name == "Université Paris-Saclay" and billing.purchase_order == "BC-1"
    pay(payment_id, congress["manager"])
    assert _invoice(payment_id).purchase_order == "BC-1"
    assert client.get(f"/b/{token}/billing").status_code == 302
    # Erasure of the booking deletes the details (the invoice keeps its own copy).
    from eventapp.services.privacy import erase

    registration = booking_of(payment_id)
    with write_transaction():
        from eventapp.models import Registration

        reg = _db.session.scalar(
            select(Registration).where(Registration.booking_id == registration.id)
        )
        erase([reg])
    assert db.session.scalar(select(func.count()).select_from(BillingDetails)) == 0
    assert _invoice(payment_id).buyer_name == "Université Paris-Saclay"
    db.session.execute(delete(BillingDetails))


def test_documents_are_deleted_by_the_purge_ten_years_after_their_year(db, congress):
    import datetime as dt

    from eventapp.privacy.retention import purge_expired

    old, recent = (
        book(congress["event"].id, congress["rates"]["academic"].id, n=n) for n in (1, 2)
    )
    with write_transaction():
        issuing.issue_invoice(
            _db.session.get(BookingPayment, old), issue_date=dt.date(2015, 12, 31)
        )
        issuing.issue_invoice(_db.session.get(BookingPayment, recent))
    purge_expired(actor="system")
    assert _invoice(old) is None
    assert _invoice(recent) is not None
