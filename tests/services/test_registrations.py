"""The registration service: seats, waiting list, duplicates, cancellation, promotion."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.models import AuditLog, Registration, RegistrationSource, utcnow
from eventapp.services import counts as counts_service
from eventapp.services import registrations as svc


def person(n: int = 1, **kw) -> svc.Participant:
    values = {
        "first_name": "Léa",
        "last_name": f"Durand{n}",
        "email": f"Lea.Durand{n}@Example.org ",
        "category": "biotech",
        "organisation_name": "Yposkesi",
        "region": "idf",
        "consent_at": utcnow(),
        "consent_version": "test",
    }
    values.update(kw)
    return svc.Participant(**values)


def register(event, n=1, **kw):
    with write_transaction():
        return svc.register([event], person(n), **kw)[0]


def test_confirmed_while_seats_remain_then_waitlisted_in_order(factory):
    event = factory.event(capacity=2)
    outcomes = [register(event, n) for n in range(1, 5)]
    assert [o.status for o in outcomes] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [counts_service.waitlist_position(o.registration) for o in outcomes] == [
        None,
        None,
        1,
        2,
    ]
    assert counts_service.waitlist_positions([o.registration for o in outcomes]) == {
        outcomes[2].registration.id: 1,
        outcomes[3].registration.id: 2,
    }


def test_email_is_normalised_and_a_duplicate_creates_nothing(db, factory, mail_outbox):
    event = factory.event()
    first = register(event, 1)
    assert first.registration.email == "lea.durand1@example.org"
    again = register(event, 1)
    assert again.created is False
    assert again.registration.id == first.registration.id
    count = db.session.scalar(select(func.count()).select_from(Registration))
    assert count == 1
    # The manage link is e-mailed again.
    assert len(mail_outbox) == 2
    assert first.registration.manage_token in mail_outbox[1].body


def test_unlimited_capacity_always_confirms(factory):
    event = factory.event(capacity=None)
    assert all(register(event, n).status == "confirmed" for n in range(5))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"status": "draft"}, "draft"),
        ({"status": "cancelled"}, "cancelled"),
        ({"registration_opens_at": utcnow() + timedelta(days=1)}, "not_yet_open"),
        ({"registration_closes_at": utcnow() - timedelta(minutes=1)}, "closed"),
        (
            {"starts_at": utcnow() - timedelta(days=2), "ends_at": utcnow() - timedelta(days=1)},
            "ended",
        ),
        ({"kind": "tour", "capacity": None}, "tour"),
    ],
)
def test_public_registration_refused_outside_the_window(factory, changes, code):
    event = factory.event(**changes)
    with pytest.raises(svc.RegistrationError) as error:
        register(event)
    assert error.value.code == code


def test_organisers_may_add_after_closing_but_never_to_a_cancelled_event(factory):
    org = factory.organisation()
    organiser = factory.user(org)
    closed = factory.event(registration_closes_at=utcnow() - timedelta(days=1))
    outcome = register(closed, source=RegistrationSource.ORGANISER, user=organiser)
    assert outcome.status == "confirmed"
    cancelled = factory.event(status="cancelled")
    with pytest.raises(svc.RegistrationError):
        register(cancelled, source=RegistrationSource.ORGANISER, user=organiser)


def test_a_closed_stage_refuses_the_whole_multi_stage_submission(db, factory):
    open_stage = factory.event(kind="stage")
    closed_stage = factory.event(kind="stage", registration_closes_at=utcnow() - timedelta(1))
    with pytest.raises(svc.RegistrationError), write_transaction():
        svc.register([open_stage, closed_stage], person())
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_one_submission_registers_for_several_stages_each_with_its_own_seats(factory):
    full = factory.event(kind="stage", capacity=1)
    roomy = factory.event(kind="stage", capacity=10)
    register(full, 99)
    with write_transaction():
        outcomes = svc.register([full, roomy], person(1))
    by_event = {o.event.id: o.status for o in outcomes}
    assert by_event == {full.id: "waitlisted", roomy.id: "confirmed"}


def test_cancelling_a_confirmed_seat_offers_it_to_the_first_waitlisted(db, factory, mail_outbox):
    event = factory.event(capacity=1)
    confirmed = register(event, 1).registration
    first_waiting = register(event, 2).registration
    second_waiting = register(event, 3).registration
    mail_outbox.clear()
    with write_transaction():
        offered = svc.cancel(confirmed)
    assert [r.id for r in offered] == [first_waiting.id]
    db.session.expire_all()
    assert confirmed.status == "cancelled" and confirmed.cancelled_at is not None
    # Offered, not confirmed: the seat is held (taken) until they answer.
    assert first_waiting.status == "waitlisted" and first_waiting.offer_expires_at is not None
    assert counts_service.taken_count(event.id) == 1
    assert second_waiting.status == "waitlisted"
    assert counts_service.waitlist_position(second_waiting) == 1
    subjects = sorted(m.subject for m in mail_outbox)
    assert any("annulée" in s for s in subjects) and any("place se libère" in s for s in subjects)


def test_cancelling_twice_or_a_waitlisted_person_promotes_nobody(factory):
    event = factory.event(capacity=1)
    register(event, 1)
    waiting = register(event, 2).registration
    third = register(event, 3).registration
    with write_transaction():
        assert svc.cancel(waiting) == []
    with write_transaction():
        assert svc.cancel(waiting) == []
    assert third.status == "waitlisted"


def test_capacity_cannot_drop_below_confirmed_and_a_rise_offers_in_order(db, factory):
    org = factory.organisation()
    organiser = factory.user(org)
    event = factory.event(capacity=2)
    regs = [register(event, n).registration for n in range(4)]
    with pytest.raises(svc.RegistrationError) as error, write_transaction():
        svc.change_capacity(event, 1, user=organiser)
    assert error.value.code == "below_confirmed" and error.value.info["confirmed"] == 2
    with write_transaction():
        offered = svc.change_capacity(event, 3, user=organiser)
    assert [r.id for r in offered] == [regs[2].id]
    db.session.expire_all()
    assert [r.status for r in regs] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [r.offer_expires_at is not None for r in regs] == [False, False, True, False]
    # The held offer counts as taken: the capacity cannot drop under it either.
    with pytest.raises(svc.RegistrationError) as error, write_transaction():
        svc.change_capacity(event, 2, user=organiser)
    assert error.value.code == "below_taken" and error.value.info["taken"] == 3
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(AuditLog)
            .where(AuditLog.action == "event.capacity_changed")
        )
        == 1
    )


def test_organiser_override_goes_over_capacity_and_is_logged(db, factory):
    org = factory.organisation()
    organiser = factory.user(org)
    event = factory.event(capacity=1)
    register(event, 1)
    outcome = register(
        event, 2, source=RegistrationSource.ORGANISER, user=organiser, override_capacity=True
    )
    assert outcome.status == "confirmed"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.created"))
    assert entry.user_id == organiser.id and entry.details["capacity_override"] is True


def test_an_override_is_logged_only_when_it_was_needed(db, factory):
    """Ticking "over capacity" on an event with a seat left, or promoting someone into the
    last seat with it ticked, is not logged as going over capacity."""
    organiser = factory.user(factory.organisation())
    event = factory.event(capacity=3)
    register(event, 1)
    register(event, 2, source=RegistrationSource.ORGANISER, user=organiser, override_capacity=True)
    waiting = factory.registration(event, status="waitlisted")
    with write_transaction():
        svc.promote(
            db.session.get(Registration, waiting.id), user=organiser, override_capacity=True
        )
    entries = db.session.scalars(
        select(AuditLog).where(
            AuditLog.action.in_(["registration.created", "registration.promoted"])
        )
    )
    assert [e.details["capacity_override"] for e in entries] == [False, False]


def test_promote_out_of_turn_needs_a_seat_or_an_override(factory):
    org = factory.organisation()
    organiser = factory.user(org)
    event = factory.event(capacity=1)
    register(event, 1)
    waiting = register(event, 2).registration
    with pytest.raises(svc.RegistrationError) as error, write_transaction():
        svc.promote(waiting, user=organiser)
    assert error.value.code == "full"
    with write_transaction():
        svc.promote(waiting, user=organiser, override_capacity=True)
    assert waiting.status == "confirmed"


def test_reconfirm_applies_the_seat_rule_and_refuses_a_duplicate(factory):
    org = factory.organisation()
    organiser = factory.user(org)
    event = factory.event(capacity=1)
    first = register(event, 1).registration
    with write_transaction():
        svc.cancel(first)
    register(event, 2)
    with write_transaction():
        assert svc.reconfirm(first, user=organiser) == "waitlisted"
    with write_transaction():
        svc.cancel(first)
    register(event, 1)  # the same person registers again meanwhile
    with pytest.raises(svc.RegistrationError) as error, write_transaction():
        svc.reconfirm(first, user=organiser)
    assert error.value.code == "duplicate"


def test_update_details_logs_field_names_not_values(db, factory):
    event = factory.event()
    reg = register(event).registration
    with write_transaction():
        changed = svc.update_details(reg, {"first_name": "Zoé", "job_title": "CEO", "email": "x"})
    assert set(changed) == {"first_name", "job_title"}
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.updated"))
    assert entry.details == {"fields": ["first_name", "job_title"]}
    assert "Zoé" not in str(entry.details)


def test_event_counts_is_one_query_for_many_events(db, factory, query_counter):
    events = [factory.event(capacity=3) for _ in range(5)]
    for event in events:
        for n in range(4):
            register(event, n)
    ids = [e.id for e in events]
    with query_counter() as queries:
        counts = counts_service.event_counts(ids)
    assert len(queries) == 1
    assert all((c.confirmed, c.waitlisted) == (3, 1) for c in counts.values())


def test_seat_writes_outside_a_write_transaction_are_refused_on_sqlite(db, factory):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite-only guard")
    event = factory.event()
    with pytest.raises(RuntimeError, match="write transaction"):
        svc.register([event], person())
    db.session.rollback()
