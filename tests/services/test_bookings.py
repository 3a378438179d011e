"""Bookings: every registration has exactly one; the booker's data goes with the last
registration's (retention)."""

from sqlalchemy import select

from eventapp.models import Booking, Registration
from eventapp.services import privacy


def test_a_registration_made_on_its_own_gets_its_own_booking(db, factory):
    event = factory.event(capacity=10)
    first = factory.registration(event, first_name="Hélène", email="h@lab.example")
    second = factory.registration(event)
    assert first.booking_id and second.booking_id and first.booking_id != second.booking_id
    booking = db.session.get(Booking, first.booking_id)
    assert (booking.first_name, booking.email, booking.event_id) == (
        "Hélène",
        "h@lab.example",
        event.id,
    )
    assert len(booking.reference) == 9 and booking.reference[4] == "-"
    assert not set(booking.reference) & set("IL1O0UV")


def test_the_booking_is_anonymised_with_its_last_registration(db, factory):
    event = factory.event(capacity=10)
    first = factory.registration(event, email="h@lab.example")
    booking = db.session.get(Booking, first.booking_id)
    other = factory.registration(event, booking_id=booking.id, email="c@lab.example")
    token = booking.manage_token
    privacy.anonymise(first)
    db.session.commit()
    db.session.refresh(booking)
    assert booking.email == "h@lab.example" and booking.anonymised_at is None
    privacy.anonymise(other)
    db.session.commit()
    db.session.refresh(booking)
    assert booking.email is None and booking.anonymised_at is not None
    assert booking.first_name == "—" and booking.manage_token != token
    assert db.session.scalar(select(Registration.booking_id).where(Registration.id == other.id))
