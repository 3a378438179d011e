"""Fixtures of the invoice tests: Medicen Paris Region (complete legal details) leads a paid
congress; helpers book and pay through the real services."""

import pytest

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import BillingDetails, Booking, BookingPayment, Event, PriceCategory
from eventapp.services import bookings
from eventapp.services.fees import actions, checkout
from eventapp.services.registrations import Participant

LEGAL = {
    "name": "Medicen Paris Region",
    "legal_name": "Medicen Paris Region",
    "legal_address": "Immeuble Le Dahlia\n15 rue de la Santé\n75014 Paris",
    "siret": "44306184100047",
    "vat_number": "FR64443061841",
    "iban": "FR7630006000011234567890189",
    "bic": "BNPAFRPPXXX",
    "legal_form": "Association loi 1901",
    "contact_email": "congres@medicen.example",
}

ACADEMIC_BILLING = {
    "buyer_kind": "business",
    "name": "Université Paris-Saclay",
    "address": "Service financier — Bâtiment Bréguet\n3 rue Joliot-Curie",
    "postcode": "91190",
    "city": "Gif-sur-Yvette",
    "country_code": "FR",
    "vat_number": "FR07130025265",
}


@pytest.fixture
def congress(factory):
    org = factory.organisation(**LEGAL)
    event = factory.event(organisers=[org], capacity=200, title_fr="Congrès France Bioproduction")
    rates = {
        "non_member": PriceCategory(
            event_id=event.id,
            kind="non_member",
            name_fr="Non-adhérent",
            name_en="Non-member",
            price_cents=59000,
            position=0,
        ),
        "academic": PriceCategory(
            event_id=event.id,
            kind="academic",
            name_fr="Académique",
            name_en="Academic",
            price_cents=19000,
            position=1,
        ),
    }
    db.session.add_all(rates.values())
    db.session.commit()
    manager = factory.user(org, role="manager")
    return {"org": org, "event": event, "rates": rates, "manager": manager}


def book(event_id, category_id, n=0, billing=None, people=1, language="fr"):
    """A booking of `people` attendees at the rate, with billing details; returns the payment
    id (committed)."""
    with write_transaction():
        event = db.session.get(Event, event_id)
        attendees = [
            Participant(
                first_name=f"Marie{n}-{i}",
                last_name="Curie",
                email=f"marie{n}-{i}@universite.example",
                category="academic",
                language=language,
            )
            for i in range(people)
        ]
        result = bookings.book([event], attendees, origin=event)
        payment = checkout.start(
            result.booking,
            event,
            checkout.Choice(category_id),
            [o.registration for o in result.created],
        )
        db.session.add(
            BillingDetails(
                booking_id=result.booking.id,
                **(
                    billing
                    or {
                        "buyer_kind": "individual",
                        "name": f"Marie{n} Curie",
                        "address": "12 avenue Jean Jaurès",
                        "postcode": "69007",
                        "city": "Lyon",
                        "country_code": "FR",
                    }
                ),
            )
        )
        db.session.flush()
        return payment.id


def pay(payment_id, user, amount=None, key="1"):
    with write_transaction():
        payment = db.session.get(BookingPayment, payment_id)
        actions.mark_received(payment, amount or payment.total_cents, user=user, source_key=key)


def booking_of(payment_id) -> Booking:
    payment = db.session.get(BookingPayment, payment_id)
    return db.session.get(Booking, payment.booking_id)
