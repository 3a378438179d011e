"""The attendee filter shared by the list, the exports and the messages: search, filters and
sort read from the query string, turned into one SQL statement.

Pagination is offset-based on indexed sort orders (registration(event_id, last_name,
first_name), (event_id, created_at), (event_id, status, created_at)); the counts come from one
GROUP BY query, so a page costs a fixed number of statements whatever its size.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, literal_column, or_, select, table, text
from werkzeug.datastructures import MultiDict

from eventapp.extensions import db
from eventapp.models import (
    ActorCategory,
    Answer,
    AnswerChoice,
    QuestionOption,
    Region,
    Registration,
    RegistrationStatus,
)
from eventapp.routing import parse_int
from eventapp.text import fold

LIVE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.PENDING,
)
STATUS_CHOICES = {
    "live": _l("Registered (not cancelled)"),
    "confirmed": _l("Confirmed"),
    "waitlisted": _l("Waiting list"),
    "pending": _l("Pending"),
    "cancelled": _l("Cancelled"),
    "all": _l("All, cancelled included"),
}
SORTS = {
    "name": _l("Name (A–Z)"),
    "-name": _l("Name (Z–A)"),
    "-date": _l("Most recent first"),
    "date": _l("Oldest first"),
    "organisation": _l("Organisation"),
    "status": _l("Status"),
}
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
MAX_SEARCH = 100


@dataclass
class AttendeeFilter:
    q: str = ""
    status: str = "live"
    category: str = ""
    region: str = ""
    checked_in: str = ""
    stage: int | None = None
    sort: str = "name"
    # An answer to a question: "<question id>:<option identifier or yes/no>".
    answer: str = ""

    @classmethod
    def from_args(cls, args: MultiDict) -> AttendeeFilter:
        """Read the filter from request arguments; unknown values fall back to the default, so a
        hand-edited URL never fails."""
        status = args.get("status", "live")
        category = args.get("category", "")
        region = args.get("region", "")
        checked_in = args.get("checked_in", "")
        sort = args.get("sort", "name")
        stage = args.get("stage", "")
        answer = args.get("answer", "")
        return cls(
            answer=answer if re.fullmatch(r"[1-9][0-9]{0,9}:[a-z0-9_]{1,40}", answer) else "",
            q=" ".join((args.get("q") or "").split())[:MAX_SEARCH],
            status=status if status in STATUS_CHOICES else "live",
            category=category if category in ActorCategory._value2member_map_ else "",
            region=region if (region in Region._value2member_map_ or region == "none") else "",
            checked_in=checked_in if checked_in in ("yes", "no") else "",
            stage=parse_int(stage, None, minimum=1),
            sort=sort if sort in SORTS else "name",
        )

    @classmethod
    def from_dict(cls, data: dict) -> AttendeeFilter:
        return cls.from_args(MultiDict({k: str(v) for k, v in (data or {}).items() if v}))

    def to_args(self, **overrides) -> dict:
        """Query-string arguments for links (defaults left out, so URLs stay short)."""
        values = {**asdict(self), **overrides}
        defaults = {f.name: f.default for f in fields(self)}
        return {
            key: value
            for key, value in values.items()
            if value not in (None, "") and value != defaults.get(key)
        }

    def for_log(self) -> dict:
        """The filter for the audit log: the search text itself may be a name or an e-mail,
        so only the fact that there was one is kept."""
        args = self.to_args()
        if args.pop("q", None):
            args["search"] = True
        return args

    @property
    def is_filtered(self) -> bool:
        return bool(self.to_args(sort="name"))


_SEARCH_TABLE: dict[str, bool] = {}


def _sqlite_search_table() -> bool:
    """Whether migration 0002 could build the FTS5 trigram table (SQLite 3.34+ with FTS5);
    read once per database."""
    url = str(db.engine.url)
    if url not in _SEARCH_TABLE:
        _SEARCH_TABLE[url] = (
            db.session.scalar(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :name"),
                {"name": "registration_search"},
            )
            is not None
        )
    return _SEARCH_TABLE[url]


def _search_term(term: str):
    """Registrations whose name, e-mail or organisation contains `term`, case and accents
    ignored: both sides folded (eventapp/text.py), so "lefevre" finds "Lefèvre".

    Through the trigram index on `search_text` when the term has 3 characters or more (a scan
    of 100,000 rows otherwise costs a tenth of a second): on PostgreSQL pg_trgm's GIN index, on
    SQLite the FTS5 trigram table `registration_search` (a phrase query: the term as a
    substring). Shorter terms compare every row."""
    folded = fold(term)
    if len(folded) >= 3 and db.engine.dialect.name == "sqlite" and _sqlite_search_table():
        phrase = '"' + folded.replace('"', '""') + '"'
        matches = (
            select(literal_column("rowid"))
            .select_from(table("registration_search"))
            .where(literal_column("registration_search").op("MATCH")(phrase))
        )
        return Registration.id.in_(matches)
    return Registration.search_text.contains(folded, autoescape=True)


def _search_clause(text: str):
    return and_(*(_search_term(term) for term in text.split()))


def _conditions(event_ids: Sequence[int], flt: AttendeeFilter, with_status: bool = True) -> list:
    ids = [flt.stage] if flt.stage in event_ids else list(event_ids)
    conditions = [
        Registration.event_id == ids[0] if len(ids) == 1 else Registration.event_id.in_(ids)
    ]
    if flt.q:
        conditions.append(_search_clause(flt.q))
    if flt.category:
        conditions.append(Registration.category == flt.category)
    if flt.region == "none":
        conditions.append(Registration.region.is_(None))
    elif flt.region:
        conditions.append(Registration.region == flt.region)
    if flt.checked_in == "yes":
        conditions.append(Registration.checked_in_at.is_not(None))
    elif flt.checked_in == "no":
        conditions.append(Registration.checked_in_at.is_(None))
    if flt.answer:
        conditions.append(_answer_clause(flt.answer))
    if with_status:
        if flt.status == "live":
            conditions.append(Registration.status.in_(LIVE_STATUSES))
        elif flt.status != "all":
            conditions.append(Registration.status == flt.status)
    return conditions


def _answer_clause(answer: str):
    """Registrations whose own answer (or their booking's, for a tour's question) to the
    question holds the value: a chosen option, or the text of a yes/no answer."""
    question_id, value = answer.split(":", 1)
    option = (
        select(QuestionOption.id)
        .where(QuestionOption.question_id == int(question_id), QuestionOption.identifier == value)
        .scalar_subquery()
    )
    holds = or_(
        Answer.value == value,
        select(AnswerChoice.answer_id)
        .where(AnswerChoice.answer_id == Answer.id, AnswerChoice.option_id == option)
        .exists(),
    )
    return (
        select(Answer.id)
        .where(
            Answer.question_id == int(question_id),
            or_(
                Answer.registration_id == Registration.id,
                and_(
                    Answer.registration_id.is_(None),
                    Answer.booking_id == Registration.booking_id,
                ),
            ),
            holds,
        )
        .exists()
    )


def _order(flt: AttendeeFilter) -> list:
    name = [Registration.last_name, Registration.first_name]
    return {
        "name": [*name, Registration.id],
        "-name": [*(c.desc() for c in name), Registration.id.desc()],
        "date": [Registration.created_at, Registration.id],
        "-date": [Registration.created_at.desc(), Registration.id.desc()],
        "organisation": [Registration.organisation_name, *name, Registration.id],
        "status": [Registration.status, Registration.created_at, Registration.id],
    }[flt.sort]


def registrations_query(event_ids: Sequence[int], flt: AttendeeFilter) -> Select:
    """SELECT Registration ... for the filtered, sorted list (no pagination)."""
    return select(Registration).where(*_conditions(event_ids, flt)).order_by(*_order(flt))


def status_counts(event_ids: Sequence[int], flt: AttendeeFilter) -> dict[str, int]:
    """Matching registrations per status (every filter but the status one), one GROUP BY."""
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(*_conditions(event_ids, flt, with_status=False))
        .group_by(Registration.status)
    )
    counts = {str(status): 0 for status in RegistrationStatus}
    for status, count in rows:
        counts[str(status)] = int(count)
    return counts


def total_for(counts: dict[str, int], status: str) -> int:
    if status == "all":
        return sum(counts.values())
    if status == "live":
        return sum(counts[str(s)] for s in LIVE_STATUSES)
    return counts.get(status, 0)


@dataclass
class Page:
    items: list[Registration]
    number: int
    size: int
    total: int
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        return max(ceil(self.total / self.size), 1)

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.size, self.total)


def paginate(event_ids: Sequence[int], flt: AttendeeFilter, page: int, size: int) -> Page:
    """One page of the list: two statements (counts, rows) whatever the page size."""
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    counts = status_counts(event_ids, flt)
    total = total_for(counts, flt.status)
    pages = max(ceil(total / size), 1)
    number = min(max(page, 1), pages)
    # Deferred join: the page's ids come from the sort index alone (however deep the page),
    # then only those rows are read.
    ids = (
        select(Registration.id)
        .where(*_conditions(event_ids, flt))
        .order_by(*_order(flt))
        .limit(size)
        .offset((number - 1) * size)
        .subquery()
    )
    items = list(
        db.session.scalars(
            select(Registration).join(ids, Registration.id == ids.c.id).order_by(*_order(flt))
        )
    )
    return Page(items, number, size, total, counts)
