"""Checking an import's rows: columns recognised by their header in French or English (our own
export re-imports), categories and regions as codes or labels in either language, every bad
row with its line number and its reasons; who is already registered."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from flask_babel import force_locale
from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import ActorCategory, Event, Region, Registration, RegistrationStatus, utcnow
from eventapp.services import registrations as registration_service
from eventapp.services.counts import taken_count
from eventapp.services.imports.reading import ImportFileError
from eventapp.text import fold

REQUIRED = ("first_name", "last_name", "email")


def _norm(text) -> str:
    """Text compared folded (eventapp/text.py), punctuation as spaces."""
    return re.sub(r"[^a-z0-9]+", " ", fold(str(text or ""))).strip()


HEADER_ALIASES = {
    "first_name": {"prenom", "first name", "firstname", "given name", "forename"},
    "last_name": {"nom", "last name", "lastname", "surname", "family name", "nom de famille"},
    "email": {
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse e mail",
        "adresse email",
        "adresse mail",
        "email address",
        "e mail address",
    },
    "organisation_name": {
        "organisation",
        "organization",
        "societe",
        "entreprise",
        "company",
        "structure",
        "etablissement",
        "employer",
    },
    "job_title": {"fonction", "poste", "job title", "job", "position", "titre"},
    "category": {"categorie", "category", "type d acteur", "actor category", "profil"},
    "region": {"region"},
    "language": {"langue", "language", "lang"},
}


_HEADER_LOOKUP = {alias: name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


@dataclass
class RowProblem:
    code: str  # missing_first_name, missing_last_name, bad_email, unknown_category,
    # unknown_region, duplicate_in_file, already_registered, too_long
    value: str = ""
    first_line: int | None = None


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)
    category: str = ActorCategory.OTHER.value
    region: str | None = None
    language: str = "fr"

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def email(self) -> str:
        return self.values.get("email", "")

    def participant(self, consent_version: str) -> registration_service.Participant:
        return registration_service.Participant(
            first_name=self.values["first_name"],
            last_name=self.values["last_name"],
            email=self.email,
            category=self.category,
            organisation_name=self.values.get("organisation_name", ""),
            job_title=self.values.get("job_title", ""),
            region=self.region,
            language=self.language,
            consent_at=utcnow(),
            consent_version=consent_version,
        )


@dataclass
class Preview:
    rows: list[ImportRow]
    columns: list[str]  # recognised columns
    ignored_columns: list[str]
    free_seats: int | None

    @property
    def good(self) -> list[ImportRow]:
        return [row for row in self.rows if row.ok]

    @property
    def bad(self) -> list[ImportRow]:
        return [row for row in self.rows if not row.ok]

    @property
    def expected_confirmed(self) -> int:
        good = len(self.good)
        return good if self.free_seats is None else min(good, self.free_seats)

    @property
    def expected_waitlisted(self) -> int:
        return len(self.good) - self.expected_confirmed


def _choice_lookup(enum_cls) -> dict[str, str]:
    lookup = {}
    for member in enum_cls:
        lookup[_norm(member.value)] = member.value
        for locale in ("fr", "en"):
            with force_locale(locale):
                lookup[_norm(member.label)] = member.value
    return lookup


_CATEGORY_SYNONYMS = {
    "industriel": "industrial",
    "industrie": "industrial",
    "pharma": "industrial",
    "startup": "biotech",
    "start up": "biotech",
    "biotechnologie": "biotech",
    "cro": "techprovider",
    "plateforme": "techprovider",
    "academique": "academic",
    "recherche": "academic",
    "equipementier": "equipment",
    "pole": "cluster",
    "syndicat": "union",
    "institution": "public",
    "investisseur": "investor",
    "autre": "other",
}


def check(event: Event, records: list[tuple[int, list[str]]]) -> Preview:
    """Check every data row; the first non-empty row is the header."""
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise ImportFileError(ImportFileError.Code.EMPTY)
    _header_line, header = records[0]
    positions: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        key = _HEADER_LOOKUP.get(_norm(name))
        if key and key not in positions:
            positions[key] = index
        elif name.strip():
            ignored.append(name.strip())
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise ImportFileError(ImportFileError.Code.MISSING_COLUMNS, columns=missing)
    if len(records) == 1:
        raise ImportFileError(ImportFileError.Code.NO_ROWS)

    categories = {**_choice_lookup(ActorCategory), **_CATEGORY_SYNONYMS}
    regions = _choice_lookup(Region)
    rows: list[ImportRow] = []
    first_seen: dict[str, int] = {}
    for line, cells in records[1:]:
        values = {
            key: (cells[index].strip() if index < len(cells) else "")
            for key, index in positions.items()
        }
        row = ImportRow(line=line, values=values)
        for name in ("first_name", "last_name"):
            if not values.get(name):
                row.problems.append(RowProblem(f"missing_{name}"))
            elif len(values[name]) > 100:
                row.problems.append(RowProblem("too_long", values[name][:40]))
        if len(values.get("organisation_name", "")) > 200 or len(values.get("job_title", "")) > 200:
            row.problems.append(RowProblem("too_long"))
        try:
            email = validate_email(values["email"], check_deliverability=False).normalized
            values["email"] = registration_service.normalise_email(email)
        except EmailNotValidError:
            row.problems.append(RowProblem("bad_email", values["email"][:80]))
        else:
            if values["email"] in first_seen:
                row.problems.append(
                    RowProblem("duplicate_in_file", values["email"], first_seen[values["email"]])
                )
            else:
                first_seen[values["email"]] = line
        raw_category = values.get("category", "")
        if raw_category:
            category = categories.get(_norm(raw_category))
            if category is None:
                row.problems.append(RowProblem("unknown_category", raw_category[:60]))
            else:
                row.category = category
        raw_region = values.get("region", "")
        if raw_region:
            region = regions.get(_norm(raw_region))
            if region is None:
                row.problems.append(RowProblem("unknown_region", raw_region[:60]))
            else:
                row.region = region
        language = _norm(values.get("language", ""))[:2]
        row.language = "en" if language in ("en", "an") else "fr"
        rows.append(row)

    _mark_already_registered(event, rows)
    taken = taken_count(event.id)
    free = None if event.capacity is None else max(event.capacity - taken, 0)
    return Preview(rows, list(positions), ignored, free)


def _mark_already_registered(event: Event, rows: list[ImportRow]) -> None:
    emails = sorted({row.email for row in rows if row.email and "@" in row.email})
    registered = set()
    for start in range(0, len(emails), 500):
        registered.update(
            db.session.scalars(
                select(Registration.email).where(
                    Registration.event_id == event.id,
                    Registration.status != RegistrationStatus.CANCELLED,
                    Registration.email.in_(emails[start : start + 500]),
                )
            )
        )
    for row in rows:
        if row.email in registered and not any(
            p.code in ("bad_email", "duplicate_in_file") for p in row.problems
        ):
            row.problems.append(RowProblem("already_registered", row.email))
