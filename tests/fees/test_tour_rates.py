"""A tour's rates (issue 14): a pass (one price per person for every stage booked) or a price
per stage, under the same pricing service; the booking of several stages is priced
accordingly, a stage added later is owed at a per-stage rate, a cancelled stage of a pass
leaves the pass owed, the release at the deadline frees every stage, the quota of a tour's
rate holds under simultaneous bookings of different stages."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import BookingLine, BookingPayment, Event, PriceCategory, Registration
from eventapp.services import bookings
from eventapp.services.fees import checkout, holds, payments
from eventapp.services.fees.errors import FeeError
from eventapp.services.registrations import Participant
from tests.fees.conftest import form
from tests.support.races import race


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def tour(factory, db):
    org = factory.organisation(name="Medicen Paris Region", iban="FR7630006000011234567890189")
    tour = factory.event(organisers=[org], kind="tour", capacity=None)
    stages = [
        factory.event(
            organisers=[org],
            kind="stage",
            parent_id=tour.id,
            position=n,
            capacity=10,
            city=city,
            starts_at=tour.starts_at + timedelta(days=n),
        )
        for n, city in enumerate(("Tours", "Lyon", "Lille"), 1)
    ]
    rates = {
        "pass": PriceCategory(
            event_id=tour.id, kind="non_member", name_fr="Pass Tour", price_cents=20000
        ),
        "stage": PriceCategory(
            event_id=tour.id,
            kind="academic",
            name_fr="À l’étape",
            price_cents=5000,
            per_stage=True,
            position=1,
        ),
    }
    db.session.add_all(rates.values())
    db.session.commit()
    manager = factory.user(org, role="manager")
    return {"tour": tour, "stages": stages, "rates": rates, "org": org, "manager": manager}


def book(client, tour, rate, stages, **kw):
    data = form(rate, stages=[str(s.id) for s in stages], **kw)
    return client.post(f"/events/{tour['tour'].slug}/register", data=data)


def payment(db) -> BookingPayment:
    db.session.rollback()
    return db.session.scalar(select(BookingPayment))


def lines(db, p) -> list[BookingLine]:
    return list(db.session.scalars(select(BookingLine).where(BookingLine.payment_id == p.id)))


def test_the_tour_form_offers_a_pass_and_a_per_stage_rate(client, tour):
    page = text(client.get(f"/events/{tour['tour'].slug}/register"))
    assert "Pass Tour — pass du Tour, toutes les étapes\u00a0: 240,00" in page
    assert "À l’étape — 60,00\u00a0€ TTC par étape" in page


def test_a_pass_is_one_price_per_person_whatever_the_number_of_stages(client, db, tour):
    colleague = {
        "colleagues-0-first_name": "Hugo",
        "colleagues-0-last_name": "Martin",
        "colleagues-0-email": "hugo.martin@sanofi.com",
    }
    response = book(client, tour, tour["rates"]["pass"], tour["stages"], **colleague)
    assert response.status_code == 302, text(response)
    p = payment(db)
    assert p.event_id == tour["tour"].id
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 6
    assert len(lines(db, p)) == 2  # two people, one pass each
    assert (p.net_cents, p.vat_cents, p.total_cents) == (40000, 8000, 48000)
    assert p.due_at is not None  # the seats are held until the transfer deadline


def test_a_per_stage_rate_prices_each_stage_booked(client, db, tour):
    response = book(client, tour, tour["rates"]["stage"], tour["stages"][:2])
    assert response.status_code == 302, text(response)
    p = payment(db)
    assert len(lines(db, p)) == 2 and p.total_cents == 2 * 6000


def test_a_stage_added_later_is_owed_at_a_per_stage_rate_not_with_a_pass(client, db, tour):
    third = tour["stages"][2]
    for rate, added_cents in (("stage", 6000), ("pass", 0)):
        email = f"{rate}@sanofi.com"
        book(client, tour, tour["rates"][rate], tour["stages"][:2], email=email)
        db.session.rollback()
        reg = db.session.scalar(select(Registration).where(Registration.email == email))
        p = db.session.scalar(
            select(BookingPayment).where(BookingPayment.booking_id == reg.booking_id)
        )
        before = p.total_cents
        response = client.post(f"/b/{reg.booking.manage_token}/add", data={"stages": third.id})
        assert response.status_code == 302
        db.session.rollback()
        p = db.session.get(BookingPayment, p.id)
        assert p.total_cents == before + added_cents, rate


def test_a_paid_per_stage_booking_owes_the_added_stage(client, db, tour):
    book(client, tour, tour["rates"]["stage"], tour["stages"][:1])
    p = payment(db)
    with write_transaction():
        payments.record_payment(
            db.session.get(BookingPayment, p.id), p.total_cents, provider="manual", source="test:1"
        )
    p = payment(db)
    assert p.state == "paid"
    reg = db.session.scalar(select(Registration))
    client.post(f"/b/{reg.booking.manage_token}/add", data={"stages": tour["stages"][1].id})
    p = payment(db)
    assert p.state == "partly_paid" and p.due_cents == 6000 and p.due_at is not None


def test_cancelling_one_stage_of_an_unpaid_pass_leaves_the_pass_owed(client, db, tour):
    book(client, tour, tour["rates"]["pass"], tour["stages"][:2])
    p = payment(db)
    regs = list(db.session.scalars(select(Registration).order_by(Registration.id)))
    token = regs[0].booking.manage_token
    for n, reg in enumerate(regs):
        response = client.post(f"/b/{token}/cancel/{reg.id}", data={})
        assert response.status_code == 302
        p = payment(db)
        if n == 0:
            assert p.total_cents == 24000 and p.state == "awaiting_payment"
    assert p.total_cents == 0 and p.state == "cancelled"


def test_cancelling_one_stage_at_a_per_stage_rate_takes_its_line_off(client, db, tour):
    book(client, tour, tour["rates"]["stage"], tour["stages"][:2])
    reg = db.session.scalar(select(Registration).order_by(Registration.id))
    client.post(f"/b/{reg.booking.manage_token}/cancel/{reg.id}", data={})
    p = payment(db)
    assert p.total_cents == 6000 and len(lines(db, p)) == 1 and p.state == "awaiting_payment"


def test_the_release_at_the_deadline_frees_every_stage(client, db, tour):
    book(client, tour, tour["rates"]["pass"], tour["stages"])
    p = payment(db)
    report = holds.release_due(p.due_at + timedelta(seconds=1))
    assert report["released"] == 1
    db.session.rollback()
    statuses = set(db.session.scalars(select(Registration.status)))
    assert statuses == {"cancelled"}
    assert db.session.get(BookingPayment, p.id).state == "cancelled"


def test_a_tampered_rate_of_another_event_is_refused(client, db, tour, factory):
    other = factory.event()
    foreign = PriceCategory(event_id=other.id, kind="member", name_fr="X", price_cents=1)
    db.session.add(foreign)
    db.session.commit()
    response = book(client, tour, foreign, tour["stages"][:1])
    assert response.status_code in (400, 422)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_organiser_sets_a_tours_rate_per_stage_and_stages_take_none(client, db, tour, login):
    login(tour["manager"])
    url = f"/organiser/events/{tour['tour'].id}/rates"
    page = text(client.get(url))
    assert "Par étape\u00a0: le prix de chaque étape réservée" in page
    response = client.post(
        url,
        data={
            "price-kind": "student",
            "price-name_fr": "Étudiant",
            "price-price": "20",
            "price-vat": "20",
            "price-verification": "none",
            "price-active": "y",
            "price-per_stage": "1",
        },
    )
    assert response.status_code == 302, text(response)
    db.session.rollback()
    made = db.session.scalar(select(PriceCategory).where(PriceCategory.name_fr == "Étudiant"))
    assert made.per_stage is True and made.event_id == tour["tour"].id
    stage_page = text(client.get(f"/organiser/events/{tour['stages'][0].id}/rates"))
    assert "price-price" not in stage_page and "tarifs du Tour" in stage_page


def _tour_booker(tour_id, stage_ids, category_id):
    def run(n):
        try:
            with write_transaction():
                tour = _db.session.get(Event, tour_id)
                stage = _db.session.get(Event, stage_ids[n % len(stage_ids)])
                person = Participant(
                    first_name="P", last_name=str(n), email=f"p{n}@univ.fr", category="academic"
                )
                result = bookings.book([stage], [person], origin=tour)
                checkout.start(
                    result.booking,
                    tour,
                    checkout.Choice(category_id),
                    [o.registration for o in result.created],
                )
            return "booked"
        except FeeError as error:
            return str(error.code)

    return run


def test_a_tour_rates_quota_holds_under_bookings_of_different_stages(app, db, tour):
    """Different stages mean different seat locks: the tour's lock is what counts the quota."""
    rate = tour["rates"]["stage"]
    rate.quota = 5
    for stage in tour["stages"]:
        stage.capacity = 100
    db.session.commit()
    stage_ids = [s.id for s in tour["stages"]]
    errors, results = race(app, _tour_booker(tour["tour"].id, stage_ids, rate.id), 24)
    assert errors == []
    assert sorted(results.values()).count("booked") == 5
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(BookingLine)) == 5
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 5
