"""The organiser's form builder, as services: add, change, reorder, delete and copy the
questions of an event or a tour. Every change is audited (identifiers only, never answers).

Rules: an identifier is unique in its event ([a-z0-9_]); a choice question has options; a
condition names a yes/no or choice question placed before it (in the same event, or the tour
of a stage) and values among its options; a question is moved only where its conditions still
come after what they depend on. Deleting a question that has answers needs `confirm`."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Answer, Event, Question, QuestionOption, User
from eventapp.questions.answers import QuestionError
from eventapp.services import audit
from eventapp.text import slugify

Code = QuestionError.Code
CHOICE_KINDS = ("choice", "multi_choice")
CONDITION_KINDS = ("yes_no", *CHOICE_KINDS)
WORDING = ("label_fr", "label_en", "help_fr", "help_en")
FIELDS = (
    "kind",
    "label_fr",
    "label_en",
    "help_fr",
    "help_en",
    "requirement",
    "required_from",
    "organiser_only",
    "sensitive",
    "retention_days",
    "widget",
    "min_number",
    "max_number",
    "min_date",
    "max_date",
    "on_badge",
    "at_desk",
)


def slug(text: str, limit: int = 40) -> str:
    return slugify(text, separator="_", limit=limit, default="q")


@dataclass
class OptionLine:
    identifier: str
    label_fr: str
    label_en: str = ""
    seat_limit: int | None = None


def parse_options(text: str) -> list[OptionLine]:
    """One option a line: "identifier | label fr | label en | places" (identifier, English
    label and places may be left empty). ValueError(line number) when a line is wrong."""
    lines, seen = [], set()
    for number, raw in enumerate((text or "").splitlines(), start=1):
        if not raw.strip():
            continue
        parts = [p.strip() for p in raw.split("|")]
        if len(parts) == 1:
            parts = ["", parts[0]]
        parts += [""] * (4 - len(parts))
        identifier, label_fr, label_en, limit = parts[:4]
        if not label_fr or len(parts) > 4 or len(label_fr) > 200 or len(label_en) > 200:
            raise ValueError(number)
        identifier = slug(identifier or label_fr)
        if identifier in seen:
            raise ValueError(number)
        seen.add(identifier)
        if limit:
            if not limit.isdigit() or int(limit) > 1_000_000:
                raise ValueError(number)
            seat_limit = int(limit)
        else:
            seat_limit = None
        lines.append(OptionLine(identifier, label_fr, label_en, seat_limit))
    return lines


def options_text(question: Question) -> str:
    return "\n".join(
        " | ".join(
            [
                o.identifier,
                o.label_fr,
                o.label_en,
                "" if o.seat_limit is None else str(o.seat_limit),
            ]
        ).rstrip(" |")
        for o in question.options
    )


def condition_parents(event: Event, before: Question | None = None) -> list[Question]:
    """The questions a condition may test: yes/no and choice questions of the tour (for a
    stage) and of the event, placed before `before`."""
    ids = [event.id] + ([event.parent_id] if event.parent_id else [])
    rows = db.session.scalars(
        select(Question)
        .where(Question.event_id.in_(ids), Question.kind.in_(CONDITION_KINDS))
        .order_by(Question.position, Question.id)
    ).all()
    out = []
    for q in rows:
        same = before is not None and q.event_id == before.event_id
        if same and (q.position, q.id) >= (before.position, before.id):
            continue
        if before is not None and q.id == before.id:
            continue
        out.append(q)
    return out


def _check(event: Event, question: Question, data: dict, options: list[OptionLine]) -> None:
    taken = db.session.scalar(
        select(Question.id).where(
            Question.event_id == event.id,
            Question.identifier == data["identifier"],
            Question.id != (question.id or 0),
        )
    )
    if taken:
        raise QuestionError(Code.IDENTIFIER_TAKEN, field="identifier")
    if data["kind"] in CHOICE_KINDS and not options:
        raise QuestionError(Code.NO_OPTIONS, field="options")
    parent_id = data.get("depends_on_id")
    if parent_id:
        allowed = {q.id: q for q in condition_parents(event, question if question.id else None)}
        parent = allowed.get(parent_id)
        values = data.get("depends_values") or []
        known = (
            {"yes", "no"}
            if parent is not None and parent.kind == "yes_no"
            else {o.identifier for o in parent.options}
            if parent is not None
            else set()
        )
        if parent is None or not values or not set(values) <= known:
            raise QuestionError(Code.BAD_CONDITION, field="depends_values")


def _apply(question: Question, data: dict, options: list[OptionLine]) -> None:
    for name in FIELDS:
        if name in data:
            setattr(question, name, data[name])
    question.identifier = data["identifier"]
    question.depends_on_id = data.get("depends_on_id") or None
    question.depends_values = (
        list(data.get("depends_values") or []) if question.depends_on_id else []
    )
    if question.kind not in CHOICE_KINDS:
        options = []
    existing = {o.identifier: o for o in question.options}
    kept = []
    for position, line in enumerate(options):
        option = existing.get(line.identifier) or QuestionOption(identifier=line.identifier)
        option.position = position
        option.label_fr, option.label_en, option.seat_limit = (
            line.label_fr,
            line.label_en,
            line.seat_limit,
        )
        kept.append(option)
    question.options = kept


def create(event: Event, data: dict, options: list[OptionLine], *, user: User) -> Question:
    last = db.session.scalar(
        select(func.max(Question.position)).where(Question.event_id == event.id)
    )
    question = Question(event_id=event.id, position=(last or 0) + 1)
    data = {**data, "identifier": data.get("identifier") or slug(data["label_fr"])}
    _check(event, question, data, options)
    _apply(question, data, options)
    db.session.add(question)
    db.session.flush()
    audit.record(
        "question.created",
        user=user,
        event_id=event.id,
        question=question.identifier,
        kind=question.kind,
    )
    return question


def update(question: Question, data: dict, options: list[OptionLine], *, user: User) -> None:
    """Change a question. Answers keep the wording they were given under (Answer.label); a new
    wording bumps the version a consent answer names."""
    event = db.session.get(Event, question.event_id)
    data = {**data, "identifier": data.get("identifier") or question.identifier}
    _check(event, question, data, options)
    if any(data.get(name, getattr(question, name)) != getattr(question, name) for name in WORDING):
        question.version += 1
    _apply(question, data, options)
    db.session.flush()
    audit.record(
        "question.updated", user=user, event_id=question.event_id, question=question.identifier
    )


def answer_count(question: Question) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Answer).where(Answer.question_id == question.id)
    )


def delete(question: Question, *, user: User, confirm: bool) -> int:
    answers = answer_count(question)
    if answers and not confirm:
        raise QuestionError(Code.HAS_ANSWERS, field="confirm")
    for dependant in db.session.scalars(
        select(Question).where(Question.depends_on_id == question.id)
    ):
        dependant.depends_on_id, dependant.depends_values = None, []
    audit.record(
        "question.deleted",
        user=user,
        event_id=question.event_id,
        question=question.identifier,
        answers=answers,
    )
    db.session.delete(question)
    db.session.flush()
    return answers


def move(question: Question, direction: int, *, user: User) -> bool:
    """Swap with the neighbour above (-1) or below (+1); refused if a condition would come
    before the question it depends on."""
    siblings = list(
        db.session.scalars(
            select(Question)
            .where(Question.event_id == question.event_id)
            .order_by(Question.position, Question.id)
        )
    )
    index = siblings.index(question)
    other = index + direction
    if not 0 <= other < len(siblings):
        return False
    a, b = (question, siblings[other]) if direction > 0 else (siblings[other], question)
    if b.depends_on_id == a.id:  # b depends on a: a must stay above
        raise QuestionError(Code.BAD_CONDITION)
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, q in enumerate(siblings, start=1):
        q.position = position
    db.session.flush()
    audit.record(
        "question.moved", user=user, event_id=question.event_id, question=question.identifier
    )
    return True


def copy(source: Event, target: Event, *, user: User) -> int:
    """Copy the questions of `source` into `target` (after its own); identifiers already used
    in `target` are skipped. Conditions are copied when their parent is copied too."""
    taken = set(
        db.session.scalars(select(Question.identifier).where(Question.event_id == target.id))
    )
    last = (
        db.session.scalar(select(func.max(Question.position)).where(Question.event_id == target.id))
        or 0
    )
    mapping: dict[int, Question] = {}
    originals = list(
        db.session.scalars(
            select(Question)
            .where(Question.event_id == source.id)
            .order_by(Question.position, Question.id)
        )
    )
    for q in originals:
        if q.identifier in taken:
            continue
        last += 1
        clone = Question(event_id=target.id, position=last, identifier=q.identifier)
        for name in FIELDS:
            setattr(clone, name, getattr(q, name))
        clone.options = [
            QuestionOption(
                identifier=o.identifier,
                position=o.position,
                label_fr=o.label_fr,
                label_en=o.label_en,
                seat_limit=o.seat_limit,
            )
            for o in q.options
        ]
        db.session.add(clone)
        mapping[q.id] = clone
    db.session.flush()
    for q in originals:
        if q.id in mapping and q.depends_on_id in mapping:
            mapping[q.id].depends_on_id = mapping[q.depends_on_id].id
            mapping[q.id].depends_values = list(q.depends_values or [])
    db.session.flush()
    audit.record(
        "questions.copied",
        user=user,
        event_id=target.id,
        source_event_id=source.id,
        count=len(mapping),
    )
    return len(mapping)
