"""`flask demo load`: creates what is missing, never changes what exists (idempotent)."""

import secrets
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from eventapp.demo import b2b as demo_b2b
from eventapp.demo import catalogue
from eventapp.demo import directory as demo_directory
from eventapp.demo import fees as demo_fees
from eventapp.demo import invoices as demo_invoices
from eventapp.demo import programme as demo_programme
from eventapp.demo import questions as demo_questions
from eventapp.demo.people import PeopleFactory
from eventapp.extensions import db
from eventapp.models import (
    Event,
    EventOrganiser,
    EventRegion,
    Membership,
    Organisation,
    Registration,
    User,
)
from eventapp.models.booking import insert_bookings_for
from eventapp.models.registration import new_ticket_code

PARIS = ZoneInfo("Europe/Paris")
# The demo's "today": attendees are generated as seen on this date, so the data is the same
# whenever it is loaded. Events before it are past (with check-ins), after it upcoming.
REFERENCE = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
CANCELLED_SHARE = 0.04
CHECKIN_SHARE = 0.86


@dataclass
class Report:
    organisations: int = 0
    events: int = 0
    registrations: int = 0
    accounts: list[tuple[str, str, str]] = field(default_factory=list)  # email, role, password
    existing_accounts: int = 0
    questions: int = 0  # registration questions added (demo/questions.py)


def paris(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS)


def _seed(slug: str) -> int:
    return zlib.crc32(slug.encode("utf-8"))


def _organisations(report: Report) -> dict[str, Organisation]:
    existing = {o.slug: o for o in db.session.scalars(select(Organisation))}
    for slug, name, short_name, kind, regions, website in catalogue.ORGANISATIONS:
        if slug in existing:
            continue
        org = Organisation(
            slug=slug,
            name=name,
            short_name=short_name,
            kind=kind,
            regions=regions,
            website=website,
        )
        db.session.add(org)
        existing[slug] = org
        report.organisations += 1
    db.session.flush()
    return existing


def _new_event(orgs, report, *, slug, organisers, regions, partner=(), **fields) -> Event | None:
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        return None
    venue = fields.get("venue")
    if venue and not fields.get("address") and venue in catalogue.VENUE_ADDRESSES:
        fields["address"] = catalogue.VENUE_ADDRESSES[venue]
    fields.setdefault("contact_email", catalogue.contact_email(organisers[0]))
    event = Event(slug=slug, **fields)
    for position, org_slug in enumerate(organisers):
        role = "lead" if position == 0 else ("partner" if org_slug in partner else "co_organiser")
        event.organiser_links.append(
            EventOrganiser(organisation=orgs[org_slug], role=role, position=position)
        )
    for region in regions:
        event.region_links.append(EventRegion(region=region))
    db.session.add(event)
    db.session.flush()
    report.events += 1
    return event


def _attendees(event: Event, regions, *, confirmed, waitlisted=0, international=False) -> int:
    """Bulk-insert the event's synthetic attendees; returns how many rows."""
    people = PeopleFactory(_seed(event.slug), international=international)
    rnd = people.random
    opens = event.registration_opens_at or (event.starts_at - timedelta(days=90))
    last = min(event.registration_closes_at or event.starts_at, event.starts_at, REFERENCE)
    span = max((last - opens).total_seconds(), 3600)
    past = event.ends_at <= REFERENCE
    cancelled = round(confirmed * CANCELLED_SHARE)
    statuses = ["confirmed"] * confirmed + ["waitlisted"] * waitlisted + ["cancelled"] * cancelled
    rnd.shuffle(statuses)
    if waitlisted:  # the waiting list is, by definition, the last to arrive
        statuses = [s for s in statuses if s != "waitlisted"] + ["waitlisted"] * waitlisted
    # Arrival times: a burst when registration opens, then a rise towards the event.
    moments = sorted(
        opens
        + timedelta(
            seconds=span * (rnd.random() ** 0.55 if rnd.random() < 0.85 else rnd.random() * 0.1)
        )
        for _ in statuses
    )
    rows = []
    for status, created_at in zip(statuses, moments, strict=True):
        person = people.person(regions)
        row = {
            **person,
            "event_id": event.id,
            "status": status,
            "source": "demo",
            "created_at": created_at,
            "updated_at": created_at,
            "consent_at": created_at,
            "consent_version": "demo",
            "manage_token": secrets.token_urlsafe(32),
            "ticket_code": new_ticket_code(),
        }
        if status == "cancelled":
            row["cancelled_at"] = created_at + (last - created_at) * rnd.random()
        if status == "confirmed" and past and rnd.random() < CHECKIN_SHARE:
            row["checked_in_at"] = event.starts_at + timedelta(minutes=rnd.randint(-40, 150))
            row["checkin_desk"] = f"desk {rnd.randint(1, 4)}"
        rows.append(row)
    if rows:
        insert_bookings_for(db.session, rows)
        db.session.execute(insert(Registration), rows)
    return len(rows)


def _tour(orgs, report, tour_spec: dict, stages: list[tuple], opens: date | None) -> None:
    """A tour and its stages. stages: (position, suffix, title_fr, title_en, regions, city,
    venue, day, organisers, capacity, confirmed, waitlisted)."""
    year = stages[0][7].year
    tour = _new_event(
        orgs,
        report,
        kind="tour",
        status="published",
        region="idf",
        regions=list(dict.fromkeys(r for stage in stages for r in stage[4])),
        starts_at=paris(stages[0][7]),
        ends_at=paris(stages[-1][7], 18),
        **{k: v for k, v in tour_spec.items() if k != "organisers"},
        organisers=[slug for slug, _role in tour_spec["organisers"]],
    )
    if tour is None:
        tour = db.session.scalar(select(Event).where(Event.slug == tour_spec["slug"]))
    for (
        position,
        suffix,
        title_fr,
        title_en,
        regions,
        city,
        venue,
        day,
        orgs_,
        capacity,
        confirmed,
        waitlisted,
    ) in stages:
        stage = _new_event(
            orgs,
            report,
            slug=f"fbt-{year}-etape-{position}-{suffix}",
            kind="stage",
            status="published",
            parent_id=tour.id,
            position=position,
            title_fr=f"French Bioproduction Tour {year} — étape {position} : {title_fr}",
            title_en=f"French Bioproduction Tour {year} — stage {position}: {title_en}",
            description_fr=(
                f"Étape {position} du French Bioproduction Tour : la filière biothérapies et "
                f"bioproduction en {title_fr}, avec les pôles et clusters de la région."
            ),
            description_en=(
                f"Stage {position} of the French Bioproduction Tour: the biotherapy and "
                f"bioproduction sector in {title_en}, with the region's poles and clusters."
            ),
            starts_at=paris(day),
            ends_at=paris(day, 18),
            venue=venue,
            city=city,
            region=regions[0],
            regions=regions,
            capacity=capacity,
            registration_opens_at=paris(opens or day - timedelta(days=75)),
            registration_closes_at=paris(day - timedelta(days=1), 23, 59),
            organisers=orgs_,
        )
        if stage is not None and (confirmed or waitlisted):
            report.registrations += _attendees(
                stage, regions, confirmed=confirmed, waitlisted=waitlisted
            )


def _tours(orgs, report) -> None:
    past = [(*stage[:9], int(round(stage[9] * 1.1, -1)), stage[9], 0) for stage in catalogue.STAGES]
    _tour(orgs, report, catalogue.TOUR, past, opens=None)
    _tour(orgs, report, catalogue.TOUR_2027, catalogue.STAGES_2027, catalogue.TOUR_2027_OPENS)


def _congresses(orgs, report) -> None:
    for year, city, region, venue, day, capacity, count in catalogue.CONGRESSES:
        event = _new_event(
            orgs,
            report,
            slug=f"congres-france-bioproduction-{year}",
            kind="congress",
            status="published",
            title_fr=f"Congrès France Bioproduction {year}",
            title_en=f"France Bioproduction Congress {year}",
            starts_at=paris(day),
            ends_at=paris(day + timedelta(days=1), 17, 30),
            venue=venue,
            city=city,
            region=region,
            regions=[region],
            capacity=capacity,
            registration_opens_at=paris(date(year, 9, 1)),
            registration_closes_at=paris(day - timedelta(days=1), 23, 59),
            organisers=["medicen", "polepharma"],
            **catalogue.CONGRESS_TEXT,
        )
        if event is not None:
            report.registrations += _attendees(event, [region], confirmed=count)


def _others(orgs, report) -> None:
    for spec in catalogue.OTHER_EVENTS:
        spec = dict(spec)
        day, days = spec.pop("day"), spec.pop("days")
        start_hour, end_hour = spec.pop("hours", (9, 17))
        confirmed, waitlisted = spec.pop("confirmed"), spec.pop("waitlisted", 0)
        opens = spec.pop("opens", day - timedelta(days=80))
        international = spec.pop("international", False)
        region = spec["region"]
        event = _new_event(
            orgs,
            report,
            status=spec.pop("status", "published"),
            starts_at=paris(day, start_hour),
            ends_at=paris(day + timedelta(days=days - 1), end_hour),
            registration_opens_at=paris(opens),
            registration_closes_at=paris(day, start_hour),
            regions=[region],
            **spec,
        )
        if event is not None and (confirmed or waitlisted):
            report.registrations += _attendees(
                event,
                [region],
                confirmed=confirmed,
                waitlisted=waitlisted,
                international=international,
            )


def _accounts(orgs, report, credentials_file: Path, reset_passwords: bool) -> None:
    wanted = [("admin@example.org", "Administrateur démo", None, None)]
    for slug in catalogue.ORGANISER_ACCOUNTS:
        wanted.append(
            (f"{slug}@example.org", f"Organisateur {orgs[slug].short_name}", slug, "manager")
        )
    wanted.append(("accueil@example.org", "Accueil Medicen (check-in)", "medicen", "checkin"))
    for email, name, org_slug, role in wanted:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None and not reset_passwords:
            report.existing_accounts += 1
            continue
        password = secrets.token_urlsafe(9)
        if user is None:
            user = User(email=email, name=name, is_admin=org_slug is None)
            if org_slug:
                user.memberships.append(Membership(organisation=orgs[org_slug], role=role))
            db.session.add(user)
        user.set_password(password)
        report.accounts.append(
            (email, "admin" if org_slug is None else f"{role} {org_slug}", password)
        )
    db.session.flush()
    if report.accounts:
        credentials_file.parent.mkdir(parents=True, exist_ok=True)
        known = {}
        if credentials_file.exists():
            for line in credentials_file.read_text(encoding="utf-8").splitlines():
                parts = line.split("\t")
                if len(parts) == 3:
                    known[parts[0]] = parts
        for email, role, password in report.accounts:
            known[email] = [email, role, password]
        credentials_file.write_text(
            "".join("\t".join(parts) + "\n" for parts in known.values()), encoding="utf-8"
        )
        credentials_file.chmod(0o600)


def load(credentials_file: Path, reset_passwords: bool = False) -> Report:
    """Create the demo organisations, events, attendees and accounts that do not exist yet."""
    report = Report()
    orgs = _organisations(report)
    _tours(orgs, report)
    _congresses(orgs, report)
    _others(orgs, report)
    demo_fees.load(orgs)  # issue 14: the 2026 congress is paid
    demo_invoices.load(orgs)  # issue 15: its paid bookings are invoiced
    report.questions = demo_questions.load()
    demo_programme.load()  # issue 16: the 2026 congress's programme
    demo_b2b.load()  # issue 18: B2B meetings at the 2026 congress
    demo_directory.load()  # issue 18: the sector directory
    _accounts(orgs, report, credentials_file, reset_passwords)
    return report
