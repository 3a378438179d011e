"""Fifty invoices issued at the same moment from real threads (each its own connection and
transaction) get the numbers 1 to 50 of the organisation's sequence exactly: no gap, no
duplicate. The bookings are spread over two events, so the events' seat locks do not serialise
them: the counter's lock does (FOR UPDATE on PostgreSQL, the write lock on SQLite)."""

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingPayment, DocumentCounter, IssuedDocument, PriceCategory
from eventapp.services.invoicing import issuing
from tests.invoices.conftest import book
from tests.support.races import race


def test_fifty_simultaneous_invoices_are_numbered_one_to_fifty(app, db, factory, congress):
    org, event = congress["org"], congress["event"]
    other = factory.event(organisers=[org], capacity=200)
    rate = PriceCategory(
        event_id=other.id, kind="non_member", name_fr="Tarif", price_cents=10000, position=0
    )
    db.session.add(rate)
    db.session.commit()
    payment_ids = [
        book(*((event.id, congress["rates"]["academic"].id) if n % 2 else (other.id, rate.id)), n=n)
        for n in range(50)
    ]

    def issue(n):
        with write_transaction():
            payment = _db.session.get(BookingPayment, payment_ids[n])
            return issuing.issue_invoice(payment, purchase_order=f"BC-{n}").sequence_number

    errors, results = race(app, issue, 50)
    assert errors == []
    assert sorted(results.values()) == list(range(1, 51))
    db.session.rollback()
    rows = db.session.execute(
        select(IssuedDocument.sequence_number, IssuedDocument.number, IssuedDocument.payment_id)
    ).all()
    assert sorted(r.sequence_number for r in rows) == list(range(1, 51))
    assert len({r.number for r in rows}) == 50 and len({r.payment_id for r in rows}) == 50
    assert {r.number for r in rows} == {f"F-{n:06d}" for n in range(1, 51)}
    counter = db.session.get(DocumentCounter, (org.id, "invoice"))
    assert counter.last_number == 50


def test_a_rolled_back_issuance_gives_its_number_back(app, db, congress):
    event, rate = congress["event"], congress["rates"]["academic"]
    first, second = book(event.id, rate.id, n=1), book(event.id, rate.id, n=2)

    class Abort(Exception):
        pass

    try:
        with write_transaction():
            issuing.issue_invoice(db.session.get(BookingPayment, first))
            raise Abort
    except Abort:
        pass
    with write_transaction():
        record = issuing.issue_invoice(db.session.get(BookingPayment, second))
        assert record.number == "F-000001"
