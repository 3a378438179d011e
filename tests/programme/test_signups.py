"""Workshop sign-ups: the limit holds (confirmed, then the waiting list), parallel sessions
cannot both be taken, a freed place goes to the first waiting (e-mailed), and 20 simultaneous
sign-ups for 2 places never confirm a third."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.models import (
    OutboxMessage,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
)
from eventapp.services import programme
from eventapp.services.programme import ProgrammeError
from tests.support.races import race


def _sign_up(registration_id, session_id):
    with write_transaction():
        return programme.sign_up(
            _db.session.get(Registration, registration_id),
            _db.session.get(ProgrammeSession, session_id),
        ).status


def _error(callable_, *args):
    try:
        callable_(*args)
    except ProgrammeError as error:
        return error.code
    return None


def test_the_limit_then_the_waiting_list(congress, factory):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    people = [factory.registration(event) for _ in range(3)]
    statuses = [_sign_up(p.id, vectors.id) for p in people]
    assert statuses == [SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    assert _error(_sign_up, people[0].id, vectors.id) == ProgrammeError.Code.ALREADY_SIGNED_UP


def test_two_sessions_at_the_same_time_cannot_both_be_taken(congress, factory):
    event, s = congress["event"], congress["sessions"]
    person = factory.registration(event)
    assert _sign_up(person.id, s["vectors"].id) == SignupStatus.CONFIRMED
    assert _error(_sign_up, person.id, s["mabs"].id) == ProgrammeError.Code.OVERLAP
    assert _sign_up(person.id, s["later"].id) == SignupStatus.CONFIRMED  # not at the same time


def test_sessions_without_places_or_unpublished_or_people_waiting_are_refused(congress, factory):
    event, s = congress["event"], congress["sessions"]
    assert (
        _error(_sign_up, factory.registration(event).id, s["plenary"].id)
        == ProgrammeError.Code.NO_SIGNUP
    )
    waiting = factory.registration(event, status="waitlisted")
    assert _error(_sign_up, waiting.id, s["later"].id) == ProgrammeError.Code.NOT_CONFIRMED
    other_event = factory.event()
    stranger = factory.registration(other_event)
    assert _error(_sign_up, stranger.id, s["later"].id) == ProgrammeError.Code.NOT_PUBLIC


def test_a_freed_place_is_offered_to_the_first_waiting_who_is_emailed(congress, factory, db):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    first, second, third = (factory.registration(event) for _ in range(3))
    for person in (first, second, third):
        _sign_up(person.id, vectors.id)
    with write_transaction():
        programme.withdraw(
            _db.session.get(Registration, first.id), _db.session.get(ProgrammeSession, vectors.id)
        )
    db.session.rollback()
    offered = db.session.scalar(
        select(SessionSignup).where(SessionSignup.registration_id == third.id)
    )
    # Offered (held for them until the deadline), not confirmed by surprise.
    assert offered.status == SignupStatus.WAITLISTED and offered.offer_expires_at is not None
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "programme_offer")
    )
    assert message.registration_id == third.id and "Vecteurs viraux" in message.body_text


def test_cancelling_the_registration_frees_its_places(congress, factory, db):
    from eventapp.services import registrations

    event, vectors = congress["event"], congress["sessions"]["vectors"]
    first, second, third = (factory.registration(event) for _ in range(3))
    for person in (first, second, third):
        _sign_up(person.id, vectors.id)
    with write_transaction():
        registrations.cancel(_db.session.get(Registration, first.id), actor="participant")
    db.session.rollback()
    rows = dict(
        db.session.execute(select(SessionSignup.registration_id, SessionSignup.status)).all()
    )
    assert rows == {second.id: SignupStatus.CONFIRMED, third.id: SignupStatus.WAITLISTED}
    held = db.session.scalar(
        select(SessionSignup.offer_expires_at).where(SessionSignup.registration_id == third.id)
    )
    assert held is not None  # the freed place is offered to third


def test_twenty_simultaneous_sign_ups_never_exceed_two_places(app, congress, factory, db):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    people = [factory.registration(event).id for _ in range(20)]
    errors, results = race(app, lambda n: str(_sign_up(people[n], vectors.id)), 20)
    assert errors == []
    assert sorted(results.values()).count("confirmed") == 2
    assert sorted(results.values()).count("waitlisted") == 18
    db.session.rollback()
    confirmed = db.session.scalar(
        select(func.count())
        .select_from(SessionSignup)
        .where(SessionSignup.status == SignupStatus.CONFIRMED)
    )
    assert confirmed == 2
