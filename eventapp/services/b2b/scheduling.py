"""The event's meetings in slots and tables: the scheduler's runs (a job), the organiser's
moves, cancellations and locks, a late acceptance's placement, and publication.

Rules:
- Every change to the event's meetings takes the event lock (`lock_event_row`) and checks the
  seats under it; the database backs it: one meeting per (slot, table) and one `MeetingSeat`
  per (person, slot). So no two writers (a run being applied, an organiser's move, a late
  acceptance) can double-book a person or a table.
- Only accepted requests are scheduled; pending ones hold nothing.
- A run is computed outside any transaction (it may take its whole time limit) and applied
  under the lock with what the database holds then: a placement that a change made meanwhile
  contradicts (the request cancelled, a seat taken by a hand-placed meeting) is skipped and
  reported. Locked meetings stay where they are; a meeting placed or moved by hand is locked.
- Participants learn their agenda when the organiser publishes; after that, every change to a
  meeting is e-mailed to its two people (the outbox).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import joinedload

from eventapp import events
from eventapp.database import end_read, lock_event_row, own_transaction
from eventapp.extensions import db
from eventapp.jobs import dispatch
from eventapp.models import (
    B2BBlock,
    B2BParticipant,
    B2BSlot,
    B2BTable,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
    RunStatus,
    ScheduleRun,
    utcnow,
)
from eventapp.services.b2b import availability, listing, notify, rules, scheduler
from eventapp.services.b2b.errors import B2BError
from eventapp.services.b2b.profiles import settings_of

log = logging.getLogger(__name__)

SCHEDULE_JOB = "b2b.schedule"
MODES = (scheduler.FULL, scheduler.UNSCHEDULED_ONLY)


def slots_of(event_id: int) -> list[B2BSlot]:
    return list(
        db.session.scalars(
            select(B2BSlot)
            .where(B2BSlot.event_id == event_id)
            .order_by(B2BSlot.starts_at, B2BSlot.id)
        )
    )


def tables_of(event_id: int) -> list[B2BTable]:
    return list(
        db.session.scalars(
            select(B2BTable).where(B2BTable.event_id == event_id).order_by(B2BTable.number)
        )
    )


def blocks_of(event_id: int) -> list[B2BBlock]:
    return list(
        db.session.scalars(
            select(B2BBlock)
            .where(B2BBlock.event_id == event_id)
            .options(joinedload(B2BBlock.slots))
            .order_by(B2BBlock.starts_at)
        ).unique()
    )


# --- the engine's problem ---------------------------------------------------------------------


def build_problem(event: Event) -> scheduler.Problem:
    """The event's accepted requests, slots, tables, people, locked and existing meetings, in
    the engine's terms (database ids throughout)."""
    settings = settings_of(event)
    slots = slots_of(event.id)
    slot_ids = {s.id for s in slots}
    tables = tables_of(event.id)
    requests = list(
        db.session.execute(
            select(MeetingRequest.id, MeetingRequest.sender_id, MeetingRequest.recipient_id)
            .where(
                MeetingRequest.event_id == event.id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
            )
            .order_by(MeetingRequest.id)
        )
    )
    people = {pid for _r, a, b in requests for pid in (a, b)}
    unavailable = dict(
        db.session.execute(
            select(B2BParticipant.id, B2BParticipant.unavailable).where(
                B2BParticipant.id.in_(people)
            )
        ).all()
    )
    caps = rules.caps_of(settings, people)
    in_sessions = availability.programme_busy(people, slots)  # the programme's sign-ups
    locked, existing = {}, {}
    for request_id, slot_id, table_id, is_locked in db.session.execute(
        select(Meeting.request_id, Meeting.slot_id, Meeting.table_id, Meeting.locked).where(
            Meeting.event_id == event.id
        )
    ):
        (locked if is_locked else existing)[request_id] = scheduler.Assignment(slot_id, table_id)
    accepted = {r for r, _a, _b in requests}
    return scheduler.Problem(
        slots=[scheduler.Slot(s.id, s.block_id, s.position) for s in slots],
        tables=[scheduler.Table(t.id, t.location or None) for t in tables],
        participants=[
            scheduler.Participant(
                p,
                caps.get(p),
                frozenset((set(unavailable.get(p) or ()) | in_sessions.get(p, set())) & slot_ids),
            )
            for p in sorted(people)
        ],
        requests=[scheduler.Request(r, a, b) for r, a, b in requests],
        locked={r: at for r, at in locked.items() if r in accepted},
        existing={r: at for r, at in existing.items() if r in accepted},
    )


# --- runs -------------------------------------------------------------------------------------


# A run queued or running for longer than this is taken as lost (its worker died, the broker
# lost the job): it no longer stops the organiser from starting another.
STALE_AFTER = timedelta(minutes=15)


def active_run(event_id: int) -> ScheduleRun | None:
    return db.session.scalar(
        select(ScheduleRun)
        .where(
            ScheduleRun.event_id == event_id,
            ScheduleRun.status.in_([RunStatus.QUEUED, RunStatus.RUNNING]),
            ScheduleRun.created_at > utcnow() - STALE_AFTER,
        )
        .order_by(ScheduleRun.id.desc())
        .limit(1)
    )


def start_run(event: Event, user, mode: str) -> ScheduleRun:
    """Queue a run of the scheduler (a job after the commit); one at a time per event."""
    if mode not in MODES:
        mode = scheduler.FULL
    lock_event_row(event.id)
    if not slots_of(event.id) or not tables_of(event.id):
        raise B2BError(B2BError.Code.NO_SLOTS)
    if active_run(event.id) is not None:
        raise B2BError(B2BError.Code.RUN_ACTIVE)
    run = ScheduleRun(event_id=event.id, mode=mode, requested_by_id=getattr(user, "id", None))
    db.session.add(run)
    db.session.flush()
    events.record("b2b.schedule_requested", event_id=event.id, run_id=run.id)
    return run


@events.subscribe("b2b.schedule_requested")
def _publish_run(event: events.DomainEvent) -> None:
    dispatch.after_commit(SCHEDULE_JOB, event["run_id"])


def execute(run_id: int) -> str:
    """The job: compute the run's schedule, then apply it under the event lock. Returns the
    run's final status."""
    with own_transaction():
        run = db.session.get(ScheduleRun, run_id)
        if run is None or run.status != RunStatus.QUEUED:
            return "skipped"
        run.status = RunStatus.RUNNING
        run.started_at = utcnow()
        event_id, mode = run.event_id, run.mode
    try:
        event = db.session.get(Event, event_id)
        problem = build_problem(event)
        end_read()
        options = scheduler.Options(
            time_limit=float(current_app.config.get("B2B_SCHEDULE_SECONDS", 30)), mode=mode
        )
        solution = scheduler.schedule(problem, options)
        with own_transaction():
            lock_event_row(event_id)
            skipped = _apply(event_id, solution)
            run = db.session.get(ScheduleRun, run_id)
            run.status = RunStatus.DONE
            run.finished_at = utcnow()
            run.requests = len(problem.requests)
            run.placed = solution.placed - len(skipped)
            run.bound = solution.bounds.best
            run.report = _report(solution, skipped)
        return "done"
    except Exception as error:
        log.exception("b2b.schedule run %s failed", run_id)
        with own_transaction():
            run = db.session.get(ScheduleRun, run_id)
            run.status = RunStatus.FAILED
            run.finished_at = utcnow()
            issues = getattr(error, "issues", None)
            run.error = ("; ".join(map(str, issues)) if issues else type(error).__name__)[:300]
        return "failed"


def _report(solution: scheduler.Solution, skipped: list[int]) -> dict:
    return {
        "method": solution.method,
        "status": solution.status,
        "proven": solution.meetings_proven,
        "bound": solution.bounds.best,
        "idle_total": solution.gaps.total,
        "idle_max": solution.gaps.max_per_person,
        "people_with_gaps": solution.gaps.people_with_gaps,
        "seconds": solution.wall_seconds,
        "unplaced": [
            {"request": u.request, "code": u.code, "participant": u.participant}
            for u in solution.unplaced
        ],
        "skipped": skipped,
    }


def _apply(event_id: int, solution: scheduler.Solution) -> list[int]:
    """Make the event's unlocked meetings the solution's (the lock is held): those it keeps
    where they are stay as they are (same rows), the others go, the new ones are written.
    Returns the requests whose placement the database contradicts now (skipped)."""
    target = {p.request: p for p in solution.placements if p.origin != "locked"}
    unlocked = db.session.execute(
        select(Meeting.id, Meeting.request_id, Meeting.slot_id, Meeting.table_id).where(
            Meeting.event_id == event_id, Meeting.locked.is_(False)
        )
    ).all()
    kept, gone = set(), []
    for meeting_id, request_id, slot_id, table_id in unlocked:
        placement = target.get(request_id)
        if placement is not None and (placement.slot, placement.table) == (slot_id, table_id):
            kept.add(request_id)
        else:
            gone.append(meeting_id)
    if gone:
        db.session.execute(
            delete(MeetingSeat)
            .where(MeetingSeat.meeting_id.in_(gone))
            .execution_options(synchronize_session=False)
        )
        db.session.execute(
            delete(Meeting).where(Meeting.id.in_(gone)).execution_options(synchronize_session=False)
        )
    accepted = {
        r: (a, b)
        for r, a, b in db.session.execute(
            select(MeetingRequest.id, MeetingRequest.sender_id, MeetingRequest.recipient_id).where(
                MeetingRequest.event_id == event_id,
                MeetingRequest.status == RequestStatus.ACCEPTED,
            )
        )
    }
    placed = set(db.session.scalars(select(Meeting.request_id).where(Meeting.event_id == event_id)))
    seats = {
        (p, s)
        for p, s in db.session.execute(
            select(MeetingSeat.participant_id, MeetingSeat.slot_id)
            .join(Meeting, Meeting.id == MeetingSeat.meeting_id)
            .where(Meeting.event_id == event_id)
        )
    }
    tables = set(
        db.session.execute(
            select(Meeting.slot_id, Meeting.table_id).where(Meeting.event_id == event_id)
        ).all()
    )
    skipped = []
    for request_id, placement in target.items():
        if request_id in placed:
            continue  # kept as it is, or locked by hand meanwhile
        pair = accepted.get(request_id)
        slot, table = placement.slot, placement.table
        if pair is None or (slot, table) in tables or any((p, slot) in seats for p in pair):
            skipped.append(request_id)
            continue
        _insert(event_id, request_id, pair, slot, table, locked=False)
        tables.add((slot, table))
        seats.update((p, slot) for p in pair)
    db.session.flush()
    return skipped


def _insert(event_id, request_id, pair, slot_id, table_id, *, locked: bool) -> Meeting:
    meeting = Meeting(
        event_id=event_id,
        request_id=request_id,
        slot_id=slot_id,
        table_id=table_id,
        locked=locked,
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all(
        MeetingSeat(participant_id=p, slot_id=slot_id, meeting_id=meeting.id) for p in pair
    )
    db.session.flush()
    return meeting


# --- by hand ----------------------------------------------------------------------------------


def _check_seat(event_id: int, pair, slot: B2BSlot, table: B2BTable, meeting_id=None) -> None:
    """Under the lock: the table and both people free in the slot, both available, both under
    the cap (the meeting being moved excluded)."""
    others = Meeting.id != meeting_id if meeting_id else True
    if db.session.scalar(
        select(Meeting.id).where(Meeting.slot_id == slot.id, Meeting.table_id == table.id, others)
    ):
        raise B2BError(B2BError.Code.SLOT_TAKEN)
    if db.session.scalar(
        select(MeetingSeat.meeting_id).where(
            MeetingSeat.slot_id == slot.id,
            MeetingSeat.participant_id.in_(pair),
            MeetingSeat.meeting_id != meeting_id if meeting_id else True,
        )
    ):
        raise B2BError(B2BError.Code.PERSON_BUSY)
    for participant in db.session.scalars(
        select(B2BParticipant).where(B2BParticipant.id.in_(pair))
    ):
        if slot.id in set(participant.unavailable or ()):
            raise B2BError(B2BError.Code.UNAVAILABLE)
    if availability.programme_busy(pair, [slot]):  # in a programme session then
        raise B2BError(B2BError.Code.UNAVAILABLE)
    if meeting_id is None and _over_cap(event_id, pair):
        raise B2BError(B2BError.Code.CAP_REACHED)


def _over_cap(event_id: int, pair) -> bool:
    """One of the two already has their cap of meetings (the event's, or their category's)."""
    caps = rules.caps_of(settings_of(db.session.get(Event, event_id)), pair)
    if all(caps.get(p) is None for p in pair):
        return False
    counts = dict(
        db.session.execute(
            select(MeetingSeat.participant_id, func.count())
            .where(MeetingSeat.participant_id.in_(pair))
            .group_by(MeetingSeat.participant_id)
        ).all()
    )
    return any(caps.get(p) is not None and counts.get(p, 0) >= caps[p] for p in pair)


def _slot_and_table(event_id: int, slot_id: int, table_id: int) -> tuple[B2BSlot, B2BTable]:
    slot, table = db.session.get(B2BSlot, slot_id), db.session.get(B2BTable, table_id)
    if slot is None or table is None or slot.event_id != event_id or table.event_id != event_id:
        raise B2BError(B2BError.Code.SLOT_TAKEN)
    return slot, table


def place(request: MeetingRequest, slot_id: int, table_id: int) -> Meeting:
    """Place an accepted, unscheduled request by hand (locked: re-runs keep it)."""
    lock_event_row(request.event_id)
    db.session.refresh(request)
    if request.status != RequestStatus.ACCEPTED:
        raise B2BError(B2BError.Code.NOT_ACCEPTED)
    if db.session.scalar(select(Meeting.id).where(Meeting.request_id == request.id)):
        raise B2BError(B2BError.Code.SLOT_TAKEN)
    slot, table = _slot_and_table(request.event_id, slot_id, table_id)
    pair = (request.sender_id, request.recipient_id)
    _check_seat(request.event_id, pair, slot, table)
    meeting = _insert(request.event_id, request.id, pair, slot.id, table.id, locked=True)
    _changed(request.event_id, [meeting])
    return meeting


def move(meeting: Meeting, slot_id: int, table_id: int) -> Meeting:
    """Move a meeting to another slot or table (it becomes locked: the organiser's choice)."""
    lock_event_row(meeting.event_id)
    db.session.refresh(meeting)
    slot, table = _slot_and_table(meeting.event_id, slot_id, table_id)
    request = meeting.request
    pair = (request.sender_id, request.recipient_id)
    _check_seat(meeting.event_id, pair, slot, table, meeting_id=meeting.id)
    db.session.execute(
        delete(MeetingSeat)
        .where(MeetingSeat.meeting_id == meeting.id)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    meeting.slot_id, meeting.table_id, meeting.locked = slot.id, table.id, True
    db.session.add_all(
        MeetingSeat(participant_id=p, slot_id=slot.id, meeting_id=meeting.id) for p in pair
    )
    db.session.flush()
    _changed(meeting.event_id, [meeting])
    return meeting


def cancel(meeting: Meeting) -> None:
    """The organiser cancels a meeting: its request is cancelled too (not scheduled again)."""
    lock_event_row(meeting.event_id)
    request = meeting.request
    people = [request.sender, request.recipient]
    request.status = RequestStatus.CANCELLED
    request.answered_at = utcnow()
    db.session.delete(meeting)
    db.session.flush()
    _notify_people(request.event_id, people)


def set_locked(meeting: Meeting, locked: bool) -> None:
    meeting.locked = locked
    db.session.flush()


def place_late(request: MeetingRequest) -> Meeting | None:
    """A request accepted after the schedule was published: the first slot where both are free
    and available and a table is left (the lock is held by the caller). None if none is."""
    event = db.session.get(Event, request.event_id)
    pair = (request.sender_id, request.recipient_id)
    taken = {
        s
        for (s,) in db.session.execute(
            select(MeetingSeat.slot_id).where(MeetingSeat.participant_id.in_(pair))
        )
    }
    if _over_cap(event.id, pair):
        return None
    away = set()
    for participant in db.session.scalars(
        select(B2BParticipant).where(B2BParticipant.id.in_(pair))
    ):
        away |= set(participant.unavailable or ())
    slots = slots_of(event.id)
    for busy in availability.programme_busy(pair, slots).values():
        away |= busy
    tables = tables_of(event.id)
    used = set(
        db.session.execute(
            select(Meeting.slot_id, Meeting.table_id).where(Meeting.event_id == event.id)
        ).all()
    )
    now = utcnow()
    for slot in slots:
        if slot.id in taken or slot.id in away or slot.starts_at <= now:
            continue
        table = next((t for t in tables if (slot.id, t.id) not in used), None)
        if table is not None:
            meeting = _insert(event.id, request.id, pair, slot.id, table.id, locked=False)
            _changed(event.id, [meeting])
            return meeting
    return None


def place_picked(request: MeetingRequest, slot_id: int | None) -> Meeting:
    """Self-pick mode: the accepted request in the slot its recipient picked, at the first table
    free there, locked (the event lock is held by the caller). Refused if the slot is not one of
    the event's to come, or either person is busy, away or at their cap, or no table is left."""
    slot = db.session.get(B2BSlot, slot_id) if slot_id else None
    if slot is None or slot.event_id != request.event_id or slot.starts_at <= utcnow():
        raise B2BError(B2BError.Code.PICK_SLOT, field="slot")
    used = set(db.session.scalars(select(Meeting.table_id).where(Meeting.slot_id == slot.id)))
    table = next((t for t in tables_of(request.event_id) if t.id not in used), None)
    if table is None:
        raise B2BError(B2BError.Code.SLOT_TAKEN, field="slot")
    pair = (request.sender_id, request.recipient_id)
    _check_seat(request.event_id, pair, slot, table)
    meeting = _insert(request.event_id, request.id, pair, slot.id, table.id, locked=True)
    _changed(request.event_id, [meeting])
    return meeting


def free_slots(me: B2BParticipant, others: list[B2BParticipant]) -> dict[int, list[B2BSlot]]:
    """Per other person, the slots to come where both are free and available and a table is
    left: what the self-pick mode offers when accepting (three queries, whatever the number)."""
    if not others:
        return {}
    now = utcnow()
    slots = [s for s in slots_of(me.event_id) if s.starts_at > now]
    n_tables = len(tables_of(me.event_id))
    full = {
        slot_id
        for slot_id, n in db.session.execute(
            select(Meeting.slot_id, func.count())
            .where(Meeting.event_id == me.event_id)
            .group_by(Meeting.slot_id)
        )
        if n >= n_tables
    }
    busy: dict[int, set[int]] = {}
    for pid, slot_id in db.session.execute(
        select(MeetingSeat.participant_id, MeetingSeat.slot_id).where(
            MeetingSeat.participant_id.in_([me.id, *(o.id for o in others)])
        )
    ):
        busy.setdefault(pid, set()).add(slot_id)
    people = {me.id, *(o.id for o in others)}
    for pid, slot_ids in availability.programme_busy(people, slots).items():
        busy.setdefault(pid, set()).update(slot_ids)
    mine = busy.get(me.id, set()) | set(me.unavailable or ())
    return {
        other.id: [
            s
            for s in slots
            if n_tables
            and s.id not in full
            and s.id not in mine
            and s.id not in busy.get(other.id, set())
            and s.id not in set(other.unavailable or ())
        ]
        for other in others
    }


def _changed(event_id: int, meetings: list[Meeting]) -> None:
    people = []
    for meeting in meetings:
        request = db.session.get(MeetingRequest, meeting.request_id)
        people += [request.sender, request.recipient]
    _notify_people(event_id, people)


def _notify_people(event_id: int, people: list[B2BParticipant]) -> None:
    settings = settings_of(db.session.get(Event, event_id))
    if settings is None or settings.published_at is None:
        return  # a provisional schedule: nobody is told before publication
    for participant in {p.id: p for p in people}.values():
        notify.agenda(participant, listing.agenda_of(participant), changed=True)
    events.record("b2b.meeting_changed", event_id=event_id)


def apply_schedule(event: Event, solution: scheduler.Solution) -> list[int]:
    """Write a schedule computed outside a run (the demo data) as a run's is written, under
    the event lock; returns the requests skipped (see _apply)."""
    lock_event_row(event.id)
    return _apply(event.id, solution)


def publish(event: Event, *, announce: bool = True) -> int:
    """Send every participant with meetings their agenda; later changes are e-mailed.
    `announce=False` (the demo data) publishes without e-mailing anyone now."""
    lock_event_row(event.id)
    settings = settings_of(event, create=True)
    settings.published_at = utcnow()
    if not announce:
        db.session.flush()
        return 0
    people = list(
        db.session.scalars(
            select(B2BParticipant)
            .where(
                B2BParticipant.event_id == event.id,
                B2BParticipant.id.in_(select(MeetingSeat.participant_id)),
            )
            .options(joinedload(B2BParticipant.registration))
        )
    )
    for participant in people:
        notify.agenda(participant, listing.agenda_of(participant))
    db.session.flush()
    return len(people)


# --- reading ----------------------------------------------------------------------------------


def meetings_by_slot(event_id: int) -> list[tuple[B2BSlot, list[listing.MeetingRow]]]:
    """Every slot with its meetings (table order) and both people: the organiser's grid."""
    by_slot: dict[int, list] = {}
    for row in listing.rows(db.session.execute(listing.with_people(event_id))):
        by_slot.setdefault(row.slot.id, []).append(row)
    return [(slot, by_slot.get(slot.id, [])) for slot in slots_of(event_id)]
