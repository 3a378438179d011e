"""A congress with a small programme: two rooms, a track, speakers, a plenary and two parallel
workshops (one with 2 places), published; organisers of the congress and of another pole."""

from datetime import timedelta

import pytest

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import ProgrammeSession, Room, Speaker, Track, utcnow
from eventapp.services import programme


def session_at(event, title, start_hours, length_hours=1, **kw):
    """A draft session `start_hours` after the event's start."""
    starts = event.starts_at + timedelta(hours=start_hours)
    session = ProgrammeSession(
        event_id=event.id,
        kind=kw.pop("kind", "workshop"),
        title_fr=title,
        title_en=kw.pop("title_en", title + " (en)"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=length_hours),
        speakers=kw.pop("speakers", []),
        **kw,
    )
    _db.session.add(session)
    _db.session.commit()
    return session


def publish(event_id):
    from eventapp.models import Event

    with write_transaction():
        return programme.publish(_db.session.get(Event, event_id))


@pytest.fixture
def congress(db, factory):
    medicen = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    starts = (utcnow() + timedelta(days=30)).replace(hour=7, minute=0, second=0, microsecond=0)
    event = factory.event(
        organisers=[medicen],
        title_fr="Congrès France Bioproduction",
        starts_at=starts,
        ends_at=starts + timedelta(hours=10),
        capacity=500,
    )
    hall = Room(event_id=event.id, name="Auditorium", capacity=400, position=0)
    small = Room(event_id=event.id, name="Salle Pasteur", capacity=30, position=1)
    track = Track(event_id=event.id, name_fr="Procédés", name_en="Process", colour="green")
    listed = Speaker(
        event_id=event.id, name="Claire Dupont", organisation="Sanofi", consent_listed=True
    )
    unlisted = Speaker(event_id=event.id, name="Paul Secret", organisation="Yposkesi")
    db.session.add_all([hall, small, track, listed, unlisted])
    db.session.commit()
    plenary = session_at(
        event, "Plénière d’ouverture", 1, kind="plenary", room_id=hall.id, speakers=[listed]
    )
    vectors = session_at(
        event,
        "Vecteurs viraux",
        2,
        room_id=small.id,
        track_id=track.id,
        seat_limit=2,
        speakers=[unlisted],
    )
    mabs = session_at(event, "Procédés anticorps", 2, room_id=hall.id, seat_limit=50)
    later = session_at(event, "Thérapie cellulaire", 4, room_id=small.id, seat_limit=20)
    publish(event.id)
    return {
        "org": medicen,
        "event": event,
        "rooms": {"hall": hall, "small": small},
        "track": track,
        "speakers": {"listed": listed, "unlisted": unlisted},
        "sessions": {"plenary": plenary, "vectors": vectors, "mabs": mabs, "later": later},
        "manager": factory.user(medicen, "manager"),
        "checkin": factory.user(medicen, "checkin"),
        "viewer": factory.user(medicen, "viewer"),
    }
