"""The public directory of the sector's organisations (issue 18).

Rules:
- An organisation is shown only once one of its people opted it in (`listed`, through the B2B
  pages of their manage link: they hold a networking profile of that organisation) and as long
  as no organiser hid it (`hidden`). Featured entries come first.
- Its offers and needs are those of its people's networking profiles, aggregated (a tag and how
  many of its people give it): no name, e-mail or free text of a person reaches the directory.
- Pole and cluster memberships come from the member directories of the organisations
  (`MemberCompany`, issue 14): the same folded name, or the entry's web domain among the
  member's e-mail domains.
- Lists are filtered, counted and paginated in SQL, with a fixed number of queries per page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sqlalchemy import false, func, or_, select
from sqlalchemy.exc import IntegrityError

from eventapp.extensions import db
from eventapp.models import (
    B2BParticipant,
    B2BTag,
    DirectoryEntry,
    Event,
    EventStatus,
    MemberCompany,
    NetworkProfile,
    Organisation,
    Registration,
    RegistrationStatus,
    Sector,
    utcnow,
)
from eventapp.services import audit
from eventapp.services.b2b.profiles import contains_words
from eventapp.text import fold, slugify

PAGE_SIZE = 24
CURATION_PAGE_SIZE = 50
UPCOMING = 10
TOP_TAGS = 4


@dataclass
class Filters:
    text: str = ""
    sector: str = ""
    region: str = ""
    pole: int | None = None  # an Organisation id: members of that pole or cluster

    def query_args(self, **changes) -> dict:
        """The filters as URL arguments (empty ones left out), with `changes` applied."""
        values = {"q": self.text, "sector": self.sector, "region": self.region, "pole": self.pole}
        values.update(changes)
        return {k: v for k, v in values.items() if v}


@dataclass
class Page:
    items: list
    total: int
    page: int
    pages: int


@dataclass
class Memberships:
    """Who is a member of which pole or cluster, read once per page from the member
    directories: folded member names and e-mail domains, each to the organisations."""

    poles: dict[int, Organisation] = field(default_factory=dict)
    by_key: dict[str, set[int]] = field(default_factory=dict)
    by_domain: dict[str, set[int]] = field(default_factory=dict)

    def of(self, entry: DirectoryEntry) -> list[Organisation]:
        ids = set(self.by_key.get(entry.organisation_key, ()))
        if entry.domain:
            ids |= self.by_domain.get(entry.domain, set())
        return sorted((self.poles[i] for i in ids), key=lambda o: o.short_name)

    def clause(self, pole_id: int):
        """Entries that are members of the pole `pole_id`."""
        keys = [k for k, ids in self.by_key.items() if pole_id in ids]
        domains = [d for d, ids in self.by_domain.items() if pole_id in ids]
        if not keys and not domains:
            return false()
        return or_(DirectoryEntry.organisation_key.in_(keys), DirectoryEntry.domain.in_(domains))


def memberships() -> Memberships:
    """One query over the member directories (companies, not people)."""
    found = Memberships()
    rows = db.session.execute(
        select(MemberCompany.name, MemberCompany.domains, Organisation).join(
            Organisation, Organisation.id == MemberCompany.organisation_id
        )
    )
    for name, domains, organisation in rows:
        found.poles[organisation.id] = organisation
        found.by_key.setdefault(fold(name), set()).add(organisation.id)
        for domain in domains or ():
            found.by_domain.setdefault(domain.lower(), set()).add(organisation.id)
    return found


def listed_clause():
    return DirectoryEntry.listed.is_(True) & DirectoryEntry.hidden.is_(False)


def _filtered(filters: Filters, members: Memberships, *, region: bool = True):
    query = select(DirectoryEntry).where(listed_clause())
    if filters.sector:
        query = query.where(DirectoryEntry.sector == filters.sector)
    if region and filters.region:
        query = query.where(DirectoryEntry.region == filters.region)
    if filters.pole is not None:
        query = query.where(members.clause(filters.pole))
    query = query.where(*contains_words(DirectoryEntry.search_text, filters.text))
    return query


def _page(query, page: int, size: int, order) -> Page:
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // size))
    page = min(max(page, 1), pages)
    items = list(db.session.scalars(query.order_by(*order).limit(size).offset((page - 1) * size)))
    return Page(items, total, page, pages)


def browse(filters: Filters, page: int, members: Memberships) -> Page:
    """One page of the listed organisations, featured first, then by name."""
    return _page(
        _filtered(filters, members),
        page,
        PAGE_SIZE,
        (DirectoryEntry.featured.desc(), DirectoryEntry.organisation_key, DirectoryEntry.id),
    )


def region_counts(filters: Filters, members: Memberships) -> dict[str, int]:
    """Listed organisations per region under the other filters (the map's figures)."""
    query = _filtered(filters, members, region=False).subquery()
    rows = db.session.execute(
        select(query.c.region, func.count())
        .where(query.c.region.is_not(None))
        .group_by(query.c.region)
    )
    return {str(region): count for region, count in rows}


def poles_with_members(members: Memberships) -> list[Organisation]:
    return sorted(members.poles.values(), key=lambda o: o.short_name)


@dataclass
class TagCounts:
    offers: list[tuple[str, int]]  # (tag, people giving it), most given first
    needs: list[tuple[str, int]]
    people: int


def _ordered(counter: Counter) -> list[tuple[str, int]]:
    order = {tag.value: n for n, tag in enumerate(B2BTag)}
    known = [(t, c) for t, c in counter.items() if t in order]
    return sorted(known, key=lambda item: (-item[1], order[item[0]]))


def tags_of(keys: list[str]) -> dict[str, TagCounts]:
    """The offers and needs of each organisation's people, aggregated (one query)."""
    if not keys:
        return {}
    counters: dict[str, tuple[Counter, Counter, list]] = {}
    rows = db.session.execute(
        select(NetworkProfile.organisation_key, NetworkProfile.offers, NetworkProfile.needs).where(
            NetworkProfile.organisation_key.in_(keys)
        )
    )
    for key, offers, needs in rows:
        offered, needed, people = counters.setdefault(key, (Counter(), Counter(), [0]))
        offered.update(set(offers or ()))
        needed.update(set(needs or ()))
        people[0] += 1
    return {
        key: TagCounts(_ordered(offered), _ordered(needed), people[0])
        for key, (offered, needed, people) in counters.items()
    }


def public_entry_or_none(slug: str) -> DirectoryEntry | None:
    return db.session.scalar(
        select(DirectoryEntry).where(DirectoryEntry.slug == slug, listed_clause())
    )


def upcoming_events(entry: DirectoryEntry, limit: int = UPCOMING) -> list[Event]:
    """The published events to come where the organisation's people meet (B2B participants
    with a live registration)."""
    attended = (
        select(B2BParticipant.event_id)
        .join(NetworkProfile, NetworkProfile.id == B2BParticipant.profile_id)
        .join(Registration, Registration.id == B2BParticipant.registration_id)
        .where(
            NetworkProfile.organisation_key == entry.organisation_key,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.id.in_(attended),
                Event.status == EventStatus.PUBLISHED,
                Event.ends_at >= utcnow(),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )


# --- the organisation's own entry ------------------------------------------------------------


@dataclass
class EntryData:
    sector: str
    region: str | None
    website: str
    description: str
    listed: bool


def domain_of(website: str | None) -> str | None:
    """The host of a web address, without "www." ("https://www.yposkesi.com/fr" → yposkesi.com)."""
    if not website:
        return None
    host = (urlsplit(website if "//" in website else f"//{website}").hostname or "").lower()
    host = host.removeprefix("www.")
    return host[:253] or None


def entry_of(profile: NetworkProfile) -> DirectoryEntry | None:
    return db.session.scalar(
        select(DirectoryEntry).where(DirectoryEntry.organisation_key == profile.organisation_key)
    )


def _free_slug(name: str) -> str:
    base = slugify(name, limit=100, default="organisation")
    taken = set(
        db.session.scalars(select(DirectoryEntry.slug).where(DirectoryEntry.slug.like(f"{base}%")))
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _new_entry(profile: NetworkProfile) -> DirectoryEntry:
    """The organisation's entry, made from a profile: if another of its people made it at the
    same time, theirs (the unique key decides, in a savepoint)."""
    entry = DirectoryEntry(
        organisation_key=profile.organisation_key,
        name=profile.organisation_name,
        slug=_free_slug(profile.organisation_name),
        category=profile.category,
        sector=Sector.of_category(profile.category),
        region=profile.region,
        description="",
        listed=False,
        hidden=False,
        featured=False,
    )
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:
        found = entry_of(profile)
        if found is None:
            raise
        return found
    return entry


def draft_of(profile: NetworkProfile) -> EntryData:
    """What the form shows for an organisation not in the directory yet."""
    return EntryData(
        sector=Sector.of_category(profile.category),
        region=profile.region,
        website="",
        description="",
        listed=False,
    )


def save_own(profile: NetworkProfile, data: EntryData) -> DirectoryEntry:
    """One of the organisation's people edits its entry (and lists it or not). The name and
    category follow the profile; a hidden entry stays hidden (the organisers' choice)."""
    entry = entry_of(profile) or _new_entry(profile)
    entry.name = profile.organisation_name
    entry.category = profile.category
    entry.sector = data.sector
    entry.region = data.region or None
    entry.website = data.website.strip() or None
    entry.domain = domain_of(entry.website)
    entry.description = data.description.strip()
    if data.listed and not entry.listed:
        entry.listed_at = utcnow()
    entry.listed = data.listed
    entry.search_text = fold(f"{entry.name} {entry.description}")
    db.session.flush()
    audit.record(
        "directory.entry_saved", actor="participant", entry_id=entry.id, listed=entry.listed
    )
    return entry


# --- the organisers' curation ----------------------------------------------------------------

STATES = ("listed", "unlisted", "hidden", "featured")


def curation_page(text: str, state: str, page: int) -> Page:
    """Every entry, listed or not, for the organisers."""
    query = select(DirectoryEntry)
    if state == "listed":
        query = query.where(listed_clause())
    elif state == "unlisted":
        query = query.where(DirectoryEntry.listed.is_(False))
    elif state == "hidden":
        query = query.where(DirectoryEntry.hidden.is_(True))
    elif state == "featured":
        query = query.where(DirectoryEntry.featured.is_(True))
    query = query.where(*contains_words(DirectoryEntry.search_text, text))
    return _page(query, page, CURATION_PAGE_SIZE, (DirectoryEntry.organisation_key,))


CURATION = {
    "hide": ("hidden", True),
    "show": ("hidden", False),
    "feature": ("featured", True),
    "unfeature": ("featured", False),
}


def curate(entry: DirectoryEntry, how: str, *, user) -> None:
    """An organiser hides, shows again, features or stops featuring an entry."""
    column, value = CURATION[how]
    setattr(entry, column, value)
    db.session.flush()
    audit.record(f"directory.{how}", user=user, entry_id=entry.id)
