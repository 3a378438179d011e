"""The one field model: the person's built-in fields and the organiser's questions as one list
of `FieldSpec`, from which every form (public sign-up, manage and booking pages, the organiser's
attendee forms, the walk-in), the import, the exports, the data download and the badges are
derived. The rules of a field (required, length, one line, no control characters, its choices)
are said once here and enforced by its type (eventapp/questions/types.py).

Who sees what: `audience` "participant" leaves out organiser-only questions; "organiser" shows
them and never requires a question's answer (an organiser entering a person may not know it;
the person's own fields keep their rules everywhere).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, union_all
from sqlalchemy.orm import selectinload

from eventapp.extensions import db
from eventapp.models import (
    ActorCategory,
    Answer,
    AnswerChoice,
    Event,
    Question,
    Region,
    Registration,
    RegistrationStatus,
    utcnow,
)
from eventapp.questions.types import TYPES, FieldType, Option

FILE_MAX_BYTES = 5 * 1024 * 1024


@dataclass
class FieldSpec:
    key: str  # the form input's name: "first_name", "q_12"
    identifier: str  # stable name in exports, the import's mapping, the API
    type: FieldType
    label: str
    help: str = ""
    required: bool = False
    required_message: str | None = None
    max_length: int | None = None
    autocomplete: str | None = None
    options: Sequence[Option] = ()
    widget: str = "radio"
    min_number: Decimal | None = None
    max_number: Decimal | None = None
    min_date: date | None = None
    max_date: date | None = None
    max_bytes: int = FILE_MAX_BYTES
    lang: str = "fr"
    question: Question | None = None
    depends_on: str | None = None  # key of the spec this one depends on
    depends_values: tuple[str, ...] = ()
    depends_label: str = ""  # "Only if you answered …" (shown without JavaScript)
    stage_id: int | None = None  # a stage's own question on the tour's form
    stage_title: str = ""
    booking_scope: bool = False  # a tour's question: one answer per booking
    sensitive: bool = False
    row: str | None = None  # fields shown side by side ("name")
    person: bool = False  # a built-in person field (a column of the registration)
    extra: dict = field(default_factory=dict)

    @property
    def has_answer(self) -> bool:
        return self.type.has_answer


# --- the person's fields ----------------------------------------------------------------------


@dataclass(frozen=True)
class PersonField:
    name: str
    kind: str
    label: object
    required: bool
    max_length: int | None = None
    autocomplete: str | None = None
    choices: object = None  # a LabelledEnum whose members are the options
    message: object = None
    row: str | None = None
    help: object = ""


PERSON_FIELDS: tuple[PersonField, ...] = (
    PersonField("first_name", "short_text", _l("First name"), True, 100, "given-name", row="name"),
    PersonField("last_name", "short_text", _l("Last name"), True, 100, "family-name", row="name"),
    PersonField(
        "email",
        "email",
        _l("E-mail"),
        True,
        254,
        "email",
        help=_l(
            "Your confirmation and your personal link to manage the registration are sent here."
        ),
    ),
    PersonField("organisation_name", "short_text", _l("Organisation"), False, 200, "organization"),
    PersonField("job_title", "short_text", _l("Job title"), False, 200, "organization-title"),
    PersonField(
        "category",
        "choice",
        _l("Actor category"),
        True,
        choices=ActorCategory,
        message=_l("Choose the category that fits you best."),
    ),
    PersonField("region", "choice", _l("Region"), False, choices=Region),
)
PERSON_NAMES = tuple(f.name for f in PERSON_FIELDS)
_PERSON_BY_NAME = {f.name: f for f in PERSON_FIELDS}
# The person's columns of the exports and of the import's template, in their order there.
EXPORT_PERSON_FIELDS = (
    "last_name",
    "first_name",
    "email",
    "organisation_name",
    "job_title",
    "category",
    "region",
)


def person_label(name: str) -> str:
    """A person field's label in the current language: the forms', the exports' and the
    import template's column header (one wording)."""
    return str(_PERSON_BY_NAME[name].label)


# What a person (or an organiser) may correct later: every field but the e-mail, which is
# the registration's key.
EDITABLE_FIELDS = tuple(name for name in PERSON_NAMES if name != "email")


# What a colleague of a group booking types for themselves; their organisation, category and
# region are the booker's.
COLLEAGUE_FIELDS = ("first_name", "last_name", "email", "job_title")


def person_specs(
    lang: str, *, with_email: bool = True, only: Sequence[str] | None = None
) -> list[FieldSpec]:
    specs = []
    for f in PERSON_FIELDS:
        if f.name == "email" and not with_email:
            continue
        if only is not None and f.name not in only:
            continue
        options = (
            [Option(value, str(label)) for value, label in f.choices.choices()] if f.choices else []
        )
        specs.append(
            FieldSpec(
                key=f.name,
                identifier=f.name,
                type=TYPES[f.kind],
                label=f.label,
                help=f.help,
                required=f.required,
                required_message=f.message,
                max_length=f.max_length,
                autocomplete=f.autocomplete,
                options=options,
                widget="list",
                lang=lang,
                row=f.row,
                person=True,
            )
        )
    return specs


def colleague_specs(lang: str, questions: Sequence[FieldSpec]) -> list[FieldSpec]:
    """A colleague's fields in a group booking: their own person fields (COLLEAGUE_FIELDS,
    with the same rules as everywhere, but no browser autofill: it would offer the booker's)
    and the per-person questions of the booker's form (a tour's questions are answered once
    per booking, by the booker: left out)."""
    from dataclasses import replace

    own = [
        replace(spec, autocomplete="off", help="")
        for spec in person_specs(lang, only=COLLEAGUE_FIELDS)
    ]
    return own + [spec for spec in questions if not spec.booking_scope]


# --- the organiser's questions ----------------------------------------------------------------


def is_required(question: Question, now: datetime | None = None) -> bool:
    if question.requirement == "required":
        return True
    if question.requirement == "required_after" and question.required_from is not None:
        return (now or utcnow()) >= question.required_from
    return False


def questions_of(event_ids: Sequence[int]) -> list[Question]:
    if not event_ids:
        return []
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.event_id.in_(list(event_ids)))
            .options(selectinload(Question.options))
            .order_by(Question.position, Question.id)
        )
    )


def option_counts(option_ids: Sequence[int], exclude_answer_ids: Sequence[int] = ()) -> dict:
    """Live holders of each option: answers of registrations not cancelled, and a booking's
    answers while the booking holds a live registration."""
    if not option_ids:
        return {}
    live = Registration.status != RegistrationStatus.CANCELLED
    per_registration = (
        select(AnswerChoice.option_id, func.count())
        .join(Answer, Answer.id == AnswerChoice.answer_id)
        .join(Registration, Registration.id == Answer.registration_id)
        .where(AnswerChoice.option_id.in_(list(option_ids)), live)
        .group_by(AnswerChoice.option_id)
    )
    per_booking = (
        select(AnswerChoice.option_id, func.count())
        .join(Answer, Answer.id == AnswerChoice.answer_id)
        .where(
            AnswerChoice.option_id.in_(list(option_ids)),
            Answer.registration_id.is_(None),
            select(Registration.id)
            .where(Registration.booking_id == Answer.booking_id, live)
            .exists(),
        )
        .group_by(AnswerChoice.option_id)
    )
    if exclude_answer_ids:
        per_registration = per_registration.where(Answer.id.not_in(list(exclude_answer_ids)))
        per_booking = per_booking.where(Answer.id.not_in(list(exclude_answer_ids)))
    counts: dict[int, int] = {}
    # One round trip for both kinds of holder (the sign-up form reads this on every request).
    for option_id, n in db.session.execute(union_all(per_registration, per_booking)):
        counts[option_id] = counts.get(option_id, 0) + n
    return counts


def _question_spec(question, lang, audience, now, counts, *, booking_scope, stage=None):
    full_label = str(_l("full"))
    options = []
    for o in question.options:
        full = (
            o.id in counts
            if o.session_id
            else o.seat_limit is not None and counts.get(o.id, 0) >= o.seat_limit
        )
        label = o.label(lang)
        if full:
            label = f"{label} ({full_label})"
        options.append(Option(o.identifier, label, full, o.id))
    if question.kind == "yes_no":
        options = [Option("yes", str(_l("Yes"))), Option("no", str(_l("No")))]
    return FieldSpec(
        key=f"q_{question.id}",
        identifier=question.identifier,
        type=TYPES[question.kind],
        label=question.label(lang),
        help=question.help(lang),
        required=audience == "participant" and is_required(question, now),
        options=options,
        widget=question.widget,
        min_number=question.min_number,
        max_number=question.max_number,
        min_date=question.min_date,
        max_date=question.max_date,
        lang=lang,
        question=question,
        stage_id=stage.id if stage is not None else None,
        stage_title=stage.title(lang) if stage is not None else "",
        booking_scope=booking_scope,
        sensitive=question.sensitive,
    )


def question_specs(
    events: Sequence[Event],
    lang: str,
    *,
    audience: str = "participant",
    tour: Event | None = None,
    stage_form: bool = False,
    now: datetime | None = None,
) -> list[FieldSpec]:
    """The questions asked for `events` (and their tour's, once, first). `stage_form`: the
    tour's sign-up form, where each stage's own questions apply only if that stage is chosen."""
    now = now or utcnow()
    if tour is None:
        parents = {e.parent_id for e in events if e.parent_id}
        tour = db.session.get(Event, parents.pop()) if len(parents) == 1 else None
        if tour is not None and not tour.is_tour:
            tour = None
    event_ids = ([tour.id] if tour is not None else []) + [e.id for e in events if not e.is_tour]
    questions = questions_of(event_ids)
    if audience == "participant":
        questions = [q for q in questions if not q.organiser_only]
    limited = [
        o.id for q in questions for o in q.options if o.seat_limit is not None and not o.session_id
    ]
    counts = option_counts(limited)
    workshops = [o for q in questions for o in q.options if o.session_id]
    if workshops:  # a workshop's option is full when its session is (issue 16)
        from eventapp.services.programme.answers import full_options

        full = full_options(workshops)
        counts.update({o.id: 1 for o in workshops if o.id in full})
    by_event = {e.id: e for e in events}
    specs: list[FieldSpec] = []
    ordered = [q for q in questions if tour is not None and q.event_id == tour.id] + [
        q for q in questions if tour is None or q.event_id != tour.id
    ]
    for q in ordered:
        booking_scope = tour is not None and q.event_id == tour.id
        stage = by_event.get(q.event_id) if stage_form and not booking_scope else None
        specs.append(
            _question_spec(q, lang, audience, now, counts, booking_scope=booking_scope, stage=stage)
        )
    _link_conditions(specs, lang)
    return specs


def _link_conditions(specs: list[FieldSpec], lang: str) -> None:
    by_id = {s.question.id: s for s in specs if s.question is not None}
    for spec in specs:
        q = spec.question
        if q is None or not q.depends_on_id or q.depends_on_id not in by_id:
            continue
        parent = by_id[q.depends_on_id]
        spec.depends_on = parent.key
        spec.depends_values = tuple(str(v) for v in (q.depends_values or ()))
        labels = {o.value: o.label for o in parent.options}
        wanted = ", ".join(f"« {labels.get(v, v)} »" for v in spec.depends_values)
        spec.depends_label = str(
            _l(
                "Only if you answered %(values)s to “%(question)s”.",
                values=wanted,
                question=parent.label,
            )
        )


def visible_keys(specs: Sequence[FieldSpec], values: dict[str, list[str]], stages=None) -> set:
    """The specs that apply, given the chosen option identifiers of each key (`values`) and, on
    a tour's form, the chosen stages: a condition's parent must itself apply (chains)."""
    shown: set[str] = set()
    for spec in specs:  # parents come before their dependants (the builder keeps that order)
        if spec.stage_id is not None and stages is not None and spec.stage_id not in stages:
            continue
        if spec.depends_on is not None:
            if spec.depends_on not in shown:
                continue
            if not set(values.get(spec.depends_on, ())) & set(spec.depends_values):
                continue
        shown.add(spec.key)
    return shown
