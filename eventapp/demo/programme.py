"""The demo's programmes (issue 16): the 2026 congress gets a realistic two-day programme
(opening plenary, three parallel workshops per half-day on viral vectors, mAbs process
development and cell and gene therapy manufacturing, a start-up pitch session, a round table of
the poles, B2B meeting slots, speakers from the sector's organisations), published; the first
stage of the 2027 tour gets a short one with a site visit. Idempotent: an event that already
has a programme is left alone."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    Event,
    ProgrammeSession,
    ProgrammeState,
    Room,
    Speaker,
    Track,
    utcnow,
)

CONGRESS = "congres-france-bioproduction-2026"
STAGE = "fbt-2027-etape-1-grand-ouest"
PARIS = ZoneInfo("Europe/Paris")

ROOMS = [  # key, name, capacity
    ("amphi", "Amphithéâtre Lavoisier", 500),
    ("pasteur", "Salle Pasteur", 60),
    ("curie", "Salle Marie Curie", 60),
    ("monod", "Salle Jacques Monod", 60),
    ("b2b", "Espace rendez-vous B2B", 120),
]
TRACKS = [  # key, fr, en, colour
    ("vectors", "Vecteurs viraux", "Viral vectors", "purple"),
    ("mabs", "Anticorps monoclonaux", "Monoclonal antibodies", "blue"),
    ("cgt", "Thérapies cellulaires et géniques", "Cell and gene therapies", "green"),
    ("sector", "Filière et territoires", "Sector and regions", "orange"),
]
SPEAKERS = [  # key, name, organisation, role, consent
    ("medicen", "Hélène Marchand", "Medicen Paris Region", "Directrice générale", True),
    ("polepharma", "Olivier Lemaire", "Polepharma", "Délégué général", True),
    ("genopole", "Sophie Carrel", "Genopole", "Responsable bioproduction", True),
    ("lyonbiopole", "Marc Delorme", "Lyonbiopôle", "Chef de projet bioproduction", True),
    ("mabdesign", "Claire Fontaine", "MabDesign", "Responsable formation", True),
    ("atlanpole", "Yann Le Goff", "Atlanpole Biotherapies", "Chargé d’affaires", True),
    ("biolead", "Nathalie Roux", "France Biolead", "Coordinatrice nationale", True),
    ("cebr", "Anna Kowalska", "Council of European BioRegions", "Project manager", True),
    ("eurobiomed", "Julien Faure", "Eurobiomed", "Responsable filière", True),
    ("biovalley", "Thomas Keller", "BioValley France", "Chef de projet", False),
]
DAY_ONE = date(2026, 12, 15)
DAY_TWO = date(2026, 12, 16)
WORKSHOPS = [  # track, room, French and English title, speakers
    (
        "vectors",
        "pasteur",
        "Vecteurs viraux : production AAV et lentivirus",
        "Viral vectors: AAV and lentivirus production",
        ["genopole", "atlanpole"],
    ),
    (
        "mabs",
        "curie",
        "Développement de procédés anticorps",
        "mAbs process development",
        ["mabdesign", "lyonbiopole"],
    ),
    (
        "cgt",
        "monod",
        "Fabrication des thérapies cellulaires et géniques",
        "Cell and gene therapy manufacturing",
        ["eurobiomed", "biovalley"],
    ),
]
HALF_DAYS = [  # day, start, end, French and English angle of the workshops
    (DAY_ONE, time(10, 45), time(12, 15), "montée en échelle", "scale-up"),
    (DAY_ONE, time(14, 0), time(15, 30), "analytique et contrôle qualité", "analytics and QC"),
    (DAY_TWO, time(10, 45), time(12, 15), "procédés continus", "continuous processing"),
    (DAY_TWO, time(14, 0), time(15, 30), "compétences et formation", "skills and training"),
]
# day, start, end, kind, French and English title, room, track, places, speakers
PLENARIES = [
    (
        DAY_ONE,
        time(9, 0),
        time(10, 15),
        "plenary",
        "Plénière d’ouverture : la bioproduction française en 2026",
        "Opening plenary: French bioproduction in 2026",
        "amphi",
        "sector",
        None,
        ["medicen", "polepharma", "biolead"],
    ),
    (DAY_ONE, time(10, 15), time(10, 45), "break", "Pause", "Break", None, None, None, []),
    (
        DAY_ONE,
        time(12, 15),
        time(14, 0),
        "b2b",
        "Déjeuner et rendez-vous B2B",
        "Lunch and B2B meetings",
        "b2b",
        None,
        None,
        [],
    ),
    (DAY_ONE, time(15, 30), time(16, 0), "break", "Pause", "Break", None, None, None, []),
    (
        DAY_ONE,
        time(16, 0),
        time(17, 30),
        "pitch",
        "Session de pitchs : start-ups de la bioproduction",
        "Pitch session: bioproduction start-ups",
        "amphi",
        "sector",
        None,
        ["genopole"],
    ),
    (
        DAY_TWO,
        time(9, 0),
        time(10, 30),
        "round_table",
        "Table ronde des pôles : une filière, des territoires",
        "Round table of the poles: one sector, many regions",
        "amphi",
        "sector",
        None,
        ["lyonbiopole", "eurobiomed", "atlanpole", "cebr"],
    ),
    (DAY_TWO, time(10, 30), time(10, 45), "break", "Pause", "Break", None, None, None, []),
    (
        DAY_TWO,
        time(12, 15),
        time(14, 0),
        "b2b",
        "Déjeuner et rendez-vous B2B",
        "Lunch and B2B meetings",
        "b2b",
        None,
        None,
        [],
    ),
    (
        DAY_TWO,
        time(15, 45),
        time(17, 0),
        "plenary",
        "Plénière de clôture et perspectives européennes",
        "Closing plenary and European outlook",
        "amphi",
        "sector",
        None,
        ["cebr", "medicen"],
    ),
]


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=PARIS)


def _has_programme(event: Event) -> bool:
    found = db.session.scalar(
        select(ProgrammeSession.id).where(ProgrammeSession.event_id == event.id).limit(1)
    )
    return found is not None


def _session(
    event,
    rooms,
    tracks,
    speakers,
    day,
    start,
    end,
    kind,
    fr,
    en,
    room,
    track,
    places,
    who,
    description="",
):
    session = ProgrammeSession(
        event_id=event.id,
        kind=kind,
        title_fr=fr,
        title_en=en,
        description_fr=description,
        starts_at=_at(day, start),
        ends_at=_at(day, end),
        room_id=rooms[room].id if room else None,
        track_id=tracks[track].id if track else None,
        seat_limit=places,
        speakers=[speakers[key] for key in who],
    )
    db.session.add(session)
    return session


def _publish_all(event: Event) -> None:
    db.session.flush()
    now = utcnow()
    for session in db.session.scalars(
        select(ProgrammeSession).where(ProgrammeSession.event_id == event.id)
    ):
        session.published_at = now
        session.published_starts_at = session.starts_at
        session.published_ends_at = session.ends_at
        session.published_room_id = session.room_id
        session.published_cancelled = session.cancelled
    db.session.add(ProgrammeState(event_id=event.id, published_at=now))


def _congress(event: Event) -> int:
    rooms = {
        key: Room(event_id=event.id, name=name, capacity=cap, position=n)
        for n, (key, name, cap) in enumerate(ROOMS)
    }
    tracks = {
        key: Track(event_id=event.id, name_fr=fr, name_en=en, colour=colour)
        for key, fr, en, colour in TRACKS
    }
    speakers = {
        key: Speaker(
            event_id=event.id, name=name, organisation=org, role=role, consent_listed=consent
        )
        for key, name, org, role, consent in SPEAKERS
    }
    db.session.add_all([*rooms.values(), *tracks.values(), *speakers.values()])
    db.session.flush()
    count = 0
    for row in PLENARIES:
        _session(event, rooms, tracks, speakers, *row)
        count += 1
    for day, start, end, angle_fr, angle_en in HALF_DAYS:
        for track, room, fr, en, who in WORKSHOPS:
            _session(
                event,
                rooms,
                tracks,
                speakers,
                day,
                start,
                end,
                "workshop",
                f"{fr} — {angle_fr}",
                f"{en} — {angle_en}",
                room,
                track,
                40,
                who,
                description=f"Atelier de 90 minutes, 40 places sur inscription : {angle_fr}.",
            )
            count += 1
    _publish_all(event)
    return count


def _stage(event: Event) -> int:
    day = event.starts_at.astimezone(PARIS).date()
    hall = Room(event_id=event.id, name="Auditorium", capacity=event.capacity or 250)
    speakers = {
        "atlanpole": Speaker(
            event_id=event.id,
            name="Yann Le Goff",
            organisation="Atlanpole Biotherapies",
            role="Chargé d’affaires",
            consent_listed=True,
        ),
        "polepharma": Speaker(
            event_id=event.id,
            name="Olivier Lemaire",
            organisation="Polepharma",
            role="Délégué général",
            consent_listed=True,
        ),
    }
    db.session.add_all([hall, *speakers.values()])
    db.session.flush()
    rooms = {"hall": hall}
    rows = [
        (
            time(9, 30),
            time(10, 30),
            "plenary",
            "Ouverture de l’étape",
            "Stage opening",
            "hall",
            None,
            ["atlanpole", "polepharma"],
        ),
        (
            time(10, 45),
            time(12, 15),
            "round_table",
            "Table ronde : la bioproduction dans le Grand Ouest",
            "Round table: bioproduction in western France",
            "hall",
            None,
            ["atlanpole"],
        ),
        (time(12, 15), time(13, 45), "break", "Déjeuner", "Lunch", None, None, []),
        (
            time(14, 0),
            time(16, 30),
            "visit",
            "Visite d’un site de production",
            "Visit of a production site",
            None,
            25,
            [],
        ),
    ]
    for start, end, kind, fr, en, room, places, who in rows:
        _session(event, rooms, {}, speakers, day, start, end, kind, fr, en, room, None, places, who)
    _publish_all(event)
    return len(rows)


def load() -> int:
    """Add the demo programmes that do not exist yet; returns how many sessions were made."""
    made = 0
    for slug, build in ((CONGRESS, _congress), (STAGE, _stage)):
        event = db.session.scalar(select(Event).where(Event.slug == slug))
        if event is not None and not _has_programme(event):
            made += build(event)
    db.session.flush()
    return made
