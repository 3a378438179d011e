"""The check-in desk shows "unpaid" for a booking that is not paid, and nothing for a paid or
free one."""

from sqlalchemy import select

from eventapp.models import BookingPayment, Registration
from eventapp.services import tickets
from tests.fees.conftest import form

JSON = {"Accept": "application/json"}


def test_the_desk_says_unpaid_with_what_is_left(client, db, paid, factory, login):
    event = paid["event"]
    client.post(f"/events/{event.slug}/register", data=form(paid["rates"]["member"]))
    free = factory.registration(event)
    db.session.rollback()
    registration = db.session.scalar(
        select(Registration).where(Registration.email == "lea.durand@sanofi.com")
    )
    staff = factory.user(paid["org"], role="checkin")
    login(staff)
    client.post(f"/organiser/events/{event.id}/checkin/desk", data={"desk": "Accueil"})
    answer = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": tickets.payload(registration)},
        headers=JSON,
    ).json
    assert answer["state"] == "checked_in" and answer["unpaid"] is True
    assert answer["tone"] == "warn" and "Impayé" in answer["details"]
    assert "468,00" in answer["details"]
    other = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": tickets.payload(free)},
        headers=JSON,
    ).json
    assert other["state"] == "checked_in" and "unpaid" not in other
    payment = db.session.scalar(select(BookingPayment))
    payment.state, payment.paid_cents = "paid", payment.total_cents
    db.session.commit()
    again = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": tickets.payload(registration)},
        headers=JSON,
    ).json
    assert again["state"] == "already" and "unpaid" not in again
