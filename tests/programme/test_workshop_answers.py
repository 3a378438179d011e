"""The registration's workshop answer is the sign-up (issue 16): a choice question's options
linked to workshops; choosing one signs the person up under the event lock (a full workshop
is a full option), changing the answer on the manage page moves the sign-up, and the
programme page's buttons leave such a workshop to the answer. One seat rule, proven under a
real-thread race on the live server."""

import urllib.error

import pytest
from sqlalchemy import func, select

from eventapp.models import (
    AnswerChoice,
    OutboxMessage,
    QuestionOption,
    Registration,
    SessionSignup,
    SignupStatus,
)
from tests.registration.test_http_race import Browser, _person, _race


@pytest.fixture
def linked(congress, factory, db, client, login):
    """A "which workshop" question whose options are the two parallel workshops (vectors has
    2 places, mAbs 50) and a "none" option, linked through the session form."""
    event, s = congress["event"], congress["sessions"]
    question = factory.question(
        event,
        "choice",
        identifier="atelier",
        label_fr="Quel atelier ?",
        options=[("vectors", "Vecteurs viraux"), ("mabs", "Anticorps"), ("none", "Aucun")],
    )
    login(congress["manager"])
    for key in ("vectors", "mabs"):
        session = s[key]
        option = next(o for o in question.options if o.identifier == key)
        page = client.get(f"/organiser/events/{event.id}/programme/sessions/{session.id}")
        assert "Quel atelier ?" in page.get_data(as_text=True)
        response = client.post(
            f"/organiser/events/{event.id}/programme/sessions/{session.id}",
            data={
                "kind": "workshop",
                "title_fr": session.title_fr,
                "starts_at": _local(session.starts_at),
                "ends_at": _local(session.ends_at),
                "room_id": str(session.room_id),
                "seat_limit": str(session.seat_limit),
                "signup_option": str(option.id),
            },
        )
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    client.post("/logout")
    db.session.expire_all()
    return congress | {"question": question, "field": f"q_{question.id}"}


def _local(value):
    from eventapp.organiser.forms import to_local

    return to_local(value).strftime("%Y-%m-%dT%H:%M")


def _signups(db, session_id):
    db.session.rollback()
    return dict(
        db.session.execute(
            select(SessionSignup.registration_id, SessionSignup.status).where(
                SessionSignup.session_id == session_id
            )
        ).all()
    )


def _register(client, event, n, choice, field):
    return client.post(f"/events/{event.slug}/register", data={**_person(n), field: choice})


def test_the_session_form_links_the_option(linked, db):
    option = db.session.scalar(select(QuestionOption).where(QuestionOption.identifier == "vectors"))
    assert option.session_id == linked["sessions"]["vectors"].id


def test_the_answer_signs_up_and_a_full_workshop_is_a_full_option(linked, client, db):
    event, vectors = linked["event"], linked["sessions"]["vectors"]
    for n in (1, 2):
        assert _register(client, event, n, "vectors", linked["field"]).status_code == 302
    people = db.session.scalars(select(Registration.id).order_by(Registration.id)).all()
    assert _signups(db, vectors.id) == dict.fromkeys(people, SignupStatus.CONFIRMED)
    form = client.get(f"/events/{event.slug}/register").get_data(as_text=True)
    assert "Vecteurs viraux (complet)" in form
    refused = _register(client, event, 3, "vectors", linked["field"])
    assert refused.status_code in (400, 409)
    assert "complet" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 2
    assert len(_signups(db, vectors.id)) == 2
    # Another option is still open.
    assert _register(client, event, 4, "mabs", linked["field"]).status_code == 302
    assert len(_signups(db, linked["sessions"]["mabs"].id)) == 1


def test_changing_the_answer_moves_the_signup_and_offers_the_freed_place(
    linked, client, db, factory
):
    event, s = linked["event"], linked["sessions"]
    for n in (1, 2):
        _register(client, event, n, "vectors", linked["field"])
    first = db.session.scalar(select(Registration).order_by(Registration.id))
    # Someone waits for vectors (signed up through the programme page before the link).
    waiting = factory.registration(event)
    db.session.add(
        SessionSignup(session_id=s["vectors"].id, registration_id=waiting.id, status="waitlisted")
    )
    db.session.commit()
    response = client.post(f"/r/{first.manage_token}", data={**_person(1), linked["field"]: "mabs"})
    assert response.status_code == 302
    assert first.id not in _signups(db, s["vectors"].id)
    assert _signups(db, s["mabs"].id) == {first.id: SignupStatus.CONFIRMED}
    offer = db.session.scalar(
        select(SessionSignup).where(SessionSignup.registration_id == waiting.id)
    )
    assert offer.offer_expires_at is not None
    assert db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == "programme_offer", OutboxMessage.registration_id == waiting.id
        )
    )
    # "None" withdraws the sign-up.
    client.post(f"/r/{first.manage_token}", data={**_person(1), linked["field"]: "none"})
    assert first.id not in _signups(db, s["mabs"].id)


def test_the_programme_page_leaves_a_linked_workshop_to_the_answer(linked, client, db, factory):
    event, vectors = linked["event"], linked["sessions"]["vectors"]
    person = factory.registration(event)
    response = client.post(
        f"/r/{person.manage_token}/programme",
        data={"session_id": str(vectors.id), "action": "signup"},
        follow_redirects=True,
    )
    assert "Quel atelier ?" in response.get_data(as_text=True)
    assert _signups(db, vectors.id) == {}


@pytest.mark.slow
def test_people_racing_for_a_linked_workshop_get_its_places_only(live_server, linked, db):
    event, vectors = linked["event"], linked["sessions"]["vectors"]
    path = f"/events/{event.slug}/register"
    outcomes = []

    def participant(n):
        browser = Browser(live_server)
        browser.get(path)

        def job(barrier):
            barrier.wait(timeout=60)
            try:
                status, _url = browser.post(path, {**_person(n), linked["field"]: "vectors"})
            except urllib.error.HTTPError as error:
                outcomes.append((error.code, "complet" in error.read().decode()))
                return
            outcomes.append((status, True))

        return job

    assert _race([participant(n) for n in range(12)]) == []
    signups = _signups(db, vectors.id)
    assert list(signups.values()) == [SignupStatus.CONFIRMED] * 2
    option = next(o for o in linked["question"].options if o.identifier == "vectors")
    holders = db.session.scalar(
        select(func.count()).select_from(AnswerChoice).where(AnswerChoice.option_id == option.id)
    )
    assert holders == 2  # the answers and the sign-ups agree
    assert sorted(outcomes).count((200, True)) == 2
    refused = [o for o in outcomes if o[0] != 200]
    assert len(refused) == 10 and all(code in (400, 409) and full for code, full in refused)


def test_my_programme_is_in_the_confirmation_email_and_on_the_manage_page(
    linked, client, db, mail_outbox
):
    event = linked["event"]
    assert _register(client, event, 1, "vectors", linked["field"]).status_code == 302
    person = db.session.scalar(select(Registration))
    confirmation = next(m for m in mail_outbox if m.to == [person.email])
    text = confirmation.body
    assert "Mon programme" in text
    assert "Vecteurs viraux" in text and "Inscrit" in text
    assert f"/r/{person.manage_token}/programme.ics" in text
    html = confirmation.alternatives[0][0]
    assert "Vecteurs viraux" in html and f"/r/{person.manage_token}/programme.ics" in html
    page = client.get(f"/r/{person.manage_token}").get_data(as_text=True)
    assert "Mon programme" in page and "Vecteurs viraux" in page
    assert f"/r/{person.manage_token}/programme.ics" in page
    ics = client.get(f"/r/{person.manage_token}/programme.ics").get_data(as_text=True)
    assert "Vecteurs viraux" in ics


def test_a_waiting_registrant_takes_the_workshop_of_their_answer_once_promoted(
    linked, client, db, factory
):
    from eventapp.database import write_transaction
    from eventapp.extensions import db as _db
    from eventapp.services import registrations

    event, vectors = linked["event"], linked["sessions"]["vectors"]
    event.capacity = 0
    db.session.commit()
    assert _register(client, event, 1, "vectors", linked["field"]).status_code == 302
    person = db.session.scalar(select(Registration))
    assert person.status == "waitlisted"
    assert _signups(db, vectors.id) == {}  # no workshop place before a place at the event
    with write_transaction():
        registrations.promote(
            _db.session.get(Registration, person.id),
            user=_db.session.get(type(linked["manager"]), linked["manager"].id),
            override_capacity=True,
        )
    assert _signups(db, vectors.id) == {person.id: SignupStatus.CONFIRMED}
