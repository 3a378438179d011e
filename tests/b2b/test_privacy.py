"""Retention of B2B data: the directory profile goes with the person's erasure; the per-event
participation, its requests (messages) and meetings go with the registration's anonymisation
(erasure or the event's retention purge)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    Event,
    Meeting,
    MeetingRequest,
    NetworkProfile,
    Registration,
    utcnow,
)
from eventapp.services import privacy
from eventapp.services.b2b import scheduling
from eventapp.services.b2b.profiles import ProfileData, opt_in
from tests.b2b.helpers import accepted, join, open_b2b


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_erasure_deletes_the_directory_profile_and_the_participations(factory):
    stage = open_b2b(factory)
    congress = open_b2b(factory)
    me = join(factory, congress, offers=["mabs"], email="erase.me@example.org", last_name="Me")
    other = join(factory, congress, last_name="Other")
    join(factory, stage, offers=["mabs"], email="erase.me@example.org", organisation="Old Co")
    request = accepted(congress, other, me)
    from eventapp.models import B2BSlot, B2BTable

    slot = db.session.scalars(select(B2BSlot).where(B2BSlot.event_id == congress.id)).first()
    table = db.session.scalars(select(B2BTable).where(B2BTable.event_id == congress.id)).first()
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, request.id), slot.id, table.id)
    assert _count(NetworkProfile) == 3 and _count(Meeting) == 1
    with write_transaction():
        mine = db.session.get(Registration, me.registration_id)
        privacy.erase(privacy.registrations_of_person(mine))
    db.session.rollback()
    assert db.session.scalar(
        select(func.count()).select_from(NetworkProfile).where(
            NetworkProfile.email == "erase.me@example.org"
        )
    ) == 0  # fmt: skip
    assert _count(NetworkProfile) == 1  # the other person's stays
    assert _count(B2BParticipant) == 1
    assert _count(MeetingRequest) == 0 and _count(Meeting) == 0


def test_the_event_purge_removes_the_per_event_data_and_keeps_the_directory(factory):
    event = open_b2b(factory)
    a = join(factory, event, last_name="A", email="a@example.org")
    b = join(factory, event, last_name="B")
    accepted(event, a, b)
    with write_transaction():
        ended = db.session.get(Event, event.id)
        ended.starts_at = utcnow() - timedelta(days=800)
        ended.ends_at = utcnow() - timedelta(days=799)
    with write_transaction():
        privacy.purge_event(db.session.get(Event, event.id), None, actor="system")
    db.session.rollback()
    assert _count(B2BParticipant) == 0 and _count(MeetingRequest) == 0
    # The directory profile is the person's, across events: it stays until their erasure.
    assert _count(NetworkProfile) == 2
    later = open_b2b(factory)
    again = factory.registration(later, email="a@example.org", organisation_name="Org A")
    with write_transaction():
        opt_in(
            db.session.get(Registration, again.id),
            ProfileData(organisation_name="Org A", category="biotech", region=None),
        )
    assert _count(NetworkProfile) == 2


def test_a_cancelled_registration_gives_back_its_meetings(client, factory):
    from eventapp.models import B2BSlot, B2BTable

    event = open_b2b(factory)
    a = join(factory, event, last_name="A")
    b = join(factory, event, last_name="B")
    request = accepted(event, a, b)
    slot = db.session.scalars(select(B2BSlot)).first()
    table = db.session.scalars(select(B2BTable)).first()
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, request.id), slot.id, table.id)
    token = db.session.get(Registration, a.registration_id).manage_token
    assert client.post(f"/r/{token}/cancel").status_code == 302
    db.session.rollback()
    assert _count(Meeting) == 0 and _count(MeetingRequest) == 0
    assert _count(B2BParticipant) == 1 and _count(NetworkProfile) == 2


def test_the_data_download_holds_the_b2b_profile_and_own_messages(client, factory):
    import json

    event = open_b2b(factory)
    me = join(factory, event, offers=["mabs"], pitch="Anticorps", last_name="Me")
    other = join(factory, event, last_name="Other")
    token = db.session.get(Registration, me.registration_id).manage_token
    client.post(f"/r/{token}/b2b/people/{other.id}", data={"message": "Mon message"})
    data = json.loads(client.get(f"/r/{token}/data.json").get_data(as_text=True))
    assert data["b2b"]["profiles"][0]["pitch"] == "Anticorps"
    assert data["b2b"]["meeting_requests"] == [
        {"sent": True, "status": "pending", "message": "Mon message",
         "created_at": data["b2b"]["meeting_requests"][0]["created_at"]}
    ]  # fmt: skip
