"""The demo's invoices: every paid booking of the 2026 congress has its invoice from Medicen,
refunds their credit notes, numbered 1…N in date order without a gap; a second load issues
nothing more."""

from sqlalchemy import func, select

from eventapp.models import BookingPayment, DocumentKind, Event, IssuedDocument, Organisation


def test_the_demo_congress_paid_bookings_are_invoiced_once(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2026")
    )
    medicen = db.session.scalar(select(Organisation).where(Organisation.slug == "medicen"))
    paid = db.session.scalar(
        select(func.count())
        .select_from(BookingPayment)
        .where(
            BookingPayment.event_id == congress.id,
            BookingPayment.state.in_(["paid", "partly_refunded", "refunded"]),
            BookingPayment.total_cents > 0,
        )
    )
    documents = db.session.execute(
        select(IssuedDocument.kind, IssuedDocument.sequence_number, IssuedDocument.issue_date)
        .where(IssuedDocument.organisation_id == medicen.id)
        .order_by(IssuedDocument.sequence_number)
    ).all()
    invoices = [d for d in documents if d.kind == DocumentKind.INVOICE]
    assert paid > 150 and len(invoices) == paid
    assert any(d.kind == DocumentKind.CREDIT_NOTE for d in documents)
    assert [d.sequence_number for d in documents] == list(range(1, len(documents) + 1))
    dates = [d.issue_date for d in documents]
    assert dates == sorted(dates)  # chronological
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(IssuedDocument)) == len(documents)
