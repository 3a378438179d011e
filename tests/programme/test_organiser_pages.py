"""The organiser's programme pages: the timetable with rooms as columns and its conflict
warnings, session and speaker forms (bad input kept, 4xx), photos re-encoded, another
organisation's ids 404, check-in staff at the session door, publishing e-mails once per person."""

import io
from datetime import timedelta

from PIL import Image
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import (
    OutboxMessage,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    Speaker,
)
from eventapp.models.programme import session_speaker
from eventapp.organiser.forms import to_local
from eventapp.services import programme
from tests.programme.conftest import session_at


def _local(moment):
    return to_local(moment).strftime("%Y-%m-%dT%H:%M")


def _form(event, session, **changes):
    data = {
        "kind": str(session.kind),
        "title_fr": session.title_fr,
        "title_en": session.title_en,
        "starts_at": _local(session.starts_at),
        "ends_at": _local(session.ends_at),
        "room_id": str(session.room_id or ""),
        "track_id": str(session.track_id or ""),
        "seat_limit": str(session.seat_limit or ""),
        "description_fr": "",
        "description_en": "",
    }
    data.update(changes)
    return data


def test_the_timetable_shows_rooms_as_columns_and_warns_of_conflicts(
    app, client, congress, login, db
):
    event, s = congress["event"], congress["sessions"]
    # The vectors workshop's speaker is also in the parallel one: a conflict.
    mabs = db.session.get(ProgrammeSession, s["mabs"].id)
    mabs.seat_limit = 500  # above the Auditorium's 400
    db.session.execute(
        session_speaker.insert().values(
            session_id=mabs.id, speaker_id=congress["speakers"]["unlisted"].id
        )
    )
    db.session.commit()
    session_at(event, "Visite tardive", 20, kind="visit")  # after the event's end
    login(congress["manager"])
    page = client.get(f"/organiser/events/{event.id}/programme").get_data(as_text=True)
    assert "Auditorium" in page and "Salle Pasteur" in page
    assert "tt-cols2" in page
    assert "Paul Secret parle à deux endroits à la fois" in page
    assert "3 conflits" in page
    with app.test_request_context():
        conflicts = programme.find_conflicts(event, programme.draft_sessions(event))
    assert {c.kind for c in conflicts} == {"speaker", "capacity", "dates"}


def test_a_room_double_booked_is_a_conflict(app, congress, db):
    event, hall = congress["event"], congress["rooms"]["hall"]
    session_at(event, "Doublon", 2, room_id=hall.id)
    with app.test_request_context():
        found = programme.find_conflicts(event, programme.draft_sessions(event))
    kinds = [c.kind for c in found]
    assert kinds.count("room") == 1


def test_timetable_query_count_does_not_grow_with_sessions(client, congress, login, query_counter):
    event = congress["event"]
    login(congress["manager"])
    url = f"/organiser/events/{event.id}/programme"
    client.get(url)
    with query_counter() as few:
        client.get(url)
    for n in range(15):
        session_at(event, f"Atelier {n}", 5 + n % 4, room_id=congress["rooms"]["small"].id)
    with query_counter() as many:
        client.get(url)
    assert len(many) == len(few)


def test_create_a_session_and_bad_input_is_kept(client, congress, login, db):
    event = congress["event"]
    login(congress["manager"])
    url = f"/organiser/events/{event.id}/programme/sessions/new"
    assert client.get(url).status_code == 200
    template = congress["sessions"]["later"]
    bad = _form(
        event,
        template,
        title_fr="Table ronde des pôles",
        ends_at=_local(template.starts_at - timedelta(hours=1)),
    )
    response = client.post(url, data=bad)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Table ronde des pôles" in body
    response = client.post(
        url,
        data=_form(
            event,
            template,
            title_fr="Table ronde des pôles",
            kind="round_table",
            speakers=[str(congress["speakers"]["listed"].id)],
        ),
    )
    assert response.status_code == 302
    db.session.rollback()
    made = db.session.scalar(
        select(ProgrammeSession).where(ProgrammeSession.title_fr == "Table ronde des pôles")
    )
    assert made.published_at is None and made.kind == "round_table"
    # Not published yet: not public.
    assert client.get(f"/events/{event.slug}/programme/sessions/{made.id}").status_code == 404


def test_another_events_room_or_speaker_is_refused(client, congress, login, factory, db):
    event = congress["event"]
    other = factory.event(organisers=[congress["org"]])
    from eventapp.models import Room

    foreign_room = Room(event_id=other.id, name="Ailleurs")
    db.session.add(foreign_room)
    db.session.commit()
    login(congress["manager"])
    template = congress["sessions"]["later"]
    response = client.post(
        f"/organiser/events/{event.id}/programme/sessions/{template.id}",
        data=_form(event, template, room_id=str(foreign_room.id)),
    )
    assert response.status_code in (400, 422)


def test_another_organisations_sessions_are_404(client, congress, factory, login):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    outsider = factory.user(factory.organisation(name="Eurobiomed"), "manager")
    login(outsider)
    for url in (
        f"/organiser/events/{event.id}/programme",
        f"/organiser/events/{event.id}/programme/sessions/{vectors.id}",
        f"/organiser/events/{event.id}/programme/sessions/{vectors.id}/door",
        f"/organiser/events/{event.id}/programme/speakers",
    ):
        assert client.get(url).status_code == 404, url
    # Their own event with our session id: 404 too.
    own = factory.event(organisers=[outsider.memberships[0].organisation])
    assert (
        client.get(f"/organiser/events/{own.id}/programme/sessions/{vectors.id}").status_code == 404
    )


def _png(size=(800, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 80, 140)).save(out, format="JPEG")
    return out.getvalue()


def test_speaker_photo_is_reencoded_and_a_bad_file_is_refused(client, congress, login, db):
    event = congress["event"]
    login(congress["manager"])
    url = f"/organiser/events/{event.id}/programme/speakers"
    response = client.post(
        url,
        data={
            "name": "Nadia Bensaïd",
            "organisation": "Genopole",
            "photo": (io.BytesIO(b"<?php echo 1; ?>"), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "Nadia Bensaïd" in response.get_data(as_text=True)
    response = client.post(
        url,
        data={
            "name": "Nadia Bensaïd",
            "organisation": "Genopole",
            "consent_listed": "y",
            "photo": (io.BytesIO(_png()), "photo.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    db.session.rollback()
    speaker = db.session.scalar(select(Speaker).where(Speaker.name == "Nadia Bensaïd"))
    stored = Image.open(io.BytesIO(speaker.photo_png))
    assert stored.format == "PNG" and max(stored.size) <= 512
    photo = client.get(f"/organiser/events/{event.id}/programme/speakers/{speaker.id}/photo.png")
    assert photo.status_code == 200 and photo.mimetype == "image/png"


def test_publishing_emails_each_person_once_with_all_their_changes(
    client, congress, login, factory, db
):
    event, s = congress["event"], congress["sessions"]
    person = factory.registration(event, first_name="Inès")
    bystander = factory.registration(event)
    with write_transaction():
        reg = _db.session.get(Registration, person.id)
        programme.sign_up(reg, _db.session.get(ProgrammeSession, s["vectors"].id))
        programme.sign_up(reg, _db.session.get(ProgrammeSession, s["later"].id))
    login(congress["manager"])
    vectors = s["vectors"]
    published_start = vectors.starts_at
    moved = _form(
        event,
        vectors,
        starts_at=_local(vectors.starts_at + timedelta(hours=5)),
        ends_at=_local(vectors.ends_at + timedelta(hours=5)),
        speakers=[str(congress["speakers"]["unlisted"].id)],
    )
    assert (
        client.post(
            f"/organiser/events/{event.id}/programme/sessions/{vectors.id}", data=moved
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/organiser/events/{event.id}/programme/sessions/{s['later'].id}/cancel"
        ).status_code
        == 302
    )
    # The public programme still shows the published times until publication.
    db.session.rollback()
    fresh = db.session.get(ProgrammeSession, vectors.id)
    assert fresh.published_starts_at == published_start and fresh.has_draft_changes
    assert client.post(f"/organiser/events/{event.id}/programme/publish").status_code == 302
    db.session.rollback()
    messages = list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "programme_changed"))
    )
    assert [m.registration_id for m in messages] == [person.id]
    body = messages[0].body_text
    assert "Vecteurs viraux" in body and "Thérapie cellulaire" in body and "Annulée" in body
    assert bystander.id not in {m.registration_id for m in messages}
    # Publishing again with nothing new: said so, no e-mail.
    response = client.post(f"/organiser/events/{event.id}/programme/publish", follow_redirects=True)
    assert "déjà à jour" in response.get_data(as_text=True)


def test_checkin_staff_count_people_in_at_the_door(client, congress, login, factory, db):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    signed, other, late = (factory.registration(event) for _ in range(3))
    with write_transaction():
        programme.sign_up(
            _db.session.get(Registration, signed.id), _db.session.get(ProgrammeSession, vectors.id)
        )
        programme.sign_up(
            _db.session.get(Registration, other.id), _db.session.get(ProgrammeSession, vectors.id)
        )
    login(congress["checkin"])
    url = f"/organiser/events/{event.id}/programme/sessions/{vectors.id}/door"
    assert client.get(f"/organiser/events/{event.id}/programme/doors").status_code == 200
    assert client.get(f"/organiser/events/{event.id}/programme").status_code == 404  # not theirs
    assert client.post(url, data={"code": signed.ticket_code}).status_code == 302
    assert client.post(url, data={"code": signed.ticket_code}).status_code == 302  # twice: once
    response = client.post(url, data={"code": late.ticket_code})
    assert response.status_code == 409
    assert "complet" in response.get_data(as_text=True)
    response = client.post(url, data={"code": "NOPE"})
    assert response.status_code == 422
    stranger = factory.registration(factory.event())
    assert client.post(url, data={"code": stranger.ticket_code}).status_code == 409
    assert client.post(url + "/tick", data={"registration_id": str(other.id)}).status_code == 302
    db.session.rollback()
    present = set(db.session.scalars(select(SessionAttendance.registration_id)))
    assert present == {signed.id, other.id}
    page = client.get(url).get_data(as_text=True)
    assert 'data-testid="door-count">2<' in page


def test_a_speaker_is_deleted_with_their_photo_and_leaves_their_sessions(
    client, congress, login, db
):
    from eventapp.models.programme import session_speaker

    event, speaker_id = congress["event"], congress["speakers"]["listed"].id
    plenary_id = congress["sessions"]["plenary"].id
    login(congress["manager"])
    url = f"/organiser/events/{event.id}/programme/speakers/{speaker_id}/delete"
    assert client.post(url).status_code == 302  # not confirmed
    assert db.session.get(Speaker, speaker_id) is not None
    assert client.post(url, data={"delete-confirm": "y"}).status_code == 302
    db.session.rollback()
    db.session.expunge_all()
    assert db.session.get(Speaker, speaker_id) is None
    assert db.session.get(ProgrammeSession, plenary_id) is not None
    assert not db.session.execute(
        session_speaker.select().where(session_speaker.c.speaker_id == speaker_id)
    ).all()
