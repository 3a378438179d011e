"""Networking profiles and the event's B2B participants: opting in, the profile carried over
from an earlier event, browsing and the suggestions.

Rules:
- Only a confirmed (live, not waiting) registration of an event whose B2B meetings are switched
  on may opt in; its profile is the person's (`NetworkProfile`, one per e-mail and
  organisation), so what they gave at a tour stage is offered again at the congress, to
  confirm.
- Profiles are seen only by the other opted-in participants of the same event (`visible_to`):
  the views never load a participant without it.
- No e-mail and no job title before a meeting is accepted (`contact_shared`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BSettings,
    B2BTag,
    Event,
    MeetingRequest,
    NetworkProfile,
    Registration,
    RegistrationStatus,
    RequestStatus,
)
from eventapp.services.b2b.errors import B2BError
from eventapp.text import fold

PAGE_SIZE = 20
SUGGESTIONS = 10
TAGS = frozenset(tag.value for tag in B2BTag)


def settings_of(event: Event, *, create: bool = False) -> B2BSettings | None:
    settings = db.session.get(B2BSettings, event.id)
    if settings is None and create:
        settings = B2BSettings(event_id=event.id, enabled=False)
        db.session.add(settings)
        db.session.flush()
    return settings


def is_enabled(event: Event) -> bool:
    settings = settings_of(event)
    return bool(settings and settings.enabled)


def participant_of(registration: Registration) -> B2BParticipant | None:
    return db.session.scalar(
        select(B2BParticipant)
        .where(B2BParticipant.registration_id == registration.id)
        .options(joinedload(B2BParticipant.profile))
    )


def carried_profile(registration: Registration) -> NetworkProfile | None:
    """The person's profile for this organisation, else their latest one (a new employer keeps
    nothing of the old one's offers: only the same organisation's profile is reused as is)."""
    if not registration.email:
        return None
    profiles = list(
        db.session.scalars(
            select(NetworkProfile)
            .where(NetworkProfile.email == registration.email)
            .order_by(NetworkProfile.updated_at.desc(), NetworkProfile.id.desc())
        )
    )
    key = fold(registration.organisation_name)
    same = [p for p in profiles if p.organisation_key == key]
    return (same or profiles or [None])[0]


@dataclass
class ProfileData:
    organisation_name: str
    category: str
    region: str | None
    pitch: str = ""
    offers: list[str] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)
    offers_text: str = ""
    needs_text: str = ""


def _tags(values) -> list[str]:
    return [tag.value for tag in B2BTag if tag.value in set(values or ())]


def _fill(profile: NetworkProfile, data: ProfileData, names: str) -> None:
    profile.organisation_name = data.organisation_name.strip()
    profile.organisation_key = fold(profile.organisation_name)
    profile.category = data.category
    profile.region = data.region or None
    profile.pitch = data.pitch.strip()
    profile.offers = _tags(data.offers)
    profile.needs = _tags(data.needs)
    profile.offers_text = data.offers_text.strip()
    profile.needs_text = data.needs_text.strip()
    profile.search_text = fold(
        " ".join(
            [
                names,
                profile.organisation_name,
                profile.pitch,
                profile.offers_text,
                profile.needs_text,
            ]
        )
    )
    profile.tag_text = (
        " " + " ".join([f"o:{t}" for t in profile.offers] + [f"n:{t}" for t in profile.needs]) + " "
    )


def opt_in(registration: Registration, data: ProfileData) -> B2BParticipant:
    """Join the event's B2B meetings (or update the profile shown there). The profile saved is
    the person's for that organisation: the next event offers it again."""
    event = registration.event
    if not is_enabled(event):
        raise B2BError(B2BError.Code.DISABLED)
    if registration.status != RegistrationStatus.CONFIRMED or not registration.email:
        raise B2BError(B2BError.Code.NOT_LIVE)
    key = fold(data.organisation_name)
    profile = db.session.scalar(
        select(NetworkProfile).where(
            NetworkProfile.email == registration.email, NetworkProfile.organisation_key == key
        )
    )
    if profile is None:
        profile = NetworkProfile(email=registration.email)
        db.session.add(profile)
    _fill(profile, data, registration.full_name)
    db.session.flush()
    participant = participant_of(registration)
    if participant is None:
        participant = B2BParticipant(
            event_id=event.id, registration_id=registration.id, profile_id=profile.id
        )
        db.session.add(participant)
    else:
        participant.profile_id = profile.id
    db.session.flush()
    return participant


def opt_out(participant: B2BParticipant) -> None:
    """Leave the event's B2B meetings: requests and meetings go with the participation; the
    directory profile stays the person's, for their next event."""
    db.session.delete(participant)
    db.session.flush()


def set_unavailable(participant: B2BParticipant, slot_ids: list[int], valid: set[int]) -> None:
    participant.unavailable = sorted(set(slot_ids) & valid)
    db.session.flush()


# --- seeing the others ------------------------------------------------------------------------


def _others(viewer: B2BParticipant):
    """The other opted-in, live participants of the viewer's event (the one visibility rule)."""
    return (
        select(B2BParticipant)
        .join(B2BParticipant.registration)
        .join(B2BParticipant.profile)
        .where(
            B2BParticipant.event_id == viewer.event_id,
            B2BParticipant.id != viewer.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def visible_to(viewer: B2BParticipant, participant_id: int) -> B2BParticipant:
    """Another participant of the viewer's event, else B2BError unknown_person (404)."""
    found = db.session.scalar(
        _others(viewer)
        .where(B2BParticipant.id == participant_id)
        .options(joinedload(B2BParticipant.profile), joinedload(B2BParticipant.registration))
    )
    if found is None:
        raise B2BError(B2BError.Code.UNKNOWN_PERSON)
    return found


@dataclass(frozen=True)
class Filters:
    text: str = ""
    tag: str = ""
    side: str = ""  # "offers", "needs" or "" (either)
    category: str = ""
    region: str = ""


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int


def contains_words(column, text: str) -> list:
    """Conditions: the folded column holds each of the first five words of `text` (folded,
    LIKE's wildcards escaped)."""
    conditions = []
    for word in fold(text).split()[:5]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(column.like(f"%{escaped}%", escape="\\"))
    return conditions


def browse(viewer: B2BParticipant, filters: Filters, page: int = 1) -> Page:
    """One page of the other participants' profiles, filtered and counted in SQL."""
    query = _others(viewer)
    if filters.tag in TAGS:
        offers, needs = f"% o:{filters.tag} %", f"% n:{filters.tag} %"
        if filters.side == "offers":
            query = query.where(NetworkProfile.tag_text.like(offers))
        elif filters.side == "needs":
            query = query.where(NetworkProfile.tag_text.like(needs))
        else:
            query = query.where(
                or_(NetworkProfile.tag_text.like(offers), NetworkProfile.tag_text.like(needs))
            )
    if filters.category:
        query = query.where(NetworkProfile.category == filters.category)
    if filters.region:
        query = query.where(NetworkProfile.region == filters.region)
    query = query.where(*contains_words(NetworkProfile.search_text, filters.text))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(page, 1), pages)
    items = list(
        db.session.scalars(
            query.options(
                joinedload(B2BParticipant.profile), joinedload(B2BParticipant.registration)
            )
            .order_by(NetworkProfile.organisation_key, B2BParticipant.id)
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
    return Page(items, total, page, pages)


@dataclass
class Suggestion:
    participant: B2BParticipant
    score: int
    they_offer: list[str]  # tags they offer that the viewer seeks
    they_seek: list[str]  # tags they seek that the viewer offers


def complementarity(mine: NetworkProfile, theirs: NetworkProfile) -> tuple[int, list, list]:
    """My needs against their offers (worth two: I came for them) and the reverse (one)."""
    they_offer = [t for t in _tags(theirs.offers) if t in set(mine.needs or ())]
    they_seek = [t for t in _tags(theirs.needs) if t in set(mine.offers or ())]
    return 2 * len(they_offer) + len(they_seek), they_offer, they_seek


def suggestions(viewer: B2BParticipant, limit: int = SUGGESTIONS) -> list[Suggestion]:
    """The participants whose offers meet the viewer's needs or whose needs meet their offers,
    best first; those the viewer already has a request with are left out. The database keeps
    only the profiles sharing one tag; the ranking is done on those."""
    mine = viewer.profile
    wanted = [f"% o:{t} %" for t in mine.needs or ()] + [f"% n:{t} %" for t in mine.offers or ()]
    if not wanted:
        return []
    asked = select(MeetingRequest.recipient_id).where(
        MeetingRequest.sender_id == viewer.id,
        MeetingRequest.status.in_([RequestStatus.PENDING, RequestStatus.ACCEPTED]),
    )
    asking = select(MeetingRequest.sender_id).where(
        MeetingRequest.recipient_id == viewer.id,
        MeetingRequest.status.in_([RequestStatus.PENDING, RequestStatus.ACCEPTED]),
    )
    candidates = db.session.scalars(
        _others(viewer)
        .where(
            or_(*[NetworkProfile.tag_text.like(w) for w in wanted]),
            and_(B2BParticipant.id.not_in(asked), B2BParticipant.id.not_in(asking)),
        )
        .options(joinedload(B2BParticipant.profile), joinedload(B2BParticipant.registration))
    )
    ranked = []
    for other in candidates:
        score, they_offer, they_seek = complementarity(mine, other.profile)
        if score:
            ranked.append(Suggestion(other, score, they_offer, they_seek))
    ranked.sort(key=lambda s: (-s.score, s.participant.profile.organisation_key, s.participant.id))
    return ranked[:limit]


def open_request_between(viewer: B2BParticipant, other: B2BParticipant) -> MeetingRequest | None:
    """The pending (not expired) or accepted request between the two, either way."""
    from eventapp.services.b2b.requests import open_clause

    return db.session.scalar(
        select(MeetingRequest).where(
            open_clause(),
            or_(
                and_(
                    MeetingRequest.sender_id == viewer.id, MeetingRequest.recipient_id == other.id
                ),
                and_(
                    MeetingRequest.sender_id == other.id, MeetingRequest.recipient_id == viewer.id
                ),
            ),
        )
    )


def contact_shared(viewer: B2BParticipant, other: B2BParticipant) -> bool:
    """Contact details are shared once a request between the two is accepted."""
    return bool(
        db.session.scalar(
            select(MeetingRequest.id).where(
                MeetingRequest.status == RequestStatus.ACCEPTED,
                or_(
                    and_(
                        MeetingRequest.sender_id == viewer.id,
                        MeetingRequest.recipient_id == other.id,
                    ),
                    and_(
                        MeetingRequest.sender_id == other.id,
                        MeetingRequest.recipient_id == viewer.id,
                    ),
                ),
            )
        )
    )
