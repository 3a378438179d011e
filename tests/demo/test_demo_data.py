"""The demo data: real organisations and events, realistic volumes, idempotent loading."""

import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from eventapp.models import (
    Event,
    EventOrganiser,
    Organisation,
    Registration,
    RegistrationStatus,
    User,
)
from eventapp.services.counts import event_counts

LIVE = Registration.status != RegistrationStatus.CANCELLED


def _table_counts(db):
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Organisation, Event, EventOrganiser, Registration, User)
    }


def test_demo_load_builds_the_tour_and_congresses_and_is_idempotent(runner, db):
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "polepharma@example.org" in first.output  # passwords printed once
    before = _table_counts(db)

    tour = db.session.scalar(select(Event).where(Event.slug == "french-bioproduction-tour-2021"))
    stages = list(db.session.scalars(select(Event).where(Event.parent_id == tour.id)))
    assert len(stages) == 7
    assert sorted(s.position for s in stages) == [1, 2, 3, 4, 5, 6, 7]
    counts = event_counts(s.id for s in stages)
    total = sum(c.confirmed for c in counts.values())
    assert 3000 < total < 3300, total

    # Stage 1 is co-organised by Atlanpole Biotherapies and Polepharma.
    stage1 = next(s for s in stages if s.position == 1)
    organisers = set(
        db.session.scalars(
            select(Organisation.slug)
            .join(EventOrganiser)
            .where(EventOrganiser.event_id == stage1.id)
        )
    )
    assert organisers == {"atlanpole-biotherapies", "polepharma"}

    congresses = {
        e.slug: e
        for e in db.session.scalars(
            select(Event).where(Event.slug.like("congres-france-bioproduction-%"))
        )
    }
    assert {f"congres-france-bioproduction-{y}" for y in range(2021, 2027)} <= set(congresses)
    congress_counts = event_counts(e.id for e in congresses.values())
    for year in range(2021, 2026):
        confirmed = congress_counts[congresses[f"congres-france-bioproduction-{year}"].id].confirmed
        assert 450 <= confirmed <= 550, (year, confirmed)
    assert (
        congresses["congres-france-bioproduction-2026"].registration_state(
            now=congresses["congres-france-bioproduction-2026"].registration_opens_at
        )
        == "open"
    )

    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0, second.output
    assert "0 organisations, 0 events, 0 registrations added" in second.output
    assert _table_counts(db) == before


def test_demo_attendees_are_deterministic_and_varied(runner, db):
    runner.invoke(args=["demo", "load"])
    congress = db.session.scalar(
        select(Event).where(Event.slug == "congres-france-bioproduction-2023")
    )
    categories = dict(
        db.session.execute(
            select(Registration.category, func.count())
            .where(Registration.event_id == congress.id, LIVE)
            .group_by(Registration.category)
        ).all()
    )
    assert len(categories) >= 8
    assert max(categories.values()) < 0.35 * sum(categories.values())
    emails = db.session.scalars(
        select(Registration.email).where(Registration.event_id == congress.id)
    ).all()
    assert all(email.endswith(".example.org") for email in emails)

    from eventapp.demo.people import PeopleFactory

    a, b = PeopleFactory(42), PeopleFactory(42)
    assert [a.person(["idf"]) for _ in range(5)] == [b.person(["idf"]) for _ in range(5)]


def test_demo_accounts_one_per_organising_organisation_and_an_admin(runner, db):
    runner.invoke(args=["demo", "load"])
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    assert admin.is_admin
    polepharma = db.session.scalar(select(User).where(User.email == "polepharma@example.org"))
    assert [m.organisation.slug for m in polepharma.memberships] == ["polepharma"]
    assert not polepharma.is_admin


def test_demo_has_an_open_tour_for_multi_stage_registration(runner, db):
    runner.invoke(args=["demo", "load"])
    tour = db.session.scalar(select(Event).where(Event.slug == "french-bioproduction-tour-2027"))
    stages = list(
        db.session.scalars(select(Event).where(Event.parent_id == tour.id).order_by(Event.position))
    )
    assert len(stages) == 7
    reference = datetime(2026, 11, 27, 12, tzinfo=UTC)
    assert all(s.registration_state(now=reference) == "open" for s in stages)
    counts = event_counts(s.id for s in stages)
    first = stages[0]
    # Stage 1 (co-organised by Polepharma) is full with a waiting list; the others have room.
    assert counts[first.id].confirmed == first.capacity and counts[first.id].waitlisted > 0
    assert all(counts[s.id].confirmed < s.capacity for s in stages[1:])


def test_demo_events_have_a_street_address_in_their_city_and_a_contact(runner, db):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    events = list(db.session.scalars(select(Event).where(Event.kind != "tour")))
    placed = [e for e in events if e.venue]
    assert placed and all(e.address for e in placed), [e.slug for e in placed if not e.address]
    for event in placed:
        assert re.search(r", \d{5} \w", event.address), event.address  # street, postcode town
        assert event.map_url.startswith("https://www.openstreetmap.org/search?query=")
    assert all(e.contact_email and e.contact_email.endswith(".example") for e in events)
