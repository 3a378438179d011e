"""Personal data of fees: a justification goes with the booking's erasure; bank lines keep no
payer details once matched, and none at all after the event's retention purge."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.models import BankLine, BookingPayment, Registration, utcnow
from eventapp.services.privacy.retention import purge_event
from tests.fees.conftest import form


def test_erasure_removes_the_justification(client, db, paid):
    event = paid["event"]
    client.post(
        f"/events/{event.slug}/register",
        data=form(paid["rates"]["student"], email="e@univ.fr", **{"fee-justification": "M2"}),
    )
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert db.session.scalar(select(BookingPayment.justification)) == "M2"
    erased = client.post(
        f"/r/{registration.manage_token}/erase", data={"scope": "this", "confirm": "y"}
    )
    assert erased.status_code == 302
    db.session.rollback()
    assert db.session.scalar(select(BookingPayment.justification)) is None


def test_the_retention_purge_removes_payer_details_of_bank_lines(db, paid, factory):
    event = paid["event"]
    factory.registration(event)
    event.starts_at = utcnow() - timedelta(days=800)
    event.ends_at = utcnow() - timedelta(days=799)
    db.session.add(
        BankLine(
            event_id=event.id,
            fingerprint="f",
            status="no_reference",
            booked_on=utcnow().date(),
            amount_cents=100,
            payer_name="MARTIN SOPHIE",
            payer_iban="FR76...",
            text="VIR",
        )
    )
    db.session.commit()
    with write_transaction():
        purge_event(db.session.get(type(event), event.id), None, actor="system")
    db.session.rollback()
    line = db.session.scalar(select(BankLine))
    assert (line.payer_name, line.payer_iban, line.text) == (None, None, None)
