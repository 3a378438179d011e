"""Organisers create, edit, publish, unpublish and cancel events; tours and stages;
co-organisers; capacity through the seat rule."""

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from eventapp.models import (
    AuditLog,
    Event,
    EventOrganiser,
    EventRegion,
    OutboxMessage,
    Registration,
    utcnow,
)


def form(org, **overrides):
    start = (utcnow() + timedelta(days=60)).strftime("%Y-%m-%d")
    data = {
        "kind": "congress",
        "title_fr": "Journées du Biotesting 2027",
        "title_en": "Biotesting Days 2027",
        "description_fr": "Stratégies analytiques",
        "description_en": "Analytical strategies",
        "starts_at": f"{start}T09:00",
        "ends_at": f"{start}T17:30",
        "venue": "Centre de congrès Vinci",
        "city": "Tours",
        "region": "cvl",
        "capacity": "150",
        "lead_id": str(org.id),
    }
    data.update(overrides)
    return data


def manager_of(factory, login, **org_kw):
    org = factory.organisation(**org_kw)
    user = factory.user(org)
    login(user)
    return org, user


def test_a_manager_creates_a_draft_event_for_their_organisation(client, db, factory, login):
    org, user = manager_of(factory, login, name="Polepharma")
    partner = factory.organisation(name="Région Centre-Val de Loire")
    co = factory.organisation(name="Medicen Paris Region")
    data = form(org, co_organiser_ids=[str(co.id)], partner_ids=[str(partner.id)])
    data["regions"] = ["nor"]
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    event = db.session.scalar(select(Event).where(Event.title_fr == "Journées du Biotesting 2027"))
    assert event.status == "draft" and event.capacity == 150 and event.kind == "congress"
    assert event.slug == "journees-du-biotesting-2027"  # the year is already in the title
    # Times typed in Paris time are stored in UTC (07:00 in summer, 08:00 in winter).
    assert event.starts_at.astimezone(UTC).hour in (7, 8)
    assert event.starts_at.astimezone(ZoneInfo("Europe/Paris")).hour == 9
    roles = dict(
        db.session.execute(
            select(EventOrganiser.organisation_id, EventOrganiser.role).where(
                EventOrganiser.event_id == event.id
            )
        ).all()
    )
    assert roles == {org.id: "lead", co.id: "co_organiser", partner.id: "partner"}
    regions = set(
        db.session.scalars(select(EventRegion.region).where(EventRegion.event_id == event.id))
    )
    assert regions == {"cvl", "nor"}
    assert (
        db.session.scalar(
            select(AuditLog).where(
                AuditLog.action == "event.created", AuditLog.event_id == event.id
            )
        ).user_id
        == user.id
    )
    assert response.headers["Location"] == f"/organiser/events/{event.id}"


def test_bad_dates_are_refused_and_the_form_keeps_what_was_typed(client, db, factory, login):
    org, _user = manager_of(factory, login)
    data = form(org, ends_at=form(org)["starts_at"].replace("T09:00", "T08:00"))
    response = client.post("/organiser/events/new", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "L’événement doit se terminer après son début." in page
    assert 'value="Journées du Biotesting 2027"' in page
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    closes_late = form(org, registration_closes_at="2099-01-01T00:00")
    assert client.post("/organiser/events/new", data=closes_late).status_code == 400
    not_a_number = client.post("/organiser/events/new", data=form(org, capacity="beaucoup"))
    assert not_a_number.status_code == 400


def test_a_manager_cannot_create_events_for_another_organisation(client, db, factory, login):
    _org, _user = manager_of(factory, login)
    other = factory.organisation(name="Eurobiomed")
    response = client.post("/organiser/events/new", data=form(other))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_check_in_staff_cannot_create_events(client, factory, login):
    org = factory.organisation()
    login(factory.user(org, "checkin"))
    assert client.get("/organiser/events/new").status_code == 403


def test_lowering_capacity_below_confirmed_is_refused_with_a_clear_message(
    client, db, factory, login
):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=5)
    for _ in range(3):
        factory.registration(event, status="confirmed")
    data = _edit_data(event, org, "2", title_fr="Nouveau titre")
    response = client.post(f"/organiser/events/{event.id}/edit", data=data)
    assert response.status_code == 409  # a conflict with the registrations, the form kept
    page = response.get_data(as_text=True)
    assert "ne peut pas être inférieure aux 3 participants confirmés" in page
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 5
    assert db.session.get(Event, event.id).title_fr != "Nouveau titre"  # nothing half-saved


def _edit_data(event, org, capacity, **overrides):
    from zoneinfo import ZoneInfo

    paris = ZoneInfo("Europe/Paris")
    data = {
        "title_fr": event.title_fr,
        "title_en": event.title_en,
        "description_fr": event.description_fr,
        "description_en": event.description_en,
        "starts_at": event.starts_at.astimezone(paris).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": event.ends_at.astimezone(paris).strftime("%Y-%m-%dT%H:%M"),
        "registration_opens_at": event.registration_opens_at.astimezone(paris).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "registration_closes_at": event.registration_closes_at.astimezone(paris).strftime(
            "%Y-%m-%dT%H:%M"
        ),
        "city": event.city or "",
        "venue": event.venue or "",
        "region": event.region or "",
        "capacity": capacity,
        "lead_id": str(org.id),
    }
    data.update(overrides)
    return data


def test_raising_capacity_offers_the_waiting_list_the_seats_in_order_by_email(
    client, db, factory, login
):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=2)
    factory.registration(event, status="confirmed")
    factory.registration(event, status="confirmed")
    now = utcnow()
    first = factory.registration(event, status="waitlisted", created_at=now - timedelta(hours=3))
    second = factory.registration(event, status="waitlisted", created_at=now - timedelta(hours=2))
    third = factory.registration(event, status="waitlisted", created_at=now - timedelta(hours=1))
    response = client.post(
        f"/organiser/events/{event.id}/edit",
        data=_edit_data(event, org, "4"),
        follow_redirects=True,
    )
    assert "Des places sont proposées par e-mail à 2 personnes" in response.get_data(as_text=True)
    db.session.expire_all()
    rows = [db.session.get(Registration, r.id) for r in (first, second, third)]
    assert [r.offer_expires_at is not None for r in rows] == [True, True, False]
    offer_mails = set(
        db.session.scalars(
            select(OutboxMessage.registration_id).where(OutboxMessage.kind == "registration.offer")
        )
    )
    assert offer_mails == {first.id, second.id}


def test_edit_saves_fields_and_records_their_names(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=10)
    data = _edit_data(event, org, "10", title_en="New English title", city="Orléans")
    assert client.post(f"/organiser/events/{event.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.title_en == "New English title" and event.city == "Orléans"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.updated"))
    assert entry.details == {"fields": ["city", "title_en"]}


def test_a_manager_cannot_edit_their_own_organisation_out(client, db, factory, login):
    org, _user = manager_of(factory, login)
    lead = factory.organisation()
    event = factory.event(organisers=[lead, org], capacity=10)  # we co-organise
    page = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    assert f'value="{lead.id}"' in page  # the current lead stays choosable
    # Another organisation as lead is not offered to us...
    other = factory.organisation()
    data = _edit_data(event, lead, "10", co_organiser_ids=[str(org.id)], lead_id=str(other.id))
    assert client.post(f"/organiser/events/{event.id}/edit", data=data).status_code == 400
    # ...and dropping our own organisation is refused.
    data = _edit_data(event, lead, "10")
    response = client.post(f"/organiser/events/{event.id}/edit", data=data)
    assert response.status_code == 400
    assert "vous perdriez l’accès" in response.get_data(as_text=True)
    assert set(event_roles(db, event)) == {lead.id, org.id}


def event_roles(db, event):
    return dict(
        db.session.execute(
            select(EventOrganiser.organisation_id, EventOrganiser.role).where(
                EventOrganiser.event_id == event.id
            )
        ).all()
    )


def test_co_organisers_see_the_event_and_its_attendees(client, db, factory, login):
    org, _user = manager_of(factory, login)
    co = factory.organisation(name="Genopole")
    event = factory.event(organisers=[org], capacity=10, title_fr="Assises franciliennes")
    factory.registration(event, last_name="Durand")
    co_manager = factory.user(co)
    data = _edit_data(event, org, "10", co_organiser_ids=[str(co.id)])
    assert client.post(f"/organiser/events/{event.id}/edit", data=data).status_code == 302
    client.post("/auth/logout")
    login(co_manager)
    assert "Assises franciliennes" in client.get("/organiser/").get_data(as_text=True)
    page = client.get(f"/organiser/events/{event.id}/attendees").get_data(as_text=True)
    assert "DURAND" in page


def test_publish_unpublish_and_refusals(client, db, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], status="draft")
    assert client.post(f"/organiser/events/{event.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"
    assert client.post(f"/organiser/events/{event.id}/unpublish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "draft"
    client.post(f"/organiser/events/{event.id}/publish")
    factory.registration(event)
    response = client.post(f"/organiser/events/{event.id}/unpublish", follow_redirects=True)
    assert "1 personne est inscrite : annulez l’événement" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"
    actions = list(
        db.session.scalars(
            select(AuditLog.action).where(AuditLog.event_id == event.id).order_by(AuditLog.id)
        )
    )
    assert actions == ["event.published", "event.unpublished", "event.published"]


def test_cancelling_asks_for_confirmation_then_emails_every_registrant(
    client, db, factory, login, mail_outbox
):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], capacity=2)
    live = [
        factory.registration(event, status="confirmed"),
        factory.registration(event, status="confirmed"),
        factory.registration(event, status="waitlisted", language="en"),
    ]
    factory.registration(event, status="cancelled")
    page = client.get(f"/organiser/events/{event.id}/cancel").get_data(as_text=True)
    assert "3 personnes inscrites seront prévenues par e-mail" in page
    unconfirmed = client.post(f"/organiser/events/{event.id}/cancel", data={})
    assert unconfirmed.status_code == 400
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "published"
    response = client.post(f"/organiser/events/{event.id}/cancel", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).status == "cancelled"
    messages = list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "registration.event_cancelled")
        )
    )
    assert {m.registration_id for m in messages} == {r.id for r in live}
    assert len(mail_outbox) == 3
    # No calendar file or ticket goes with it, and the text does not claim one does.
    for sent in mail_outbox:
        assert sent.attachments == []
        assert ".ics" not in sent.body and "billet est joint" not in sent.body
    english = next(m for m in messages if m.registration_id == live[2].id)
    assert "cancelled" in english.subject.lower()
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "event.cancelled"))
    assert entry.details == {"notified": 3}
    # A cancelled event cannot be edited any more.
    again = client.post(f"/organiser/events/{event.id}/edit", data=_edit_data(event, org, "5"))
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Event, event.id).capacity == 2


def test_a_tour_and_its_stages(client, db, factory, login):
    medicen, _user = manager_of(factory, login, name="Medicen Paris Region")
    biovalley = factory.organisation(name="BioValley France")
    data = form(medicen, kind="tour", title_fr="French Bioproduction Tour 2027", capacity="")
    assert client.post("/organiser/events/new", data=data).status_code == 302
    tour = db.session.scalar(select(Event).where(Event.kind == "tour"))
    assert tour.capacity is None
    start = (utcnow() + timedelta(days=120)).strftime("%Y-%m-%d")
    stage_data = form(
        biovalley,
        title_fr="Étape Grand Est",
        starts_at=f"{start}T09:00",
        ends_at=f"{start}T18:00",
        capacity="400",
        region="ges",
    )
    response = client.post(f"/organiser/events/{tour.id}/stages/new", data=stage_data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    stage = db.session.scalar(select(Event).where(Event.kind == "stage"))
    db.session.expire_all()
    tour = db.session.get(Event, tour.id)
    assert stage.parent_id == tour.id and stage.position == 1 and stage.capacity == 400
    assert tour.ends_at >= stage.ends_at  # the tour stretched to cover its stage
    # The stage is led by BioValley; Medicen manages it through the tour.
    page = client.get(f"/organiser/events/{tour.id}").get_data(as_text=True)
    assert "Étape Grand Est" in page
    # BioValley's manager sees the stage, and the tour overview with only that stage.
    client.post("/auth/logout")
    login(factory.user(biovalley))
    assert client.get(f"/organiser/events/{stage.id}").status_code == 200
    assert client.get(f"/organiser/events/{tour.id}").status_code == 200
    assert client.get(f"/organiser/events/{tour.id}/edit").status_code == 404
    assert client.get(f"/organiser/events/{tour.id}/stages/new").status_code == 404


def test_cancelling_a_tour_cancels_its_stages(client, db, factory, login, mail_outbox):
    org, _user = manager_of(factory, login)
    tour = factory.event(organisers=[org], kind="tour", capacity=None)
    stages = [
        factory.event(organisers=[org], kind="stage", parent_id=tour.id, position=n) for n in (1, 2)
    ]
    factory.registration(stages[0])
    factory.registration(stages[1])
    page = client.get(f"/organiser/events/{tour.id}/cancel").get_data(as_text=True)
    assert stages[0].title_fr in page and "2 personnes inscrites" in page
    client.post(f"/organiser/events/{tour.id}/cancel", data={"confirm": "y"})
    db.session.expire_all()
    assert {db.session.get(Event, e.id).status for e in [tour, *stages]} == {"cancelled"}
    assert len(mail_outbox) == 2


def test_the_edit_form_shows_the_regions_covered(client, factory, login):
    org, _user = manager_of(factory, login)
    event = factory.event(organisers=[org], region="pdl", regions=["pdl", "bre", "cvl"])
    page = client.get(f"/organiser/events/{event.id}/edit").get_data(as_text=True)
    for code in ("bre", "cvl"):
        assert re.search(rf'<input checked[^>]*value="{code}"|value="{code}"[^>]*checked', page)
