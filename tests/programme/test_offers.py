"""Time-limited offers of freed workshop places (issue 16, on the event waiting list's
machinery): the first waiting gets an e-mail with a deadline and the link to their programme
page (its token masked in logs by the one rule), the place is held meanwhile; accept confirms,
decline or expiry (beat's offers.expire job) passes it to the next. Races: real threads."""

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.jobs import tasks
from eventapp.models import (
    OutboxMessage,
    ProgrammeSession,
    Registration,
    SessionSignup,
    SignupStatus,
)
from eventapp.services import programme
from eventapp.services.programme import offers
from eventapp.services.programme.signups import taken
from tests.support.races import race


def _sign_up(registration_id, session_id):
    with write_transaction():
        return programme.sign_up(
            _db.session.get(Registration, registration_id),
            _db.session.get(ProgrammeSession, session_id),
        ).status


def _withdraw(registration_id, session_id):
    with write_transaction():
        programme.withdraw(
            _db.session.get(Registration, registration_id),
            _db.session.get(ProgrammeSession, session_id),
        )


def _signup(registration_id, session_id):
    _db.session.rollback()
    return _db.session.scalar(
        select(SessionSignup).where(
            SessionSignup.registration_id == registration_id,
            SessionSignup.session_id == session_id,
        )
    )


def _full_workshop(congress, factory, waiting=2):
    """Vectors (2 places) full, `waiting` people on its waiting list; the first seated
    withdraws: the first waiting gets an offer."""
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    seated = [factory.registration(event) for _ in range(2)]
    queue = [factory.registration(event) for _ in range(waiting)]
    for person in seated + queue:
        _sign_up(person.id, vectors.id)
    _withdraw(seated[0].id, vectors.id)
    return vectors, seated, queue


def test_the_first_waiting_is_offered_the_place_with_a_deadline_and_a_masked_link(
    congress, factory, db
):
    from eventapp.privacy.logging import mask_secrets

    vectors, _seated, queue = _full_workshop(congress, factory)
    offer = _signup(queue[0].id, vectors.id)
    assert offer.status == SignupStatus.WAITLISTED and offer.offer_expires_at is not None
    # Never past the session's start; the event's rule (48 h a month ahead) otherwise.
    assert offer.offer_expires_at <= vectors.published_starts_at
    assert offer.offer_expires_at - offer.offered_at == timedelta(hours=48)
    assert _signup(queue[1].id, vectors.id).offer_expires_at is None
    # The place is held: still full for a newcomer.
    assert taken(vectors.id) == 2
    late = factory.registration(congress["event"])
    assert _sign_up(late.id, vectors.id) == SignupStatus.WAITLISTED
    message = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "programme_offer")
    )
    person = db.session.get(Registration, queue[0].id)
    assert message.registration_id == person.id
    link = f"/r/{person.manage_token}/programme"
    assert link in message.body_text and "Vecteurs viraux" in message.body_text
    assert person.manage_token not in mask_secrets(f'"GET {link} HTTP/1.1" 200 -')


def test_accepting_on_the_programme_page_confirms(congress, factory, client, db):
    vectors, _seated, queue = _full_workshop(congress, factory)
    person = db.session.get(Registration, queue[0].id)
    page = client.get(f"/r/{person.manage_token}/programme").get_data(as_text=True)
    assert 'value="accept_offer"' in page and "Une place vous est réservée" in page
    response = client.post(
        f"/r/{person.manage_token}/programme",
        data={"session_id": str(vectors.id), "action": "accept_offer"},
    )
    assert response.status_code == 302
    signup = _signup(person.id, vectors.id)
    assert signup.status == SignupStatus.CONFIRMED and signup.offer_expires_at is None
    assert taken(vectors.id) == 2


def test_declining_passes_the_place_to_the_next(congress, factory, client, db):
    vectors, _seated, queue = _full_workshop(congress, factory)
    person = db.session.get(Registration, queue[0].id)
    response = client.post(
        f"/r/{person.manage_token}/programme",
        data={"session_id": str(vectors.id), "action": "decline_offer"},
    )
    assert response.status_code == 302
    assert _signup(person.id, vectors.id) is None  # off the waiting list
    assert _signup(queue[1].id, vectors.id).offer_expires_at is not None
    # Nobody may answer an offer they do not have.
    again = client.post(
        f"/r/{person.manage_token}/programme",
        data={"session_id": str(vectors.id), "action": "accept_offer"},
        follow_redirects=True,
    )
    assert "Il n’y a plus d’offre en cours" in again.get_data(as_text=True)


def test_the_expiry_job_passes_an_unanswered_offer_on(congress, factory, db):
    vectors, _seated, queue = _full_workshop(congress, factory)
    first = _signup(queue[0].id, vectors.id)
    deadline = first.offer_expires_at
    # Accepting after the deadline is refused even before the job ran.
    with write_transaction():
        try:
            offers.accept(
                _db.session.get(Registration, queue[0].id),
                _db.session.get(ProgrammeSession, vectors.id),
                now=deadline,
            )
        except offers.OfferError as error:
            refused = error.code
    assert refused == offers.OfferError.Code.EXPIRED
    db.session.execute(
        SessionSignup.__table__.update()
        .where(SessionSignup.id == first.id)
        .values(offer_expires_at=deadline - timedelta(days=3))
    )
    db.session.commit()
    assert tasks.expire_offers.apply(throw=True).result == {"expired": 1}
    assert _signup(queue[0].id, vectors.id) is None
    assert _signup(queue[1].id, vectors.id).offer_expires_at is not None
    kinds = db.session.scalars(
        select(OutboxMessage.kind).where(OutboxMessage.registration_id == queue[0].id)
    ).all()
    assert "programme_offer_expired" in kinds


def test_race_accept_as_the_offer_expires(app, congress, factory):
    """The accept and the expiry at the deadline's instant, several times: exactly one wins,
    and the place is never both confirmed and passed on."""
    for _round in range(4):
        vectors, _seated, queue = _full_workshop(congress, factory)
        deadline = _signup(queue[0].id, vectors.id).offer_expires_at
        holder_id, session_id = queue[0].id, vectors.id

        def worker(n, deadline=deadline, holder_id=holder_id, session_id=session_id):
            with write_transaction():
                session = _db.session.get(ProgrammeSession, session_id)
                if n == 0:
                    try:
                        offers.accept(
                            _db.session.get(Registration, holder_id),
                            session,
                            now=deadline - timedelta(microseconds=1),
                        )
                        return "accepted"
                    except offers.OfferError:
                        return "refused"
                event = _db.session.get(type(congress["event"]), session.event_id)
                return "expired" if offers.expire_event(event, now=deadline) else "nothing"

        errors, results = race(app, worker, 2)
        assert errors == []
        holder, second = _signup(holder_id, session_id), _signup(queue[1].id, session_id)
        assert sorted(results.values()) in (["accepted", "nothing"], ["expired", "refused"])
        if results[0] == "accepted":
            assert holder.status == SignupStatus.CONFIRMED and second.offer_expires_at is None
        else:
            assert holder is None and second.offer_expires_at is not None
        assert taken(session_id) == 2
        # Next round: a fresh full workshop.
        with write_transaction():
            for signup in _db.session.scalars(
                select(SessionSignup).where(SessionSignup.session_id == session_id)
            ):
                _db.session.delete(signup)


def test_race_two_places_freeing_at_once_make_two_different_offers(app, congress, factory):
    event, vectors = congress["event"], congress["sessions"]["vectors"]
    seated = [factory.registration(event) for _ in range(2)]
    queue = [factory.registration(event) for _ in range(3)]
    for person in seated + queue:
        _sign_up(person.id, vectors.id)
    ids = [r.id for r in seated]

    def worker(n):
        _withdraw(ids[n], vectors.id)

    errors, _results = race(app, worker, 2)
    assert errors == []
    offered = [p.id for p in queue if _signup(p.id, vectors.id).offer_expires_at is not None]
    assert offered == [queue[0].id, queue[1].id]
    assert taken(vectors.id) == 2
