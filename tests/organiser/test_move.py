"""Moving a person to another event (another tour stage, the other day): seat rules on both
sides, one transaction, only between events the organiser manages."""

from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.models import AuditLog, Registration
from eventapp.services import registrations as svc


def _setup(factory):
    org = factory.organisation()
    manager = factory.user(org)
    tour = factory.event(organisers=[org], kind="tour", capacity=None)
    full = factory.event(organisers=[org], kind="stage", parent_id=tour.id, capacity=2)
    roomy = factory.event(organisers=[org], kind="stage", parent_id=tour.id, capacity=10)
    seated = [factory.registration(full, status="confirmed") for _ in range(2)]
    waiting = factory.registration(full, status="waitlisted")
    return org, manager, full, roomy, seated, waiting


def test_move_registers_there_and_frees_the_seat_here(db, factory, mail_outbox):
    _org, manager, _full, roomy, seated, waiting = _setup(factory)
    person = seated[0]
    with write_transaction():
        outcome, promoted = svc.move(person, roomy, user=manager)
    db.session.expire_all()
    assert outcome.created and outcome.status == "confirmed"
    new = outcome.registration
    assert (new.event_id, new.email, new.last_name) == (roomy.id, person.email, person.last_name)
    assert new.consent_at == person.consent_at and new.source == "organiser"
    assert person.status == "cancelled"
    # The freed seat is offered to the first person waiting (held until they answer).
    assert [r.id for r in promoted] == [waiting.id] and waiting.offer_expires_at is not None
    to_person = [m.subject for m in mail_outbox if m.to == [person.email]]
    # No "cancelled" mail; the event's one name (a stage with its tour: Event.title).
    assert to_person == [f"Inscription confirmée : {roomy.title('fr')}"]
    assert any(m.to == [waiting.email] for m in mail_outbox)
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"registration.moved", "registration.moved_in", "registration.offered"} <= actions


def test_moving_without_telling_the_person_still_tells_who_moved_up(db, factory, mail_outbox):
    _org, manager, _full, roomy, seated, waiting = _setup(factory)
    with write_transaction():
        _outcome, promoted = svc.move(seated[0], roomy, user=manager, notify=False)
    assert [r.id for r in promoted] == [waiting.id]
    assert [m.to for m in mail_outbox] == [[waiting.email]]  # the person moved: nothing


def test_moving_into_a_full_event_waitlists_unless_overridden(db, factory):
    _org, manager, full, roomy, _seated, _waiting = _setup(factory)
    newcomer = factory.registration(roomy, status="confirmed")
    with write_transaction():
        outcome, _ = svc.move(newcomer, full, user=manager)
    assert outcome.status == "waitlisted"
    other = factory.registration(roomy, status="confirmed")
    with write_transaction():
        outcome, _ = svc.move(other, full, user=manager, override_capacity=True)
    assert outcome.status == "confirmed"


def test_already_registered_there_changes_nothing(db, factory):
    _org, manager, _full, roomy, seated, _waiting = _setup(factory)
    factory.registration(roomy, email=seated[0].email)
    before = db.session.scalar(select(func.count()).select_from(Registration))
    try:
        with write_transaction():
            svc.move(seated[0], roomy, user=manager)
    except svc.RegistrationError as error:
        assert error.code == "already_registered"
    else:
        raise AssertionError("the move should be refused")
    db.session.expire_all()
    assert seated[0].status == "confirmed"
    assert db.session.scalar(select(func.count()).select_from(Registration)) == before


def test_organiser_moves_from_the_attendee_page(client, db, factory, login):
    _org, manager, full, roomy, seated, waiting = _setup(factory)
    login(manager)
    page = client.get(f"/organiser/events/{full.id}/attendees/{seated[0].id}")
    assert page.status_code == 200
    assert f'value="{roomy.id}"' in page.get_data(as_text=True)
    response = client.post(
        f"/organiser/events/{full.id}/attendees/{seated[0].id}/move",
        data={"target": roomy.id, "notify": "y"},
    )
    assert response.status_code == 302
    new = db.session.scalar(
        select(Registration).where(
            Registration.event_id == roomy.id, Registration.email == seated[0].email
        )
    )
    assert response.headers["Location"].endswith(f"/events/{roomy.id}/attendees/{new.id}")
    assert new.status == "confirmed"
    db.session.expire_all()
    assert waiting.status == "waitlisted" and waiting.offer_expires_at is not None


def test_cannot_move_into_another_organisations_event(client, db, factory, login):
    _org, manager, full, _roomy, seated, _waiting = _setup(factory)
    foreign = factory.event(organisers=[factory.organisation()], capacity=10)
    login(manager)
    response = client.post(
        f"/organiser/events/{full.id}/attendees/{seated[0].id}/move",
        data={"target": foreign.id, "notify": "y"},
    )
    assert response.status_code in (302, 404)
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Registration)
            .where(Registration.event_id == foreign.id)
        )
        == 0
    )
    db.session.expire_all()
    assert seated[0].status == "confirmed"


def test_a_transfer_keeps_the_registration_date_and_records_where_it_came_from(
    client, db, factory, login
):
    """Issue 20, point 15: the moved person appeared as registered today, from nowhere."""
    from datetime import timedelta

    from eventapp.models import utcnow

    _org, manager, full, roomy, seated, _waiting = _setup(factory)
    person = seated[0]
    person.created_at = utcnow() - timedelta(days=40)
    db.session.commit()
    registered_on = person.created_at
    with write_transaction():
        outcome, _ = svc.move(person, roomy, user=manager)
    db.session.expire_all()
    new = db.session.get(Registration, outcome.registration.id)
    assert new.created_at.replace(tzinfo=None) == registered_on.replace(tzinfo=None)
    assert new.transferred_from_id == person.id
    login(manager)
    page = client.get(f"/organiser/events/{roomy.id}/attendees/{new.id}").get_data(as_text=True)
    assert "Transféré·e depuis" in page or "Transferred from" in page
    assert full.title_fr in page
