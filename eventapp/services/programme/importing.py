"""A programme imported from a CSV or XLSX file, on the attendee import's steps
(services/imports: reading, the column-mapping screen, the upload kept until the organiser
confirms): each row is a session, checked with its line and its reasons; once confirmed, the
good rows become draft sessions in the caller's one transaction, with their rooms, tracks and
speakers created when the event has none of that name. Times are Paris time, like the forms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from eventapp.extensions import db
from eventapp.models import Event, ImportUpload, SessionKind, User, utcnow
from eventapp.questions.types import control_characters, one_line
from eventapp.services import audit
from eventapp.services import imports as import_service
from eventapp.services.imports.checking import _norm
from eventapp.services.programme import editing

KIND = "programme"
REQUIRED = ("title_fr", "starts_at", "ends_at")

# Field key -> its label on the mapping screen (and in a "missing column" message).
FIELDS = {
    "title_fr": _l("Title (French)"),
    "title_en": _l("Title (English)"),
    "kind": _l("Type"),
    "date": _l("Date (when start and end are times)"),
    "starts_at": _l("Start (Paris time)"),
    "ends_at": _l("End (Paris time)"),
    "room": _l("Room"),
    "track": _l("Track"),
    "speakers": _l("Speakers (names, separated by ; or ,)"),
    "seat_limit": _l("Places for sign-ups"),
    "description_fr": _l("Description (French)"),
    "description_en": _l("Description (English)"),
}

HEADER_ALIASES = {
    "title_fr": {"titre", "titre fr", "titre francais", "title", "title fr", "title french"},
    "title_en": {"titre en", "titre anglais", "title en", "title english", "english title"},
    "kind": {"type", "type de session", "session type", "kind", "format"},
    "date": {"date", "jour", "day"},
    "starts_at": {"debut", "heure de debut", "start", "starts", "start time", "begin", "de"},
    "ends_at": {"fin", "heure de fin", "end", "ends", "end time", "a"},
    "room": {"salle", "room", "lieu", "location"},
    "track": {"parcours", "thematique", "track", "theme"},
    "speakers": {"intervenants", "intervenant", "speakers", "speaker", "orateurs"},
    "seat_limit": {
        "places",
        "capacite",
        "capacity",
        "limite",
        "limite d inscriptions",
        "sign up limit",
        "seats",
    },
    "description_fr": {"description", "description fr", "resume", "description francais"},
    "description_en": {"description en", "description english", "abstract", "summary"},
}

KIND_SYNONYMS = {
    "atelier": SessionKind.WORKSHOP,
    "pleniere": SessionKind.PLENARY,
    "conference": SessionKind.PLENARY,
    "keynote": SessionKind.PLENARY,
    "table ronde": SessionKind.ROUND_TABLE,
    "pitch": SessionKind.PITCH,
    "pitchs": SessionKind.PITCH,
    "rendez vous b2b": SessionKind.B2B,
    "b2b": SessionKind.B2B,
    "pause": SessionKind.BREAK,
    "dejeuner": SessionKind.BREAK,
    "lunch": SessionKind.BREAK,
    "visite": SessionKind.VISIT,
    "visit": SessionKind.VISIT,
}

LIMITS = {"title_fr": 200, "title_en": 200, "room": 120, "track": 120, "speaker": 200}
DESCRIPTION_LIMIT = 5000
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y")
TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%Hh%M", "%Hh")
SPEAKER_SPLIT = re.compile(r"[;,|\n]")


@dataclass
class SessionRow:
    line: int
    values: dict[str, str]
    problems: list[str] = field(default_factory=list)
    kind: SessionKind = SessionKind.PLENARY
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    seat_limit: int | None = None
    speakers: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class ProgrammePreview:
    rows: list[SessionRow]
    header: list[str]
    mapping: list[str]
    ignored_columns: list[str]
    new_rooms: list[str]
    new_tracks: list[str]
    new_speakers: list[str]

    @property
    def good(self) -> list[SessionRow]:
        return [row for row in self.rows if row.ok]

    @property
    def bad(self) -> list[SessionRow]:
        return [row for row in self.rows if not row.ok]


def field_choices() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in FIELDS.items()]


def _suggest(header: list[str]) -> list[str]:
    by_name = {alias: key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
    for key, label in FIELDS.items():
        for lang in ("fr", "en"):
            with force_locale(lang):
                by_name.setdefault(_norm(str(label)), key)
    return import_service.mapping_from_names(header, by_name)


def _kinds() -> dict[str, SessionKind]:
    lookup = dict(KIND_SYNONYMS)
    for kind in SessionKind:
        lookup[_norm(kind.value)] = kind
        for lang in ("fr", "en"):
            with force_locale(lang):
                lookup[_norm(str(kind.label))] = kind
    return lookup


def _parse(text: str, formats) -> datetime | None:
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None


def _moment(raw: str, day: datetime | None) -> datetime | None:
    """A date and time ("2026-06-10 09:30", "10/06/2026 9:30", an Excel date cell), or a time
    alone on the row's `day`; naive, Paris time."""
    text = raw.strip().replace("T", " ")
    if not text:
        return None
    found = _parse(text, [f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS])
    if found is not None:
        return found
    at = _parse(text.lower(), TIME_FORMATS)
    if at is not None and day is not None:
        return datetime.combine(day.date(), time(at.hour, at.minute))
    return None


def _names(raw: str) -> list[str]:
    seen, names = set(), []
    for part in SPEAKER_SPLIT.split(raw or ""):
        name = one_line(part)
        if name and _norm(name) not in seen:
            seen.add(_norm(name))
            names.append(name)
    return names


def _by_name(rows, attribute) -> dict[str, object]:
    return {_norm(getattr(row, attribute)): row for row in rows}


def _existing(event: Event) -> tuple[dict, dict, dict]:
    """The event's rooms, tracks (by French or English name) and speakers, by folded name."""
    tracks = editing.tracks(event)
    by_track = {**_by_name(tracks, "name_en"), **_by_name(tracks, "name_fr")}
    by_track.pop("", None)
    return (
        _by_name(editing.rooms(event), "name"),
        by_track,
        _by_name(editing.speakers(event), "name"),
    )


def check(event: Event, records, mapping: list[str] | None = None) -> ProgrammePreview:
    """Check every session row of the file (the first non-empty row is the header)."""
    from eventapp.organiser.forms import to_utc

    labels = {key: str(FIELDS[key]) for key in REQUIRED}
    mapped = import_service.map_columns(
        records, mapping, known=set(FIELDS), suggest=_suggest, required=REQUIRED, labels=labels
    )
    kinds = _kinds()
    rooms, tracks, speakers = _existing(event)
    new_rooms, new_tracks, new_speakers = {}, {}, {}
    rows = []
    for line, cells in mapped.rows:
        raw = mapped.cells(cells)
        values = {
            key: (value.strip() if key.startswith("description") else one_line(value))
            for key, value in raw.items()
        }
        row = SessionRow(line=line, values=values)
        problems = row.problems
        if not values.get("title_fr"):
            problems.append(_("title missing"))
        for key, limit in LIMITS.items():
            if len(values.get(key, "")) > limit:
                problems.append(_("“%(column)s” is too long", column=FIELDS.get(key, key)))
        for value in values.values():
            if control_characters(value, "\n\r\t"):
                problems.append(_("special characters in “%(value)s”", value=value[:40]))
                break
        for key in ("description_fr", "description_en"):
            if len(values.get(key, "")) > DESCRIPTION_LIMIT:
                problems.append(_("“%(column)s” is too long", column=FIELDS[key]))
        raw_kind = values.get("kind", "")
        if raw_kind:
            kind = kinds.get(_norm(raw_kind))
            if kind is None:
                problems.append(_("unknown type “%(value)s”", value=raw_kind[:60]))
            else:
                row.kind = kind
        day = None
        if values.get("date"):
            day = _parse(values["date"].split(" ")[0], DATE_FORMATS)
            if day is None:
                problems.append(_("unreadable date “%(value)s”", value=values["date"][:40]))
        for key in ("starts_at", "ends_at"):
            text = values.get(key, "")
            moment = _moment(text, day)
            if moment is None:
                problems.append(
                    _("start missing")
                    if key == "starts_at" and not text
                    else _("end missing")
                    if not text
                    else _("unreadable date or time “%(value)s”", value=text[:40])
                )
            else:
                setattr(row, key, to_utc(moment))
        if row.starts_at and row.ends_at and row.ends_at <= row.starts_at:
            problems.append(_("the end is not after the start"))
        raw_limit = values.get("seat_limit", "")
        if raw_limit:
            try:
                row.seat_limit = int(float(raw_limit.replace(",", ".")))
            except ValueError:
                row.seat_limit = None
            if row.seat_limit is None or row.seat_limit < 1 or row.seat_limit > 100000:
                problems.append(
                    _("places must be a whole number from 1: “%(value)s”", value=raw_limit[:20])
                )
                row.seat_limit = None
        row.speakers = _names(raw.get("speakers", ""))
        if any(len(name) > LIMITS["speaker"] for name in row.speakers):
            problems.append(_("“%(column)s” is too long", column=FIELDS["speakers"]))
        if row.ok:
            for key, known, new in (("room", rooms, new_rooms), ("track", tracks, new_tracks)):
                name = values.get(key, "")
                if name and _norm(name) not in known:
                    new.setdefault(_norm(name), name)
            for name in row.speakers:
                if _norm(name) not in speakers:
                    new_speakers.setdefault(_norm(name), name)
        rows.append(row)
    return ProgrammePreview(
        rows,
        mapped.header,
        mapped.mapping,
        mapped.ignored,
        list(new_rooms.values()),
        list(new_tracks.values()),
        list(new_speakers.values()),
    )


import_service.register_kind(KIND, check)


def import_sessions(
    event: Event, upload: ImportUpload, *, user: User, checked: ProgrammePreview | None = None
) -> int:
    """The good rows as draft sessions, with the rooms, tracks and speakers they name that the
    event does not have yet, in the caller's transaction (it commits once, or nothing is
    stored). Returns how many sessions were created."""
    if upload.imported_at is not None:
        raise import_service.ImportFileError(import_service.ImportFileError.Code.ALREADY_IMPORTED)
    checked = checked or import_service.preview(event, upload)
    rooms, tracks, speakers = _existing(event)
    created = 0
    for row in checked.good:
        room = track = None
        if row.values.get("room"):
            room = rooms.get(_norm(row.values["room"]))
            if room is None:
                room = editing.save_room(
                    event, {"name": row.values["room"], "position": len(rooms)}
                )
                rooms[_norm(room.name)] = room
        if row.values.get("track"):
            track = tracks.get(_norm(row.values["track"]))
            if track is None:
                track = editing.save_track(event, {"name_fr": row.values["track"]})
                tracks[_norm(track.name_fr)] = track
        speaker_ids = []
        for name in row.speakers:
            speaker = speakers.get(_norm(name))
            if speaker is None:
                speaker = editing.save_speaker(event, {"name": name})
                speakers[_norm(name)] = speaker
            speaker_ids.append(speaker.id)
        editing.save_session(
            event,
            {
                "kind": row.kind.value,
                "title_fr": row.values["title_fr"],
                "title_en": row.values.get("title_en", ""),
                "description_fr": row.values.get("description_fr", ""),
                "description_en": row.values.get("description_en", ""),
                "starts_at": row.starts_at,
                "ends_at": row.ends_at,
                "room_id": room.id if room else None,
                "track_id": track.id if track else None,
                "seat_limit": row.seat_limit,
            },
            speaker_ids=speaker_ids,
            actor=user,
        )
        created += 1
    upload.imported_at = utcnow()
    upload.content = b""
    audit.record(
        "programme.imported",
        user=user,
        event_id=event.id,
        upload_id=upload.id,
        sessions=created,
        skipped=len(checked.bad),
    )
    db.session.flush()
    return created
