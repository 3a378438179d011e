"""The booking service and page: one booking for several stages (one full), one e-mail listing
every registration, one link; add a stage, correct details once, cancel one."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.models import Booking, Registration
from eventapp.services import bookings
from eventapp.services.registrations import Participant


def person(**kw):
    values = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@example.org",
        "category": "industrial",
        "organisation_name": "Sanofi",
        "job_title": "Ingénieure",
        "region": "idf",
    }
    values.update(kw)
    return Participant(**values)


def test_three_stages_one_full_make_one_booking_and_one_email(db, factory, mail_outbox, app):
    tour = factory.event(kind="tour", capacity=None)
    stages = [factory.event(parent_id=tour.id, position=n, capacity=5) for n in range(3)]
    stages[2].capacity = 0
    db.session.commit()
    with write_transaction():
        result = bookings.book(stages, [person()], origin=tour)
    booking = db.session.get(Booking, result.booking.id)
    regs = db.session.scalars(select(Registration).order_by(Registration.event_id)).all()
    assert {r.booking_id for r in regs} == {booking.id}
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted"]
    [message] = mail_outbox
    assert booking.reference in message.subject
    assert f"/b/{booking.manage_token}" in message.body
    assert message.body.count("Place confirmée") == 2 and "Sur liste d’attente" in message.body
    assert {name for name, *_ in message.attachments} == {"tickets.pdf", "events.ics"}


def test_the_booking_page_adds_a_stage_corrects_once_and_cancels_one(
    client, db, factory, mail_outbox
):
    tour = factory.event(kind="tour", capacity=None)
    stages = [factory.event(parent_id=tour.id, position=n, capacity=5) for n in range(3)]
    with write_transaction():
        result = bookings.book(stages[:2], [person()], origin=tour)
        token = result.booking.manage_token
    page = client.get(f"/b/{token}")
    assert page.status_code == 200 and result.booking.reference in page.text
    added = client.post(f"/b/{token}/add", data={"stages": [stages[2].id]})
    assert added.status_code == 302
    corrected = client.post(
        f"/b/{token}",
        data={
            "first_name": "Léa",
            "last_name": "Durand",
            "organisation_name": "Sanofi",
            "job_title": "Directrice",
            "category": "industrial",
            "region": "idf",
        },
    )
    assert corrected.status_code == 302
    db.session.rollback()
    titles = db.session.scalars(select(Registration.job_title)).all()
    assert titles == ["Directrice"] * 3
    first = db.session.scalar(select(Registration).order_by(Registration.event_id))
    assert client.post(f"/b/{token}/cancel/{first.id}").status_code == 302
    db.session.rollback()
    statuses = db.session.scalars(select(Registration.status).order_by(Registration.event_id))
    assert list(statuses) == ["cancelled", "confirmed", "confirmed"]
    assert db.session.scalar(select(func.count()).select_from(Booking)) == 1


def test_an_unknown_booking_link_is_a_404(client):
    assert client.get("/b/" + "x" * 43).status_code == 404
