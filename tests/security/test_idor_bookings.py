"""The booking links (/b/<token>/...) and the waiting-list offer links (/r/<token>/offer/...),
walked like the manage links (test_idor.py): every booking URL is found through its
declaration; an altered token opens nothing; a booking's page shows only its own people; a
registration id of another booking changes nothing; an anonymised booking's old link is dead;
one person's offer link cannot answer another person's offer."""

from datetime import timedelta

import pytest

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import Booking, Event, Registration, utcnow
from eventapp.permissions.guard import AccessKind
from eventapp.services import bookings
from eventapp.services.registrations import Participant
from tests.security.test_idor import _altered
from tests.security.test_permissions import methods_of, rules_where


def booking_paths(app):
    """Every booker's URL: (path after the token with ids filled in by `ids`, its methods)."""
    rules = rules_where(app, lambda access: access.kind == AccessKind.BOOKING_LINK)
    assert len(rules) >= 3
    return [(rule.rule.removeprefix("/b/<token>"), methods_of(rule)) for rule in rules]


def _fill(path: str, registration_id: int) -> str:
    return path.replace("<id:registration_id>", str(registration_id))


def _book(event_id, first, email):
    with write_transaction():
        result = bookings.book(
            [_db.session.get(Event, event_id)],
            [Participant(first_name=first, last_name="Test", email=email, category="biotech")],
        )
    return result.booking.id


@pytest.fixture
def two_bookings(factory):
    event = factory.event(capacity=1, title_fr="Congrès France Bioproduction")
    alice = _book(event.id, "Alice", "alice@ex.org")
    bruno = _book(event.id, "Bruno", "bruno@ex.org")  # waitlisted: the event is full
    _db.session.expire_all()
    return {
        "event": event,
        "alice": _db.session.get(Booking, alice),
        "bruno": _db.session.get(Booking, bruno),
    }


def _registration(booking) -> Registration:
    return _db.session.scalar(_db.select(Registration).where(Registration.booking_id == booking.id))


def test_altered_booking_tokens_open_nothing(app, two_bookings):
    client = app.test_client()
    alice = two_bookings["alice"]
    reg = _registration(alice)
    for bad in _altered(alice.manage_token):
        for path, methods in booking_paths(app):
            url = f"/b/{bad}{_fill(path, reg.id)}"
            for method in methods:
                response = client.open(url, method=method, data={"stages": "1"})
                assert response.status_code == 404, (bad, path, method, response.status_code)
                assert b"Alice" not in response.get_data()
    _db.session.expire_all()
    assert _registration(alice).status == "confirmed"


def test_a_booking_token_only_ever_shows_its_own_people(app, two_bookings):
    client = app.test_client()
    for me, them in (("alice", "bruno"), ("bruno", "alice")):
        mine, theirs = two_bookings[me], two_bookings[them]
        my_reg, their_reg = _registration(mine), _registration(theirs)
        for path, _methods in booking_paths(app):
            if "<id:" in path:
                continue  # the registration pages are walked below
            response = client.get(f"/b/{mine.manage_token}{path}")
            if response.status_code == 302:  # e.g. /pay of a free booking: back to the booking
                assert response.headers["Location"].startswith(f"/b/{mine.manage_token}"), path
                continue
            assert response.status_code in (200, 405), (me, path)
            text = response.get_data(as_text=True)
            assert their_reg.first_name not in text and theirs.email not in text, (me, path)
            assert their_reg.manage_token not in text and theirs.manage_token not in text
        # Someone else's registration id under my booking: nothing shown, nothing changed.
        for method in ("GET", "POST"):
            response = client.open(f"/b/{mine.manage_token}/cancel/{their_reg.id}", method=method)
            assert response.status_code == 302
            assert response.headers["Location"] == f"/b/{mine.manage_token}"
        _db.session.expire_all()
        assert _db.session.get(Registration, their_reg.id).is_live
        assert _db.session.get(Registration, my_reg.id).is_live


def test_an_anonymised_bookings_old_link_opens_nothing(app, two_bookings):
    alice = two_bookings["alice"]
    old = alice.manage_token
    reg = _registration(alice)
    response = app.test_client().post(
        f"/r/{reg.manage_token}/erase", data={"scope": "this", "confirm": "y"}
    )
    assert response.status_code == 302
    client = app.test_client()
    for path, _methods in booking_paths(app):
        response = client.get(f"/b/{old}{_fill(path, reg.id)}")
        assert response.status_code in (404, 405), path
        assert b"Alice" not in response.get_data()


def test_an_offer_link_answers_only_its_own_offer(app, two_bookings):
    """Bruno holds an offer; Alice's links (and an altered Bruno link) cannot touch it."""
    bruno_reg = _registration(two_bookings["bruno"])
    alice_reg = _registration(two_bookings["alice"])
    bruno_reg.offered_at = utcnow()
    bruno_reg.offer_expires_at = utcnow() + timedelta(hours=48)
    alice_reg.status = "cancelled"
    _db.session.commit()
    client = app.test_client()
    for answer in ("accept", "decline"):
        response = client.post(f"/r/{alice_reg.manage_token}/offer/{answer}", data={})
        assert response.status_code == 302
        for bad in _altered(bruno_reg.manage_token):
            assert client.post(f"/r/{bad}/offer/{answer}", data={}).status_code == 404
    _db.session.expire_all()
    bruno_reg = _db.session.get(Registration, bruno_reg.id)
    assert bruno_reg.status == "waitlisted" and bruno_reg.offer_expires_at is not None
    page = client.get(f"/r/{alice_reg.manage_token}/offer/accept").get_data(as_text=True)
    assert "Bruno" not in page and bruno_reg.manage_token not in page
