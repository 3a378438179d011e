"""Seed the benchmark database (run by bench/run.py in a subprocess with the app's env).

Prints one JSON object: the slugs and ids the scenarios use and the organiser's credentials.
Registrations are bulk-inserted (the benchmark measures reads of big lists, not the seeding).
"""

from __future__ import annotations

import itertools
import json
import secrets
import sys
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, text

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import (
    ActorCategory,
    Event,
    EventOrganiser,
    EventRegion,
    Membership,
    Organisation,
    Region,
    Registration,
    User,
)
from eventapp.models.booking import insert_bookings_for
from eventapp.models.question import Question

# The rush's forms (bench/rush.py answers them): "none" (the person's fields only), "congress"
# (the demo's congress form: eventapp/demo/questions.py) and "fifteen" (issue 12: 15
# questions, 3 conditional, one option with a seat limit).
FORMS = ("none", "congress", "fifteen")

FIRST = ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Inès", "Jules", "Manon", "Lucas", "Zoé",
         "Nathan", "Emma", "Théo", "Sarah", "Raphaël", "Alice", "Paul", "Juliette", "Arthur",
         "Élise"]  # fmt: skip
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
        "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
        "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
        "Bonnet", "François", "Martinez", "Legrand"]  # fmt: skip
ORGS = ["Sanofi", "Servier", "LFB", "Yposkesi", "Novasep", "Sartorius", "Inserm", "Genethon",
        "Cellectis", "Merck", "Institut Pasteur", "Clean Cells", "Bpifrance",
        "Polepharma"]  # fmt: skip


def _event(slug: str, org: Organisation, capacity: int | None, days: int = 60) -> Event:
    now = datetime.now(UTC)
    event = Event(
        slug=slug,
        kind="congress",
        title_fr=f"Bench {slug}",
        title_en=f"Bench {slug}",
        starts_at=now + timedelta(days=days),
        ends_at=now + timedelta(days=days, hours=8),
        city="Paris",
        region="idf",
        venue="Maison de la Chimie",
        capacity=capacity,
        registration_opens_at=now - timedelta(days=30),
        registration_closes_at=now + timedelta(days=days - 1),
        status="published",
    )
    event.organiser_links.append(EventOrganiser(organisation=org, role="lead"))
    event.region_links.append(EventRegion(region="idf"))
    db.session.add(event)
    db.session.flush()
    return event


def _fifteen_form(event: Event, limit: int) -> None:
    """15 questions: 3 conditional (diet → "other", B2B → offer and seek), workshop A limited
    to `limit` places (the others unlimited), and one of each other type a person types in."""
    from eventapp.demo.questions import DIETS, _question

    diets = [(i, f, e, None) for i, f, e, _w in DIETS]
    diet = _question(
        event.id,
        1,
        "diet",
        "choice",
        "Régime",
        "Diet",
        diets,
        widget="list",
        requirement="required",
        sensitive=True,
        retention_days=30,
    )
    _question(
        event.id,
        2,
        "diet_other",
        "short_text",
        "Précisez",
        "Specify",
        requirement="required",
        depends_on_id=diet.id,
        depends_values=["other"],
    )
    workshops = [
        ("atelier_a", "Atelier A", "Workshop A", limit),
        ("atelier_b", "Atelier B", "Workshop B", None),
        ("atelier_c", "Atelier C", "Workshop C", None),
    ]
    _question(
        event.id, 3, "workshop", "choice", "Atelier", "Workshop", workshops, requirement="required"
    )
    _question(
        event.id, 4, "gala", "yes_no", "Dîner de gala ?", "Gala dinner?", requirement="required"
    )
    _question(event.id, 5, "photo_consent", "consent", "J'accepte les photos", "Photos OK")
    b2b = _question(event.id, 6, "b2b", "yes_no", "Rendez-vous B2B ?", "B2B meetings?")
    for position, key in ((7, "b2b_offer"), (8, "b2b_seek")):
        _question(
            event.id,
            position,
            key,
            "long_text",
            key,
            key,
            depends_on_id=b2b.id,
            depends_values=["yes"],
        )
    _question(
        event.id,
        9,
        "years",
        "number",
        "Années d'expérience",
        "Years of experience",
        min_number=0,
        max_number=60,
    )
    _question(event.id, 10, "arrival", "date", "Date d'arrivée", "Arrival date")
    _question(event.id, 11, "country", "country", "Pays", "Country")
    _question(event.id, 12, "phone", "phone", "Téléphone", "Phone")
    _question(event.id, 13, "assistant", "email", "E-mail de l'assistant", "Assistant e-mail")
    _question(event.id, 14, "website", "url", "Site web", "Website")
    topics = [(f"t{n}", f"Thème {n}", f"Topic {n}", None) for n in range(1, 6)]
    _question(event.id, 15, "topics", "multi_choice", "Thèmes", "Topics", topics)


def rush_event(slug: str, capacity: int, form: str = "congress", limit: int = 0) -> str:
    """A rush event of `capacity` seats with its form (one of FORMS); `limit`: the places of
    the fifteen-question form's limited workshop."""
    from eventapp.demo.questions import _congress_form

    org = db.session.scalar(db.select(Organisation).where(Organisation.slug == "bench-manager"))
    if org is None:
        org = Organisation(slug="bench-manager", name="Bench Pole", short_name="Pole", kind="pole")
        db.session.add(org)
        db.session.flush()
    event = _event(slug, org, capacity=capacity)
    if form == "congress":
        _congress_form(event)
    elif form == "fifteen":
        _fifteen_form(event, limit)
    return event.slug


def question_keys(slug: str) -> dict[str, str]:
    """{question identifier: form input name} of an event's form."""
    rows = db.session.execute(
        db.select(Question.identifier, Question.id)
        .join(Event, Event.id == Question.event_id)
        .where(Event.slug == slug)
    )
    return {identifier: f"q_{qid}" for identifier, qid in rows}


def _registrations(
    event: Event, count: int, checked_in_share: float = 0.3, all_confirmed: bool = False
) -> None:
    categories = [c.value for c in ActorCategory]
    regions = [r.value for r in Region]
    now = datetime.now(UTC)
    names = itertools.product(LAST, FIRST)
    rows = []
    for n in range(count):
        last, first = next(names, (LAST[n % len(LAST)], FIRST[n % len(FIRST)]))
        status = "confirmed" if n % 50 or all_confirmed else "cancelled"
        if n % 13 == 0 and status == "confirmed" and not all_confirmed:
            status = "waitlisted"
        created = now - timedelta(days=30) + timedelta(seconds=n * 20)
        rows.append(
            {
                "event_id": event.id,
                "first_name": first,
                "last_name": f"{last}{n // 600 or ''}",
                "email": f"p{n}@bench.example.org",
                "organisation_name": ORGS[n % len(ORGS)],
                "job_title": "Ingénieur procédés",
                "category": categories[n % len(categories)],
                "region": regions[n % len(regions)],
                "status": status,
                "source": "import",
                "language": "fr",
                "manage_token": secrets.token_urlsafe(32),
                "ticket_code": secrets.token_urlsafe(12),
                "consent_at": created,
                "consent_version": "bench",
                "created_at": created,
                "updated_at": created,
                "checked_in_at": created + timedelta(days=40)
                if status == "confirmed" and (n % 100) < checked_in_share * 100
                else None,
            }
        )
        if len(rows) == 5000:
            insert_bookings_for(db.session, rows)
            db.session.execute(insert(Registration), rows)
            rows = []
    if rows:
        insert_bookings_for(db.session, rows)
        db.session.execute(insert(Registration), rows)


def rush_events(servers: int, rounds: int, seats: int, limit: int, opening: int) -> dict:
    """Per server configuration, `rounds` rush events of each form (a fresh event for each rush
    of the interleaved rounds), and one opening event (the congress form, `opening` seats)."""
    per_server = []
    for index in range(servers):
        forms = {}
        for form in FORMS:
            slugs = [
                rush_event(f"rush-{index}-{form}-{n}", seats, form, limit) for n in range(rounds)
            ]
            forms[form] = [{"slug": slug, "keys": question_keys(slug)} for slug in slugs]
        per_server.append(forms)
    slug = rush_event("opening", opening, "congress")
    return {"rush": per_server, "opening": {"slug": slug, "keys": question_keys(slug)}}


def seed(big: int, reserved: int, seats: int, badges: int) -> dict:
    """Three organisations, one organiser each:
    - `manager` (Bench Pole): the rush events, the big list, the badges event (all
      confirmed) and fillers: 10 events;
    - `small` (Bench Small): the small list and fillers: 10 events of at most 100 people
      (the same pages as `manager`'s at 100 registrations, for the ratios);
    - `many` (Bench Many): 200 events of 20 people (dashboard statement count)."""
    orgs = {
        key: Organisation(slug=f"bench-{key}", name=f"Bench {name}", short_name=name, kind=kind)
        for key, name, kind in (
            ("manager", "Pole", "pole"),
            ("small", "Small", "cluster"),
            ("many", "Many", "cluster"),
        )
    }
    db.session.add_all(orgs.values())
    db.session.flush()
    users = {}
    password = secrets.token_urlsafe(16)  # a new one per run, handed to the driver
    for key, organisation in orgs.items():
        user = User(email=f"{key}@bench.example.org", name=key)
        user.set_password(password)
        user.memberships.append(Membership(organisation=organisation, role="manager"))
        db.session.add(user)
        users[key] = user.email
    big_event = _event("big-list", orgs["manager"], capacity=None)
    _registrations(big_event, big)
    badges_event = _event("badges", orgs["manager"], capacity=None)
    _registrations(badges_event, badges, all_confirmed=True)
    for n in range(max(10 - 2 - reserved, 0)):
        _registrations(_event(f"filler-{n}", orgs["manager"], capacity=200), 20)
    small_event = _event("small-list", orgs["small"], capacity=None)
    _registrations(small_event, 100)
    for n in range(9):
        _registrations(_event(f"small-filler-{n}", orgs["small"], capacity=200), 20)
    for n in range(200):
        _registrations(_event(f"many-{n}", orgs["many"], capacity=300), 20)
    db.session.commit()
    return {
        "big": {"id": big_event.id, "slug": big_event.slug, "registrations": big},
        "small": {"id": small_event.id, "slug": small_event.slug, "registrations": 100},
        "badges": {"id": badges_event.id, "slug": badges_event.slug, "confirmed": badges},
        "users": users,
        "password": password,
    }


def analyze() -> None:
    """Planner statistics, as a live database has them (PostgreSQL's autovacuum; on SQLite,
    what `PRAGMA optimize` does): the bulk insert above is not how a table grows, so the
    seeded tables are analysed once (and vacuumed on PostgreSQL, for index-only scans; the
    SQLite WAL is checkpointed)."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()
            # Start from a checkpointed WAL, as a live database is between bursts (the seeding
            # wrote hundreds of megabytes in one go).
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def main() -> None:
    """argv: a JSON object {big, servers, seats, badges, rounds, limit, opening}."""
    args = json.loads(sys.argv[1])
    app = create_app()
    with app.app_context():
        result = seed(args["big"], args["servers"], args["seats"], args["badges"])
        result.update(
            rush_events(args["servers"], args["rounds"], args["seats"], args["limit"],
                        args["opening"])
        )  # fmt: skip
        db.session.commit()
        db.session.remove()
        analyze()
        print(json.dumps(result))


if __name__ == "__main__":
    main()
