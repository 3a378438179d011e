"""The reminder e-mail before each meeting block (issue 18): an hour before a block starts,
each participant with meetings in it gets them (time, table, whom), through the outbox, sent
by beat's `b2b.remind` job.

Rules: only once the schedule is published (a provisional one is not announced); each block is
reminded once (`b2b_block.reminded_at`, claimed by one conditional UPDATE, so two sweeps never
send twice); a block already under way when the sweep first sees it is not reminded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import B2BBlock, B2BParticipant, B2BSettings, B2BSlot, MeetingSeat, utcnow
from eventapp.services.b2b import notify

BEFORE = timedelta(hours=1)


def due_blocks(now: datetime) -> list[int]:
    """Blocks of published schedules starting within BEFORE, not reminded yet."""
    return list(
        db.session.scalars(
            select(B2BBlock.id)
            .join(B2BSettings, B2BSettings.event_id == B2BBlock.event_id)
            .where(
                B2BSettings.enabled.is_(True),
                B2BSettings.published_at.is_not(None),
                B2BBlock.reminded_at.is_(None),
                B2BBlock.starts_at > now,
                B2BBlock.starts_at <= now + BEFORE,
            )
            .order_by(B2BBlock.starts_at, B2BBlock.id)
        )
    )


def remind_block(block_id: int, now: datetime) -> int:
    """Claim the block, then queue one e-mail per participant with meetings in it. Returns how
    many were queued (0 if another sweep claimed it first)."""
    from eventapp.services.b2b.listing import agenda_of

    claimed = db.session.execute(
        update(B2BBlock)
        .where(B2BBlock.id == block_id, B2BBlock.reminded_at.is_(None))
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        return 0
    block = db.session.get(B2BBlock, block_id)
    people = db.session.scalars(
        select(B2BParticipant)
        .where(
            B2BParticipant.id.in_(
                select(MeetingSeat.participant_id)
                .join(B2BSlot, B2BSlot.id == MeetingSeat.slot_id)
                .where(B2BSlot.block_id == block_id)
            )
        )
        .order_by(B2BParticipant.id)
    ).all()
    for participant in people:
        meetings = [
            item
            for item in agenda_of(participant)
            if block.starts_at <= item.starts_at < block.ends_at
        ]
        notify.block_reminder(participant, meetings, block)
    db.session.flush()
    return len(people)


def sweep(now: datetime | None = None) -> int:
    """The periodic job's work: each due block in its own transaction. A batch: it owns its
    transactions. Returns how many reminders were queued."""
    now = now or utcnow()
    with write_transaction():
        block_ids = due_blocks(now)
    sent = 0
    for block_id in block_ids:
        with write_transaction():
            sent += remind_block(block_id, now)
    return sent
