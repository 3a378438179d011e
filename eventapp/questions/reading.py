"""Answers as people read them: a registration's answers with their question, in the form's
order, for the attendee page, the data download, the badges and the check-in desk; export
columns (one per chosen question, stable headers: the question's identifier)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventapp.extensions import db
from eventapp.models import Answer, Event, Registration
from eventapp.questions import fields as field_model
from eventapp.questions.answers import answers_of
from eventapp.questions.fields import FieldSpec


@dataclass
class AnswerRow:
    spec: field_model.FieldSpec
    answer: Answer | None
    text: str

    @property
    def question(self):
        return self.spec.question


def specs_for_event(event: Event, lang: str, audience: str = "organiser"):
    return [s for s in field_model.question_specs([event], lang, audience=audience) if s.has_answer]


def display(spec, answer: Answer | None, lang: str) -> str:
    if answer is None or not answer.value:
        return ""
    try:
        return spec.type.display(spec, answer.value, lang)
    except (ValueError, TypeError):  # an answer given under options since changed
        return answer.value


def rows_of(registration: Registration, lang: str, audience: str = "organiser"):
    """Every question of the registration's event (and tour) with the person's answer."""
    specs = specs_for_event(registration.event, lang, audience)
    answers = answers_of([registration])[registration.id]
    return [
        AnswerRow(s, answers.get(s.question.id), display(s, answers.get(s.question.id), lang))
        for s in specs
    ]


def answered_rows(registration: Registration, lang: str, audience: str = "organiser"):
    return [row for row in rows_of(registration, lang, audience) if row.answer is not None]


def flagged_texts(
    registrations: Sequence[Registration], event: Event, lang: str, flag: str
) -> dict[int, list[tuple[str, str]]]:
    """{registration id: [(question label, answer)]} of the questions marked `flag`
    ("on_badge", "at_desk"), read in one statement for the whole list."""
    specs = [s for s in specs_for_event(event, lang) if getattr(s.question, flag)]
    if not specs or not registrations:
        return {r.id: [] for r in registrations}
    answers = answers_of(list(registrations))
    out = {}
    for r in registrations:
        texts = []
        for s in specs:
            text = display(s, answers[r.id].get(s.question.id), lang)
            if text:
                texts.append((s.label, text))
        out[r.id] = texts
    return out


def export_specs(event_ids: Sequence[int], lang: str, *, with_sensitive: bool, chosen=None):
    """The questions an export gets a column for: every question of these events (and their
    tour), sensitive ones only when asked for; `chosen`: identifiers to keep (None: all)."""
    events = [db.session.get(Event, i) for i in event_ids]
    specs = [
        s
        for s in field_model.question_specs([e for e in events if e], lang, audience="organiser")
        if s.has_answer
    ]
    seen, out = set(), []
    for s in specs:
        if s.identifier in seen:  # two stages asking the same identifier share one column
            continue
        if s.sensitive and not with_sensitive:
            continue
        if chosen is not None and s.identifier not in chosen:
            continue
        seen.add(s.identifier)
        out.append(s)
    return out


def answers_for_rows(batch: Sequence[tuple], questions) -> list[tuple[tuple, list[str]]]:
    """Export rows (registration id first, booking id last) with their answers' text to
    `questions`, in one statement for the batch."""
    from sqlalchemy import or_, select

    ids = [row[0] for row in batch]
    bookings = {row[-1] for row in batch}
    question_ids = [s.question.id for s in questions]
    found = db.session.execute(
        select(Answer.registration_id, Answer.booking_id, Answer.question_id, Answer.value).where(
            Answer.question_id.in_(question_ids),
            or_(
                Answer.registration_id.in_(ids),
                Answer.registration_id.is_(None) & Answer.booking_id.in_(bookings),
            ),
        )
    ).all()
    own, shared = {}, {}
    for registration_id, booking_id, question_id, value in found:
        if registration_id is not None:
            own[(registration_id, question_id)] = value
        else:
            shared[(booking_id, question_id)] = value
    out = []
    for row in batch:
        texts = []
        for spec in questions:
            value = own.get((row[0], spec.question.id)) or shared.get((row[-1], spec.question.id))
            try:
                texts.append(spec.type.display(spec, value, spec.lang) if value else "")
            except (ValueError, TypeError):
                texts.append(value or "")
        out.append((row, texts))
    return out


def option_totals(event: Event, lang: str) -> list[tuple[FieldSpec, list[tuple[str, int]]]]:
    """The statistics page's counts per option: each choice and yes/no question of the event
    (and its tour) with its options' live holders (cancelled registrations excluded)."""
    from sqlalchemy import func, select

    from eventapp.models import RegistrationStatus

    specs = [
        s
        for s in specs_for_event(event, lang)
        if s.type.name in ("choice", "multi_choice", "yes_no")
    ]
    option_ids = [o.option_id for s in specs for o in s.options if o.option_id]
    counts = field_model.option_counts(option_ids)
    yes_no = [s.question.id for s in specs if s.type.name == "yes_no"]
    values = {}
    if yes_no:
        rows = db.session.execute(
            select(Answer.question_id, Answer.value, func.count())
            .join(Registration, Registration.id == Answer.registration_id)
            .where(
                Answer.question_id.in_(yes_no),
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .group_by(Answer.question_id, Answer.value)
        ).all()
        values = {(qid, value): n for qid, value, n in rows}
    out = []
    for s in specs:
        if s.type.name == "yes_no":
            bars = [(o.label, values.get((s.question.id, o.value), 0)) for o in s.options]
        else:
            bars = [(o.label, counts.get(o.option_id, 0)) for o in s.options]
        out.append((s, bars))
    return out
