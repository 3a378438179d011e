"""The public programme (by day, track filter, session page, consented speakers only, print,
.ics) linked from the event page; the participant's programme behind the manage link (sign up,
refused overlap, star, agenda .ics, the manage page's block); the certificate after the event;
the retention rules."""

from datetime import timedelta

from icalendar import Calendar
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import (
    Event,
    OutboxMessage,
    ProgrammeSession,
    Registration,
    SessionAttendance,
    SessionSignup,
    SessionStar,
    Speaker,
    utcnow,
)
from eventapp.services import programme
from eventapp.services.privacy import retention
from tests.programme.conftest import session_at


def test_the_event_page_links_to_the_programme(client, congress):
    event = congress["event"]
    page = client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert f"/events/{event.slug}/programme" in page


def test_no_link_and_404_before_publication(client, factory):
    event = factory.event()
    session_at(event, "Brouillon", 1)
    assert f"/events/{event.slug}/programme" not in client.get(f"/events/{event.slug}").text
    assert client.get(f"/events/{event.slug}/programme").status_code == 404


def test_the_public_programme_by_day_with_a_track_filter(client, congress):
    event, track = congress["event"], congress["track"]
    page = client.get(f"/events/{event.slug}/programme").get_data(as_text=True)
    for title in ("Plénière d’ouverture", "Vecteurs viraux", "Procédés anticorps"):
        assert title in page
    assert "Claire Dupont" in page and "Paul Secret" not in page  # consent only
    filtered = client.get(f"/events/{event.slug}/programme?track={track.id}").get_data(as_text=True)
    assert "Vecteurs viraux" in filtered and "Procédés anticorps" not in filtered
    odd = client.get(f"/events/{event.slug}/programme?track=99999999999999999999")
    assert odd.status_code == 200


def test_a_draft_session_stays_off_the_public_pages(client, congress):
    event = congress["event"]
    draft = session_at(event, "Session secrète", 6)
    assert "Session secrète" not in client.get(f"/events/{event.slug}/programme").get_data(
        as_text=True
    )
    assert client.get(f"/events/{event.slug}/programme/sessions/{draft.id}").status_code == 404


def test_speakers_page_lists_consenting_speakers_only(client, congress):
    event = congress["event"]
    page = client.get(f"/events/{event.slug}/speakers").get_data(as_text=True)
    assert "Claire Dupont" in page and "Paul Secret" not in page
    unlisted = congress["speakers"]["unlisted"]
    assert client.get(f"/events/{event.slug}/speakers/{unlisted.id}/photo.png").status_code == 404


def test_session_page_print_and_calendars(client, congress):
    event, plenary = congress["event"], congress["sessions"]["plenary"]
    page = client.get(f"/events/{event.slug}/programme/sessions/{plenary.id}")
    assert page.status_code == 200 and "Claire Dupont" in page.get_data(as_text=True)
    assert client.get(f"/events/{event.slug}/programme/print").status_code == 200
    whole = Calendar.from_ical(client.get(f"/events/{event.slug}/programme.ics").data)
    assert len(whole.walk("VEVENT")) == 4
    one = client.get(f"/events/{event.slug}/programme/sessions/{plenary.id}.ics")
    assert one.mimetype == "text/calendar"
    (item,) = Calendar.from_ical(one.data).walk("VEVENT")
    assert str(item["SUMMARY"]) == "Plénière d’ouverture"
    assert "Auditorium" in str(item["LOCATION"])


def test_public_programme_query_count_does_not_grow(client, congress, query_counter):
    event = congress["event"]
    url = f"/events/{event.slug}/programme"
    client.get(url)
    with query_counter() as few:
        client.get(url)
    for n in range(10):
        session_at(event, f"Pitch {n}", 6 + n % 3, kind="pitch")
    programme_publish(event.id)
    with query_counter() as many:
        client.get(url)
    assert len(many) == len(few)


def programme_publish(event_id):
    with write_transaction():
        programme.publish(_db.session.get(Event, event_id))


def test_a_participant_signs_up_is_refused_the_parallel_one_stars_and_downloads(
    client, congress, factory, db
):
    event, s = congress["event"], congress["sessions"]
    person = factory.registration(event)
    base = f"/r/{person.manage_token}/programme"
    page = client.get(base)
    assert page.status_code == 200 and "Vecteurs viraux" in page.get_data(as_text=True)
    assert (
        client.post(base, data={"session_id": s["vectors"].id, "action": "signup"}).status_code
        == 302
    )
    refused = client.post(
        base, data={"session_id": s["mabs"].id, "action": "signup"}, follow_redirects=True
    )
    assert "en même temps que" in refused.get_data(as_text=True)
    assert (
        client.post(base, data={"session_id": s["plenary"].id, "action": "star"}).status_code == 302
    )
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SessionSignup)) == 1
    assert db.session.get(SessionStar, (s["plenary"].id, person.id)) is not None
    agenda = Calendar.from_ical(client.get(f"/r/{person.manage_token}/programme.ics").data)
    titles = sorted(str(e["SUMMARY"]) for e in agenda.walk("VEVENT"))
    assert titles == ["Plénière d’ouverture", "Vecteurs viraux"]
    manage = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    assert "Mon programme" in manage and "Vecteurs viraux" in manage
    # Another event's session through this link: 404.
    other = factory.event()
    foreign = session_at(other, "Ailleurs", 1, seat_limit=5)
    programme_publish(other.id)
    assert client.post(base, data={"session_id": foreign.id, "action": "signup"}).status_code == 404


def test_a_waitlisted_registration_cannot_sign_up(client, congress, factory):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    person = factory.registration(event, status="waitlisted")
    response = client.post(
        f"/r/{person.manage_token}/programme",
        data={"session_id": vectors.id, "action": "signup"},
        follow_redirects=True,
    )
    assert "Seules les inscriptions confirmées" in response.get_data(as_text=True)


def _attend(registration_id, session_id, user_id):
    _db.session.add(
        SessionAttendance(
            session_id=session_id, registration_id=registration_id, checked_in_by_id=user_id
        )
    )
    _db.session.commit()


def test_the_certificate_after_the_event_lists_sessions_and_hours(
    client, congress, factory, login, db
):
    event, s = congress["event"], congress["sessions"]
    person = factory.registration(event, first_name="Inès", last_name="Moreau")
    _attend(person.id, s["plenary"].id, congress["checkin"].id)
    _attend(person.id, s["vectors"].id, congress["checkin"].id)
    url = f"/r/{person.manage_token}/certificate.pdf"
    early = client.get(url)  # not over yet: a page says so
    assert early.status_code == 200 and "une fois l’événement terminé" in early.text
    # The organiser may download it already.
    login(congress["manager"])
    organiser_url = f"/organiser/events/{event.id}/attendees/{person.id}/certificate.pdf"
    response = client.get(organiser_url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    # After the event.
    row = db.session.get(Event, event.id)
    shift = row.ends_at - (utcnow() - timedelta(days=1))  # ended yesterday: the link still works
    for session in db.session.scalars(select(ProgrammeSession)):
        for name in ("starts_at", "ends_at", "published_starts_at", "published_ends_at"):
            setattr(session, name, getattr(session, name) - shift)
    row.starts_at, row.ends_at = row.starts_at - shift, row.ends_at - shift
    row.registration_closes_at = row.starts_at - timedelta(hours=1)
    row.registration_opens_at = row.starts_at - timedelta(days=10)
    db.session.commit()
    manage = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    assert "attestation de présence" in manage
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    import io

    from pypdf import PdfReader

    text = " ".join(PdfReader(io.BytesIO(response.data)).pages[0].extract_text().split())
    assert "Attestation de présence" in text and "Inès MOREAU" in text
    assert "Vecteurs viraux" in text and "Total" in text and "2" in text
    assert "Medicen Paris Region" in text
    nobody = factory.registration(row)
    none = client.get(f"/r/{nobody.manage_token}/certificate.pdf")
    assert none.mimetype == "text/html" and "Aucune présence" in none.text


def test_erasure_and_purge_remove_the_programmes_personal_data(congress, factory, db):
    from eventapp.services.privacy import erase

    event, vectors = congress["event"], congress["sessions"]["vectors"]
    person = factory.registration(event)
    speaker = db.session.get(Speaker, congress["speakers"]["listed"].id)
    speaker.registration_id = person.id
    db.session.commit()
    with write_transaction():
        reg = _db.session.get(Registration, person.id)
        programme.sign_up(reg, _db.session.get(ProgrammeSession, vectors.id))
        programme.toggle_star(reg, _db.session.get(ProgrammeSession, vectors.id))
    with write_transaction():
        erase([_db.session.get(Registration, person.id)])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(SessionSignup)) == 0
    assert db.session.scalar(select(func.count()).select_from(SessionStar)) == 0
    assert db.session.get(Speaker, speaker.id).registration_id is None
    # The purge of an ended event anonymises its speakers.
    past = factory.event(
        starts_at=speaker.created_at - timedelta(days=400),
        ends_at=speaker.created_at - timedelta(days=399),
        registration_opens_at=None,
        registration_closes_at=None,
    )
    factory.registration(past)
    db.session.add(Speaker(event_id=past.id, name="Jean Ancien", bio_fr="Bio", photo_png=b"x"))
    db.session.commit()
    with write_transaction():
        retention.purge_event(_db.session.get(Event, past.id), None, actor="cli")
    db.session.rollback()
    rows = db.session.execute(
        select(Speaker.name, Speaker.bio_fr, Speaker.photo_png).where(Speaker.event_id == past.id)
    ).all()
    assert rows == [("—", "", None)]


def test_the_organiser_mails_the_certificates_to_everyone_seen_after_the_event(
    client, factory, login, db
):
    org = factory.organisation(name="Polepharma")
    ended = factory.event(
        organisers=[org],
        starts_at=utcnow() - timedelta(days=3),
        ends_at=utcnow() - timedelta(days=2),
        registration_opens_at=None,
        registration_closes_at=None,
    )
    seen, absent = factory.registration(ended), factory.registration(ended)
    session = session_at(ended, "Visite de site", 1, kind="visit")
    programme_publish(ended.id)
    _attend(seen.id, session.id, None)
    manager = factory.user(org, "manager")
    login(manager)
    url = f"/organiser/events/{ended.id}/programme/certificates/send"
    assert "Envoyer les attestations" in client.get(f"/organiser/events/{ended.id}/programme").text
    assert client.post(url).status_code == 302  # not confirmed: nothing sent
    assert client.post(url, data={"confirm": "y"}).status_code == 302
    db.session.rollback()
    sent = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "programme_certificate")
        )
    )
    assert [m.registration_id for m in sent] == [seen.id]
    assert f"/r/{seen.manage_token}/certificate.pdf" in sent[0].body_text
    assert absent.id not in {m.registration_id for m in sent}


def test_the_programme_stylesheet_is_loaded_on_programme_pages_only(client, congress, login):
    event = congress["event"]
    css = "css/programme.css"
    assert css not in client.get("/").get_data(as_text=True)
    assert css not in client.get(f"/events/{event.slug}").get_data(as_text=True)
    for url in (
        f"/events/{event.slug}/programme",
        f"/events/{event.slug}/programme/print",
        f"/events/{event.slug}/speakers",
    ):
        assert css in client.get(url).get_data(as_text=True), url
    login(congress["manager"])
    assert css in client.get(f"/organiser/events/{event.id}/programme").get_data(as_text=True)
    assert css not in client.get(f"/organiser/events/{event.id}").get_data(as_text=True)
