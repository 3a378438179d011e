"""Answering a waiting-list offer from its e-mail: the accept/decline pages change nothing on a
GET, take the answer on a POST, and refuse an offer that has expired; the manage page, the
booking page and the organiser's list show the offer and its deadline."""

import html
from datetime import timedelta

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Event, EventOrganiser, Registration, utcnow
from eventapp.services import bookings
from eventapp.services import registrations as svc


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def book(event, n):
    with write_transaction():
        result = bookings.book(
            [_db.session.get(Event, event.id)],
            [
                svc.Participant(
                    first_name="Léa",
                    last_name=f"Durand{n}",
                    email=f"lea{n}@example.org",
                    category="biotech",
                )
            ],
        )
    return result.outcomes[0].registration


def offered(factory):
    """A full event of one seat; its seat freed: the first of two waiting holds the offer."""
    event = factory.event(capacity=1, title_fr="Journées du Biotesting")
    seated = book(event, 1)
    first, second = book(event, 2), book(event, 3)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated.id))
    _db.session.expire_all()
    return event, _db.session.get(Registration, first.id), _db.session.get(Registration, second.id)


def test_the_pages_show_the_offer_and_its_deadline(client, factory, login):
    _event, first, second = offered(factory)
    page = text(client.get(f"/r/{first.manage_token}"))
    assert "Une place se libère pour vous" in page
    assert f"/r/{first.manage_token}/offer/accept" in page
    booking = _db.session.get(bookings.Booking, first.booking_id)
    page = text(client.get(f"/b/{booking.manage_token}"))
    assert "Place proposée — répondre avant le" in page
    assert f"/r/{first.manage_token}/offer/decline" in page
    # The next in line sees their position, and no offer.
    page = text(client.get(f"/r/{second.manage_token}"))
    assert "position 1" in page and "/offer/accept" not in page


def test_organiser_list_shows_offers_out_and_their_deadlines(client, factory, login):
    org = factory.organisation()
    manager = factory.user(org)
    event, first, _second = offered(factory)
    event = _db.session.get(Event, event.id)
    _db.session.add(EventOrganiser(event_id=event.id, organisation_id=org.id, role="lead"))
    _db.session.commit()
    login(manager)
    page = text(client.get(f"/organiser/events/{event.id}/attendees"))
    assert "offre en cours jusqu’au" in page
    overview = text(client.get(f"/organiser/events/{event.id}"))
    assert "Offres en cours (places réservées)" in overview
    person = text(client.get(f"/organiser/events/{event.id}/attendees/{first.id}"))
    assert "est proposée à cette personne" in person


def test_accept_asks_then_confirms_and_emails_the_ticket(client, factory, mail_outbox):
    _event, first, second = offered(factory)
    url = f"/r/{first.manage_token}/offer/accept"
    page = client.get(url)
    assert page.status_code == 200 and "Oui, je prends la place" in text(page)
    _db.session.expire_all()
    assert _db.session.get(Registration, first.id).status == "waitlisted"  # a GET: nothing
    mail_outbox.clear()
    response = client.post(url, data={})
    booking = _db.session.get(bookings.Booking, first.booking_id)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/b/{booking.manage_token}"
    _db.session.expire_all()
    assert _db.session.get(Registration, first.id).status == "confirmed"
    assert _db.session.get(Registration, second.id).offer_expires_at is None
    [mail] = mail_outbox
    assert mail.to == [first.email] and any(a[0].endswith(".pdf") for a in mail.attachments)
    # Answering again: the offer is gone, nothing changes.
    page = text(client.get(url))
    assert "Cette offre n’est plus ouverte" in page and "Votre place est confirmée." in page


def test_decline_passes_the_place_on(client, factory, mail_outbox):
    _event, first, second = offered(factory)
    mail_outbox.clear()
    response = client.post(f"/r/{first.manage_token}/offer/decline", data={})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Registration, first.id).status == "cancelled"
    assert _db.session.get(Registration, second.id).offer_expires_at is not None
    assert [m.to for m in mail_outbox] == [[second.email]]


def test_an_expired_offer_is_refused_with_its_reason(client, factory):
    _event, first, _second = offered(factory)
    first.offer_expires_at = utcnow() - timedelta(minutes=1)
    _db.session.commit()
    page = text(client.get(f"/r/{first.manage_token}/offer/accept"))
    assert "Cette offre n’est plus ouverte" in page and "a expiré" in page
    response = client.post(f"/r/{first.manage_token}/offer/accept", data={}, follow_redirects=True)
    assert "Cette offre a expiré" in text(response)
    _db.session.expire_all()
    assert _db.session.get(Registration, first.id).status == "waitlisted"  # the job passes it on
