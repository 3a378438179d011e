"""The payments export as XLSX, next to the CSV one: the same header, amounts as numbers in
euros, streamed in batches (the number of queries does not grow with the payments), text
never read as a formula; only the event's organisers with the payments permission."""

import io
from decimal import Decimal

from openpyxl import load_workbook
from sqlalchemy import select

from eventapp.models import BookingPayment
from tests.fees.conftest import form


def book(client, paid, n, **kw):
    client.get("/auth/logout")
    data = form(paid["rates"]["non_member"], email=f"p{n}@other.fr", last_name=f"Nom{n}", **kw)
    assert client.post(f"/events/{paid['event'].slug}/register", data=data).status_code == 302


def test_the_payments_export_as_xlsx(app, client, db, paid, login, query_counter, monkeypatch):
    from eventapp.fees import payment_exports

    monkeypatch.setattr(payment_exports, "BATCH", 2)
    event = paid["event"]
    book(client, paid, 0, first_name="=HYPERLINK(1)")
    book(client, paid, 1)
    login(paid["manager"])
    url = f"/organiser/events/{event.id}/payments/export.xlsx"
    assert url in client.get(f"/organiser/events/{event.id}/payments").text
    with query_counter() as few:
        response = client.get(url, buffered=True)
    for n in range(2, 6):
        book(client, paid, n)
    login(paid["manager"])
    with query_counter() as more:
        response = client.get(url, buffered=True)  # (read in full; the view streams it)
        body = response.get_data()
    assert len(more) <= len(few) + 2  # one query per batch of 2, not one per payment
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert 'filename="payments-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(body), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    csv_header = (
        client.get(f"/organiser/events/{event.id}/payments/export.csv", buffered=True)
        .get_data(as_text=True)
        .lstrip("\ufeff")
        .splitlines()[0]
        .split(";")
    )
    assert list(rows[0]) == csv_header and rows[0][0] == "Réservation"
    assert len(rows) == 7
    db.session.rollback()
    first = db.session.scalar(select(BookingPayment).order_by(BookingPayment.id))
    row = rows[1]
    assert row[0] == first.booking.reference and row[11] == first.bank_reference
    assert Decimal(str(row[7])) == Decimal(first.total_cents) / 100 == Decimal("708")
    assert row[1].startswith("=HYPERLINK")  # kept as text
    raw = load_workbook(io.BytesIO(body)).active
    assert raw["B2"].data_type == "s"


def test_the_xlsx_export_needs_the_payments_permission(app, client, db, paid, factory, login):
    url = f"/organiser/events/{paid['event'].id}/payments/export.xlsx"
    staff = app.test_client()
    login(factory.user(paid["org"], role="checkin"), c=staff)
    assert staff.get(url).status_code in (403, 404)
    outsider = app.test_client()
    login(factory.user(factory.organisation(name="Genopole"), role="manager"), c=outsider)
    assert outsider.get(url).status_code == 404
