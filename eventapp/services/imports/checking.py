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
from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Event, Region, Registration, RegistrationStatus, utcnow
from eventapp.questions import fields as field_model
from eventapp.questions.types import control_characters, one_line
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
    # unknown_region, duplicate_in_file, already_registered, too_long, bad_text, bad_answer
    value: str = ""
    first_line: int | None = None


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    problems: list[RowProblem] = field(default_factory=list)
    answers: dict[str, str] = field(default_factory=dict)  # question identifier -> value
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
    header: list[str] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)  # a field key per column ("" ignored)
    questions: list = field(default_factory=list)  # the questions' FieldSpecs mapped

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


QUESTION_PREFIX = "q:"
PERSON_KEYS = (*field_model.PERSON_NAMES, "language")
TEXT_LIMITS = {f.name: f.max_length for f in field_model.PERSON_FIELDS if f.max_length}


def import_questions(event: Event) -> list:
    """The questions a column may be mapped to: every answerable one of the event (and its
    tour), organiser-only ones included, files excepted."""
    return [
        s
        for s in field_model.question_specs([event], current_language(), audience="organiser")
        if s.has_answer and s.type.name != "file"
    ]


def _person_label_lookup() -> dict[str, str]:
    """The field model's person labels in French and English (the exports' and the
    template's headers), as column names the mapping recognises."""
    from flask_babel import force_locale

    from eventapp.questions.fields import EXPORT_PERSON_FIELDS, person_label

    lookup = {}
    for lang in ("fr", "en"):
        with force_locale(lang):
            for name in EXPORT_PERSON_FIELDS:
                lookup.setdefault(_norm(person_label(name)), name)
    return lookup


def suggest_mapping(header: list[str], questions) -> list[str]:
    """A field key per column, from its header: the person fields' names in French or
    English (our own export re-imports), a question's identifier or wording."""
    by_name = dict(_HEADER_LOOKUP)
    by_name.update(_person_label_lookup())
    for spec in questions:
        key = QUESTION_PREFIX + spec.identifier
        by_name.setdefault(_norm(spec.identifier), key)
        by_name.setdefault(_norm(spec.label), key)
        for lang in ("fr", "en"):
            by_name.setdefault(_norm(spec.question.label(lang)), key)
    return mapping_from_names(header, by_name)


def mapping_from_names(header: list[str], by_name: dict[str, str]) -> list[str]:
    """A field key per column, looked up by its folded header in `by_name` (each key once:
    a second column with the same meaning is left unmapped)."""
    mapping, used = [], set()
    for name in header:
        key = by_name.get(_norm(name), "")
        mapping.append(key if key and key not in used else "")
        used.add(key)
    return mapping


@dataclass
class MappedFile:
    """A file's data rows with the columns the mapping uses: `positions` (field key -> column
    index, first column of a key), `ignored` (headers of the columns left out)."""

    header: list[str]
    mapping: list[str]
    positions: dict[str, int]
    ignored: list[str]
    rows: list[tuple[int, list[str]]]

    def cells(self, cells: list[str]) -> dict[str, str]:
        return {
            key: (cells[index] if index < len(cells) else "")
            for key, index in self.positions.items()
        }


def map_columns(
    records: list[tuple[int, list[str]]],
    mapping: list[str] | None,
    *,
    known,
    suggest,
    required: tuple[str, ...],
    labels: dict[str, str] | None = None,
) -> MappedFile:
    """The mapping step every import shares: the first non-empty row is the header; `mapping`
    is the organiser's field key per column (`suggest(header)` when they chose none), keys not
    in `known` dropped. A required key without a column, or a file with a header alone, is
    refused (ImportFileError: MISSING_COLUMNS carries the header and mapping for the mapping
    screen; `labels` names the required columns in its message)."""
    records = [(line, cells) for line, cells in records if any(c.strip() for c in cells)]
    if not records:
        raise ImportFileError(ImportFileError.Code.EMPTY)
    header = [c.strip() for c in records[0][1]]
    if mapping is None:
        mapping = suggest(header)
    mapping = [
        (key if key in known else "") for key in (list(mapping) + [""] * len(header))[: len(header)]
    ]
    positions: dict[str, int] = {}
    ignored = []
    for index, name in enumerate(header):
        key = mapping[index]
        if key and key not in positions:
            positions[key] = index
        elif name:
            ignored.append(name)
    missing = [name for name in required if name not in positions]
    if missing:
        raise ImportFileError(
            ImportFileError.Code.MISSING_COLUMNS,
            columns=missing,
            header=header,
            mapping=mapping,
            **({"labels": labels} if labels else {}),
        )
    if len(records) == 1:
        raise ImportFileError(ImportFileError.Code.NO_ROWS)
    return MappedFile(header, mapping, positions, ignored, records[1:])


def header_signature(header: list[str]) -> str:
    """Files "of the same shape" have the same columns, whatever their rows."""
    import hashlib

    return hashlib.sha256("|".join(_norm(h) for h in header).encode()).hexdigest()[:40]


def header_of(records: list[tuple[int, list[str]]]) -> list[str]:
    for _line, cells in records:
        if any(c.strip() for c in cells):
            return [c.strip() for c in cells]
    return []


def check(
    event: Event, records: list[tuple[int, list[str]]], mapping: list[str] | None = None
) -> Preview:
    """Check every data row; the first non-empty row is the header. `mapping`: the field key
    of each column, as the organiser chose it (suggested from the headers otherwise)."""
    questions = import_questions(event)
    known = {QUESTION_PREFIX + s.identifier: s for s in questions}
    mapped = map_columns(
        records,
        mapping,
        known=set(PERSON_KEYS) | set(known),
        suggest=lambda header: suggest_mapping(header, questions),
        required=REQUIRED,
    )
    positions = mapped.positions
    mapped_questions = [known[key] for key in positions if key in known]

    categories = {**_choice_lookup(ActorCategory), **_CATEGORY_SYNONYMS}
    regions = _choice_lookup(Region)
    rows: list[ImportRow] = []
    first_seen: dict[str, int] = {}
    for line, cells in mapped.rows:
        cells_of = mapped.cells(cells)
        # The person's text fields follow the field model's rule: one line (runs of spaces,
        # tabs and line breaks folded), no control characters, the same lengths.
        values = {key: one_line(value) for key, value in cells_of.items() if key in PERSON_KEYS}
        row = ImportRow(line=line, values=values)
        for name in ("first_name", "last_name"):
            if not values.get(name):
                row.problems.append(RowProblem(f"missing_{name}"))
        for name, limit in TEXT_LIMITS.items():
            if name != "email" and len(values.get(name, "")) > limit:
                row.problems.append(RowProblem("too_long", values[name][:40]))
            elif name != "email" and control_characters(values.get(name, "")):
                row.problems.append(RowProblem("bad_text", values[name][:40]))
        for spec in mapped_questions:
            raw = cells_of.get(QUESTION_PREFIX + spec.identifier, "")
            try:
                value = spec.type.from_text(spec, raw)
            except ValueError as error:
                row.problems.append(
                    RowProblem("bad_answer", f"{spec.label} : {error.args[0]} « {raw[:40]} »")
                )
                continue
            if value:
                row.answers[spec.identifier] = value
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
    return Preview(
        rows,
        list(positions),
        mapped.ignored,
        free,
        mapped.header,
        mapped.mapping,
        mapped_questions,
    )


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
