"""Demo data of B2B meetings (issue 18): the 2026 congress has B2B meetings open, two blocks
of six 20-minute slots (the afternoon of the first day, the morning of the second), 25 tables
in the "Espace B2B", 150 opted-in profiles with offers and needs that fit their category, and
about 400 requests in every state (the accepted ones within each person's cap of 8, so the
scheduler can place them all), and a published schedule: the accepted requests placed by the
scheduler's greedy placement (deterministic and fast, no solver), published without e-mailing
the demo people. Deterministic, and idempotent: nothing is added twice (the congress's B2B
settings say it was done; a congress loaded before the schedule existed gets it). Loaded in
bulk: the requests are one INSERT."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from eventapp.extensions import db
from eventapp.models import (
    B2BSettings,
    Event,
    MeetingRequest,
    Registration,
    RegistrationStatus,
    RequestStatus,
    utcnow,
)
from eventapp.services.b2b import planning, scheduler, scheduling
from eventapp.services.b2b.profiles import ProfileData, complementarity, opt_in

CONGRESS = "congres-france-bioproduction-2026"
PARIS = ZoneInfo("Europe/Paris")
PROFILES = 150
REQUESTS = 400
TABLES = 25
MEETING_CAP = 8
REQUEST_LIMIT = 20

# What each category plausibly offers and seeks (tags of models/b2b.B2BTag).
BY_CATEGORY = {
    "cdmo": (["cdmo_capacity", "fill_finish", "viral_vectors", "process_development"],
             ["recruitment", "digital", "partnership"]),
    "biotech": (["cell_therapy", "gene_therapy", "partnership"],
                ["cdmo_capacity", "fill_finish", "funding", "regulatory", "analytics"]),
    "industrial": (["mabs", "vaccines", "partnership"],
                   ["cdmo_capacity", "digital", "process_development", "training"]),
    "equipment": (["equipment", "digital"], ["partnership", "recruitment"]),
    "techprovider": (["analytics", "quality", "process_development"],
                     ["partnership", "funding"]),
    "academic": (["partnership", "training", "gene_therapy"], ["funding", "equipment"]),
    "investor": (["funding"], ["cell_therapy", "gene_therapy", "mrna"]),
}  # fmt: skip
PITCHES = {
    "cdmo": "Capacités de production cliniques et commerciales, du procédé au remplissage.",
    "biotech": "Biotech en phase clinique, nous préparons l’industrialisation de notre procédé.",
    "industrial": "Site de production biologique, nous cherchons des partenaires d’innovation.",
    "equipment": "Équipements à usage unique et automatisation des bioprocédés.",
    "techprovider": "Plateforme analytique et développement de méthodes sous BPF.",
    "academic": "Laboratoire académique ouvert aux partenariats industriels.",
    "investor": "Fonds d’amorçage et de série A dédié aux biothérapies.",
}


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), PARIS)


def load() -> int:
    """Open B2B meetings on the 2026 congress, with profiles and requests. Returns the number of
    profiles created (0 when already done or the congress is missing)."""
    congress = db.session.scalar(select(Event).where(Event.slug == CONGRESS))
    if congress is None:
        return 0
    settings = db.session.get(B2BSettings, congress.id)
    if settings is not None:
        if settings.published_at is None and settings.enabled:
            _publish_schedule(congress)  # a demo loaded before it had a schedule
        return 0
    planning.save_settings(
        congress,
        enabled=True,
        request_limit=REQUEST_LIMIT,
        meeting_cap=MEETING_CAP,
        request_expiry_hours=120,
    )
    first = congress.starts_at.astimezone(PARIS).date()
    planning.add_block(congress, _paris(first, 14), _paris(first, 16), 20)
    second = first + timedelta(days=1)
    planning.add_block(congress, _paris(second, 10), _paris(second, 12), 20)
    planning.add_tables(congress, TABLES, "Espace B2B")
    people = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == congress.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.email.is_not(None),
                Registration.category.in_(list(BY_CATEGORY)),
            )
            .order_by(Registration.id)
        )
    )
    rnd = random.Random(18)
    chosen = rnd.sample(people, min(PROFILES, len(people)))
    participants = []
    for registration in sorted(chosen, key=lambda r: r.id):
        offers, needs = BY_CATEGORY[str(registration.category)]
        participants.append(
            opt_in(
                registration,
                ProfileData(
                    organisation_name=registration.organisation_name or "—",
                    category=str(registration.category),
                    region=registration.region,
                    pitch=PITCHES[str(registration.category)],
                    offers=rnd.sample(offers, min(2, len(offers))),
                    needs=rnd.sample(needs, min(2, len(needs))),
                ),
            )
        )
    _requests(congress, participants, rnd)
    _publish_schedule(congress)
    return len(participants)


def _publish_schedule(congress: Event) -> None:
    """Place the accepted requests (the greedy placement: the same every time, in well under
    a second) and publish the schedule, e-mailing nobody."""
    problem = scheduling.build_problem(congress)
    scheduling.apply_schedule(congress, scheduler.greedy_schedule(problem))
    scheduling.publish(congress, announce=False)


# One in twenty: 10 accepted, 4 pending, 3 declined, 2 cancelled, 1 expired.
STATES = (
    [RequestStatus.ACCEPTED] * 10
    + [RequestStatus.PENDING] * 4
    + [RequestStatus.DECLINED] * 3
    + [RequestStatus.CANCELLED] * 2
    + [RequestStatus.EXPIRED]
)


def _requests(congress: Event, participants: list, rnd: random.Random) -> None:
    """About REQUESTS requests between complementary people, in every state, within each
    sender's request limit and each person's meeting cap (an accepted one past a cap is left
    pending instead)."""
    pairs = [
        (a, b)
        for a in participants
        for b in participants
        if a.id < b.id and complementarity(a.profile, b.profile)[0]
    ]
    rnd.shuffle(pairs)
    sent: dict[int, int] = {}
    accepted: dict[int, int] = {}
    now = utcnow()
    rows = []
    for a, b in pairs:
        if len(rows) >= REQUESTS:
            break
        sender, recipient = (a, b) if len(rows) % 2 else (b, a)
        if sent.get(sender.id, 0) >= REQUEST_LIMIT:
            continue
        status = STATES[len(rows) % len(STATES)]
        if status == RequestStatus.ACCEPTED:
            if max(accepted.get(sender.id, 0), accepted.get(recipient.id, 0)) >= MEETING_CAP:
                status = RequestStatus.PENDING
            else:
                accepted[sender.id] = accepted.get(sender.id, 0) + 1
                accepted[recipient.id] = accepted.get(recipient.id, 0) + 1
        sent[sender.id] = sent.get(sender.id, 0) + 1
        n = len(rows)
        rows.append(
            {
                "event_id": congress.id,
                "sender_id": sender.id,
                "recipient_id": recipient.id,
                "message": "Échangeons sur nos besoins et nos capacités.",
                "status": status,
                "created_at": now - timedelta(days=n % 9 + 1, minutes=n),
                "expires_at": (
                    now + timedelta(days=5)
                    if status == RequestStatus.PENDING
                    else now - timedelta(days=1)
                    if status == RequestStatus.EXPIRED
                    else None
                ),
                "answered_at": (
                    None
                    if status in (RequestStatus.PENDING, RequestStatus.EXPIRED)
                    else now - timedelta(days=1)
                ),
            }
        )
    db.session.execute(insert(MeetingRequest), rows)
