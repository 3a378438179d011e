"""Answers: saved for the registrations (or the booking, for a tour's question) a form was
submitted for; read back for a page, an export, a badge or a data download.

The per-option seat limit: a choice with a limited option is written under the lock of the
event the question belongs to (the same lock as the event's seats: `lock_event_row`, taken
for events before tours, each in id order, as `services.registrations.register` does), and
the option's live holders are counted after the lock, so two people can never take its last
place."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select
from sqlalchemy.orm import selectinload

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import (
    Answer,
    AnswerChoice,
    Booking,
    Event,
    Question,
    Registration,
    User,
    utcnow,
)
from eventapp.questions.fields import option_counts
from eventapp.questions.forms import Submitted
from eventapp.services import audit
from eventapp.services.errors import ServiceError


class QuestionError(ServiceError):
    kind = "question"

    class Code(StrEnum):
        OPTION_FULL = "option_full"
        IDENTIFIER_TAKEN = "identifier_taken"
        BAD_CONDITION = "bad_condition"
        HAS_ANSWERS = "has_answers"
        NO_OPTIONS = "no_options"
        OPTION_CLOSED = "option_closed"

    MESSAGES = {
        Code.OPTION_FULL: _l("“%(option)s” is full: choose another option."),
        Code.OPTION_CLOSED: _l("“%(option)s” is no longer open: choose another option."),
        Code.IDENTIFIER_TAKEN: _l("Another question of this event already uses this identifier."),
        Code.BAD_CONDITION: _l(
            "A question can only depend on a choice or yes/no question placed before it."
        ),
        Code.HAS_ANSWERS: _l("This question has answers: confirm to delete them with it."),
        Code.NO_OPTIONS: _l("A choice question needs at least one option."),
    }
    STATUS = {
        Code.IDENTIFIER_TAKEN: 422,
        Code.BAD_CONDITION: 422,
        Code.HAS_ANSWERS: 422,
        Code.NO_OPTIONS: 422,
    }


def answers_of(registrations: Sequence[Registration]) -> dict[int, dict[int, Answer]]:
    """{registration id: {question id: Answer}}: each registration's own answers and its
    booking's (a tour's questions), in one statement."""
    if not registrations:
        return {}
    ids = [r.id for r in registrations]
    booking_ids = {r.booking_id for r in registrations}
    rows = db.session.scalars(
        select(Answer)
        .where(
            or_(
                Answer.registration_id.in_(ids),
                (Answer.registration_id.is_(None) & Answer.booking_id.in_(booking_ids)),
            )
        )
        .options(selectinload(Answer.choices))
    ).all()
    out: dict[int, dict[int, Answer]] = {r.id: {} for r in registrations}
    by_booking: dict[int, list[Answer]] = {}
    for answer in rows:
        if answer.registration_id is not None:
            out[answer.registration_id][answer.question_id] = answer
        else:
            by_booking.setdefault(answer.booking_id, []).append(answer)
    for r in registrations:
        for answer in by_booking.get(r.booking_id, ()):
            out[r.id][answer.question_id] = answer
    return out


def held(answers: dict[int, Answer], specs) -> tuple[dict[str, list[str]], set[str]]:
    """What a person already holds, for the form: their chosen options (a full option they
    hold stays theirs) and the questions answered with a file."""
    options, files = {}, set()
    for spec in specs:
        if spec.question is None:
            continue
        answer = answers.get(spec.question.id)
        if answer is None:
            continue
        options[spec.key] = spec.type.chosen(spec, answer.value)
        if answer.file_name:
            files.add(spec.key)
    return options, files


def _lock_order(events: Iterable[Event]) -> list[Event]:
    unique = {e.id: e for e in events}.values()
    return sorted(unique, key=lambda e: (e.is_tour, e.id))


def save(
    booking: Booking,
    registrations: Sequence[Registration],
    submitted: Sequence[Submitted],
    *,
    user: User | None = None,
    actor: str | None = None,
    new: bool = False,
) -> list[str]:
    """Write the submitted answers: a tour's question on the booking, an event's on the
    person's registration for that event (a stage not booked gets nothing). An empty answer
    removes what was held. Returns the identifiers of the questions whose answer changed.
    `new`: the booking and the registrations were made in this transaction (the sign-up
    form), so nothing is held yet and nothing is read back."""
    by_event = {r.event_id: r for r in registrations if r.is_live}
    targets = []
    for item in submitted:
        q = item.spec.question
        if item.spec.booking_scope:
            targets.append((item, None))
        elif q.event_id in by_event:
            targets.append((item, by_event[q.event_id]))
    if not targets:
        return []
    existing = {} if new else _existing(booking, [r for _i, r in targets if r is not None], targets)

    # Limited options newly chosen: lock, then count the other holders.
    limited, linked = [], []
    for item, registration in targets:
        answer = existing.get((item.spec.question.id, registration.id if registration else None))
        before = set(item.spec.type.chosen(item.spec, answer.value)) if answer else set()
        for option in item.spec.question.options:
            new = option.identifier in item.chosen and option.identifier not in before
            # A workshop's option has the session's places (services/programme/answers.py).
            if option.seat_limit is not None and new and option.session_id is None:
                limited.append((item, option, answer))
        if registration is not None and item.value is not None:
            linked.append((item, registration, before))
    if limited:
        for event in _lock_order(i.spec.question.event for i, _o, _a in limited):
            lock_event_row(event.id)
        own = [a.id for _i, _o, a in limited if a is not None]
        counts = option_counts([o.id for _i, o, _a in limited], own)
        for item, option, _answer in limited:
            if counts.get(option.id, 0) >= option.seat_limit:
                raise QuestionError(
                    QuestionError.Code.OPTION_FULL,
                    field=item.spec.key,
                    option=option.label(item.spec.lang),
                )

    now = utcnow()
    changed = []
    touched = set()  # registrations (None: the booking) whose answers changed
    for item, registration in targets:
        q = item.spec.question
        key = (q.id, registration.id if registration else None)
        answer = existing.get(key)
        if item.value is None:  # a file question sent without a new file: keep the one held
            continue
        if item.value == "":
            if answer is not None:
                db.session.delete(answer)
                changed.append(q.identifier)
                touched.add(registration)
            continue
        if answer is None:
            answer = Answer(
                question_id=q.id,
                booking_id=booking.id,
                registration_id=registration.id if registration else None,
            )
            db.session.add(answer)
        elif answer.value == item.value and item.upload is None and answer.label:
            continue
        if q.kind == "consent" and (answer.value != "yes" or answer.consent_version != q.version):
            answer.consent_version = q.version
            answer.consent_at = now
        answer.value = item.value
        answer.label = item.spec.label[:300]
        if item.upload is not None:
            answer.file_name = item.upload.name
            answer.file_type = item.upload.mimetype
            answer.file_data = item.upload.data
        option_ids = {o.identifier: o.id for o in q.options}
        wanted = {option_ids[v] for v in item.chosen if v in option_ids}
        answer.choices = [c for c in answer.choices if c.option_id in wanted] + [
            AnswerChoice(option_id=oid)
            for oid in sorted(wanted - {c.option_id for c in answer.choices})
        ]
        changed.append(q.identifier)
        touched.add(registration)
    # A change of answers is a change of the registration (the API's modified_since sees it),
    # whichever page or call made it; a tour's answer changes every registration of the booking.
    for registration in registrations if None in touched else touched:
        if registration is not None:
            registration.updated_at = now
    if linked:
        from eventapp.services.programme import answers as workshop_answers

        db.session.flush()
        for item, registration, before in linked:
            workshop_answers.follow(registration, item.spec, before, set(item.chosen))
    if changed:
        db.session.flush()
        first = registrations[0] if registrations else None
        audit.record(
            "answers.updated",
            user=user,
            actor=actor or ("user" if user else "participant"),
            event_id=first.event_id if first else None,
            registration_id=first.id if first else None,
            questions=sorted(set(changed)),
        )
    return changed


def _existing(booking, registrations, targets) -> dict:
    question_ids = [item.spec.question.id for item, _r in targets]
    rows = db.session.scalars(
        select(Answer)
        .where(
            Answer.question_id.in_(question_ids),
            or_(
                Answer.registration_id.in_([r.id for r in registrations]),
                (Answer.registration_id.is_(None) & (Answer.booking_id == booking.id)),
            ),
        )
        .options(selectinload(Answer.choices))
    ).all()
    return {(a.question_id, a.registration_id): a for a in rows}


def erase_for(registration_ids: Sequence[int], booking_ids: Iterable[int] = ()) -> int:
    """Delete the answers (and files) of these registrations, which are being anonymised, and
    the booking-level answers (a tour's questions) of bookings left with no registration that
    keeps personal data. Chosen options go with them (ON DELETE CASCADE)."""
    removed = 0
    if registration_ids:
        result = db.session.execute(
            delete(Answer)
            .where(Answer.registration_id.in_(list(registration_ids)))
            .execution_options(synchronize_session=False)
        )
        removed += result.rowcount or 0
    booking_ids = sorted(set(booking_ids))
    if booking_ids:
        keeping = select(Registration.booking_id).where(
            Registration.booking_id.in_(booking_ids), Registration.anonymised_at.is_(None)
        )
        result = db.session.execute(
            delete(Answer)
            .where(
                Answer.registration_id.is_(None),
                Answer.booking_id.in_(booking_ids),
                Answer.booking_id.not_in(keeping),
            )
            .execution_options(synchronize_session=False)
        )
        removed += result.rowcount or 0
    return removed


def purge_by_question_retention(now=None) -> int:
    """Questions with their own retention (e.g. dietary needs: a month after the event) lose
    their answers that many days after their event (a tour: its last day) has ended, earlier
    than the registration itself. Returns how many answers were deleted."""
    from datetime import timedelta

    now = now or utcnow()
    due = [
        q.id
        for q, ends_at in db.session.execute(
            select(Question, Event.ends_at)
            .join(Event, Event.id == Question.event_id)
            .where(Question.retention_days.is_not(None))
        ).all()
        if ends_at + timedelta(days=q.retention_days) < now
    ]
    if not due:
        return 0
    result = db.session.execute(
        delete(Answer)
        .where(Answer.question_id.in_(due))
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def answers_due(registrations: Sequence[Registration], lang: str, now=None) -> list[dict]:
    """The "required after a date" questions a person has not answered yet, for their pages:
    [{"label", "due": datetime, "overdue": bool}] by date. Only questions that apply (a
    conditional one whose condition the person's answers meet, a stage's own for their
    stages) and are not organiser-only."""
    from eventapp.questions.fields import question_specs, visible_keys

    now = now or utcnow()
    live = [r for r in registrations if r.is_live]
    if not live:
        return []
    specs = question_specs([r.event for r in live], lang, now=now)
    if not any(s.question.requirement == "required_after" for s in specs):
        return []
    answers: dict[int, Answer] = {}
    for per_registration in answers_of(live).values():
        answers.update(per_registration)
    chosen = {
        s.key: s.type.chosen(s, answers[s.question.id].value)
        for s in specs
        if s.type.has_options and s.question.id in answers
    }
    shown = visible_keys(specs, chosen)
    due = []
    for spec in specs:
        q = spec.question
        if q.requirement != "required_after" or q.required_from is None:
            continue
        if spec.key not in shown or q.id in answers:
            continue
        due.append({"label": spec.label, "due": q.required_from, "overdue": now >= q.required_from})
    return sorted(due, key=lambda d: d["due"])
