"""Waiting-list offers (services/offers): a freed seat is offered, held, then accepted, declined
or left to expire (a frozen clock), each time passed on in the same locked step; and the races
between them, with real threads."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db as _db
from eventapp.jobs import tasks
from eventapp.models import AuditLog, Event, Registration, utcnow
from eventapp.services import counts, offers
from eventapp.services import registrations as svc
from tests.support.races import race


def person(n: int) -> svc.Participant:
    return svc.Participant(
        first_name="Léa", last_name=f"Durand{n}", email=f"lea{n}@example.org", category="biotech"
    )


def register(event, n):
    with write_transaction():
        return svc.register([_db.session.get(Event, event.id)], person(n))[0].registration


def reload(registration) -> Registration:
    _db.session.rollback()  # end the test's read transaction: see what the others committed
    return _db.session.get(Registration, registration.id)


def full_event_with_waiting(factory, capacity=1, waiting=2, **kw):
    event = factory.event(capacity=capacity, **kw)
    seated = [register(event, n) for n in range(capacity)]
    queue = [register(event, 100 + n) for n in range(waiting)]
    return event, seated, queue


class FrozenClock:
    """utcnow() of the offers and registrations services, set by the test."""

    def __init__(self, monkeypatch, now):
        self.now = now
        monkeypatch.setattr(offers, "utcnow", lambda: self.now)
        monkeypatch.setattr(svc, "utcnow", lambda: self.now)

    def advance(self, **delta):
        self.now += timedelta(**delta)


# --- the deadline ---------------------------------------------------------------------------


def test_offer_deadline_is_48_hours_6_within_3_days_the_organisers_own_and_never_past_start(
    factory,
):
    now = utcnow()
    far = factory.event(starts_at=now + timedelta(days=30))
    near = factory.event(starts_at=now + timedelta(days=2))
    own = factory.event(starts_at=now + timedelta(days=30), offer_hours=12)
    tomorrow = factory.event(starts_at=now + timedelta(hours=3))
    assert offers.offer_deadline(far, now) == now + timedelta(hours=48)
    assert offers.offer_deadline(near, now) == now + timedelta(hours=6)
    assert offers.offer_deadline(own, now) == now + timedelta(hours=12)
    assert offers.offer_deadline(tomorrow, now) == tomorrow.starts_at


def test_a_held_offer_counts_as_taken_and_a_newcomer_waits(factory, mail_outbox):
    event, seated, queue = full_event_with_waiting(factory, capacity=2, waiting=1)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    assert reload(queue[0]).offer_expires_at is not None
    assert counts.taken_count(event.id) == 2 and counts.confirmed_count(event.id) == 1
    assert counts.event_counts([event.id])[event.id].taken == 2
    assert counts.free_seats(_db.session.get(Event, event.id)) == 0
    newcomer = register(event, 7)
    assert newcomer.status == "waitlisted"
    assert counts.waitlist_position(newcomer) == 1  # the offer holder is no longer "in line"


def test_offer_email_has_accept_and_decline_links_and_the_deadline(factory, mail_outbox):
    _event, seated, queue = full_event_with_waiting(factory)
    mail_outbox.clear()
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    [offer_mail] = [m for m in mail_outbox if m.to == [queue[0].email]]
    token = queue[0].manage_token
    assert f"/r/{token}/offer/accept" in offer_mail.body
    assert f"/r/{token}/offer/decline" in offer_mail.body
    assert "répondre" in offer_mail.subject
    assert not any(m.to == [queue[1].email] for m in mail_outbox)  # the second still waits


# --- answers ----------------------------------------------------------------------------------


def test_accepting_confirms_with_the_ticket_and_offers_nothing_more(factory, mail_outbox):
    _event, seated, queue = full_event_with_waiting(factory)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    mail_outbox.clear()
    with write_transaction():
        offers.accept(_db.session.get(Registration, queue[0].id))
    first = reload(queue[0])
    assert first.status == "confirmed" and first.offer_expires_at is None
    assert reload(queue[1]).offer_expires_at is None
    [confirmation] = mail_outbox
    assert confirmation.to == [first.email] and "confirmée" in confirmation.subject
    assert any(a[0].endswith(".pdf") for a in confirmation.attachments)


def test_declining_passes_the_offer_to_the_next_in_the_same_step(factory, mail_outbox):
    event, seated, queue = full_event_with_waiting(factory)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    with write_transaction():
        passed = offers.decline(_db.session.get(Registration, queue[0].id))
    assert [r.id for r in passed] == [queue[1].id]
    assert reload(queue[0]).status == "cancelled"
    assert reload(queue[1]).offer_expires_at is not None
    assert counts.taken_count(event.id) == 1
    with pytest.raises(offers.OfferError), write_transaction():
        offers.accept(_db.session.get(Registration, queue[0].id))


def test_an_answer_to_no_offer_is_refused(factory):
    _event, _seated, queue = full_event_with_waiting(factory)
    with pytest.raises(offers.OfferError) as error, write_transaction():
        offers.accept(_db.session.get(Registration, queue[0].id))
    assert error.value.code == "no_offer"


def test_the_organiser_can_still_promote_directly(db, factory):
    organiser = factory.user(factory.organisation())
    event, seated, queue = full_event_with_waiting(factory, waiting=2)
    with write_transaction():
        svc.cancel(db.session.get(Registration, seated[0].id))
    # The held seat is the offer holder's: someone else needs the override...
    with pytest.raises(svc.RegistrationError) as error, write_transaction():
        svc.promote(db.session.get(Registration, queue[1].id), user=organiser)
    assert error.value.code == "full"
    # ...the holder is confirmed on the spot, without answering.
    with write_transaction():
        svc.promote(db.session.get(Registration, queue[0].id), user=organiser)
    holder = reload(queue[0])
    assert holder.status == "confirmed" and holder.offer_expires_at is None
    assert counts.taken_count(event.id) == 1


def test_cancelling_while_holding_an_offer_passes_it_on(factory):
    event, seated, queue = full_event_with_waiting(factory)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    with write_transaction():
        passed = svc.cancel(_db.session.get(Registration, queue[0].id))
    assert [r.id for r in passed] == [queue[1].id]
    assert counts.taken_count(event.id) == 1


def test_unlimited_capacity_or_an_event_about_to_start_confirms_at_once(factory):
    organiser = factory.user(factory.organisation())
    event, seated, queue = full_event_with_waiting(factory)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))  # the first holds an offer
    with write_transaction():
        svc.change_capacity(_db.session.get(Event, event.id), None, user=organiser)
    assert {reload(r).status for r in queue} == {"confirmed"}
    assert reload(queue[0]).offer_expires_at is None
    _soon, seated, queue = full_event_with_waiting(
        factory, starts_at=utcnow() + timedelta(minutes=30), registration_closes_at=None
    )
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    assert reload(queue[0]).status == "confirmed"


# --- expiry, with a frozen clock ------------------------------------------------------------


def test_expiry_passes_the_seat_on_when_nobody_answers(monkeypatch, factory, mail_outbox):
    clock = FrozenClock(monkeypatch, utcnow())
    event, seated, queue = full_event_with_waiting(factory, waiting=2)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    first = reload(queue[0])
    assert first.offer_expires_at == clock.now + timedelta(hours=48)

    clock.advance(hours=47, minutes=59)
    assert tasks.expire_offers.apply(throw=True).result == {"expired": 0}
    assert reload(queue[0]).offer_expires_at is not None

    clock.advance(minutes=1)  # the deadline: the offer is over, even before the job runs
    with pytest.raises(offers.OfferError) as error, write_transaction():
        offers.accept(_db.session.get(Registration, queue[0].id))
    assert error.value.code == "expired"
    mail_outbox.clear()
    assert tasks.expire_offers.apply(throw=True).result == {"expired": 1}
    assert reload(queue[0]).status == "cancelled"
    second = reload(queue[1])
    assert second.offer_expires_at == clock.now + timedelta(hours=48)
    assert counts.taken_count(event.id) == 1
    assert sorted(m.to[0] for m in mail_outbox) == sorted([queue[0].email, queue[1].email])
    actions = set(_db.session.scalars(select(AuditLog.action)))
    assert {"registration.offered", "registration.offer_expired"} <= actions

    clock.advance(hours=48)  # nobody left: the seat is simply free again
    assert tasks.expire_offers.apply(throw=True).result == {"expired": 1}
    assert counts.taken_count(event.id) == 0


# --- races (real threads, each with its own connection) -------------------------------------


def test_race_accept_as_the_offer_expires(app, monkeypatch, factory):
    """The accept and the expiry job at the deadline's instant, many times: each time exactly
    one wins, and the seat is never both confirmed and passed on."""
    for _round in range(6):
        event, seated, queue = full_event_with_waiting(factory, waiting=2)
        with write_transaction():
            svc.cancel(_db.session.get(Registration, seated[0].id))
        deadline = reload(queue[0]).offer_expires_at
        holder_id = queue[0].id

        def worker(n, deadline=deadline, holder_id=holder_id, event_id=event.id):
            with write_transaction():
                if n == 0:
                    try:
                        offers.accept(
                            _db.session.get(Registration, holder_id),
                            now=deadline - timedelta(microseconds=1),
                        )
                        return "accepted"
                    except offers.OfferError:
                        return "refused"
                expired = offers.expire_event(_db.session.get(Event, event_id), now=deadline)
                return "expired" if expired else "nothing"

        errors, results = race(app, worker, 2)
        assert errors == []
        _db.session.expire_all()
        holder, second = reload(queue[0]), reload(queue[1])
        assert sorted(results.values()) in (["accepted", "nothing"], ["expired", "refused"])
        if results[0] == "accepted":
            assert holder.status == "confirmed" and second.offer_expires_at is None
        else:
            assert holder.status == "cancelled" and second.offer_expires_at is not None
        assert counts.taken_count(event.id) == 1


def test_race_two_seats_freeing_at_once_make_two_different_offers(app, factory):
    event, seated, queue = full_event_with_waiting(factory, capacity=2, waiting=3)
    ids = [r.id for r in seated]

    def worker(n):
        with write_transaction():
            return [r.id for r in svc.cancel(_db.session.get(Registration, ids[n]))]

    errors, results = race(app, worker, 2)
    assert errors == []
    offered = results[0] + results[1]
    assert sorted(offered) == sorted([queue[0].id, queue[1].id])  # the first two, once each
    _db.session.rollback()
    assert reload(queue[2]).offer_expires_at is None
    assert counts.taken_count(event.id) == 2


def test_race_cancellations_during_an_offer_never_overfill(app, factory):
    """While an offer is open: the holder accepts, the holder's own cancellation, and another
    confirmed person's cancellation, all at once. The seats taken stay within the capacity and
    every freed seat is held by exactly one person."""
    event, seated, queue = full_event_with_waiting(factory, capacity=2, waiting=3)
    with write_transaction():
        svc.cancel(_db.session.get(Registration, seated[0].id))
    holder_id, other_id = queue[0].id, seated[1].id

    def worker(n):
        with write_transaction():
            if n == 0:
                try:
                    offers.accept(_db.session.get(Registration, holder_id))
                    return "accepted"
                except offers.OfferError:
                    return "refused"
            target = holder_id if n == 1 else other_id
            return len(svc.cancel(_db.session.get(Registration, target)))

    errors, results = race(app, worker, 3)
    assert errors == []
    _db.session.rollback()
    event_row = _db.session.get(Event, event.id)
    assert counts.taken_count(event.id) <= event_row.capacity
    rows = list(_db.session.scalars(select(Registration).where(Registration.event_id == event.id)))
    holders = {r.id for r in rows if r.status == "waitlisted" and r.offer_expires_at is not None}
    # Whatever the order, the holder and the other person end cancelled (an accepted seat
    # cancelled afterwards frees it again): both seats are held by the next two, once each.
    assert reload(queue[0]).status == "cancelled" and reload(seated[1]).status == "cancelled"
    assert holders == {queue[1].id, queue[2].id}
    assert not [r for r in rows if r.status == "confirmed"]
    assert results[1] + results[2] == 2  # each cancellation passed one seat on
