"""The organiser's B2B set-up: switched on, the rules, the meeting blocks (cut into slots; the
breaks are the time between blocks) and the tables.

Rules: a block ends after it starts and holds at least one whole slot (a remainder shorter
than a slot is left out); a block or a table that holds meetings cannot be removed (cancel or
move them first). Changes take the event lock, like every change to the meetings.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select

from eventapp.database import lock_event_row
from eventapp.extensions import db
from eventapp.models import B2BBlock, B2BSettings, B2BSlot, B2BTable, Event, Meeting
from eventapp.services.b2b.errors import B2BError
from eventapp.services.b2b.profiles import settings_of

MAX_SLOTS_PER_BLOCK = 48
MAX_TABLES = 500


def save_settings(
    event: Event,
    *,
    enabled: bool,
    request_limit: int,
    meeting_cap: int | None,
    request_expiry_hours: int | None,
) -> B2BSettings:
    settings = settings_of(event, create=True)
    settings.enabled = enabled
    settings.request_limit = request_limit
    settings.meeting_cap = meeting_cap
    settings.request_expiry_hours = request_expiry_hours
    db.session.flush()
    return settings


def add_block(event: Event, starts_at: datetime, ends_at: datetime, slot_minutes: int) -> B2BBlock:
    lock_event_row(event.id)
    if slot_minutes <= 0 or ends_at <= starts_at:
        raise B2BError(B2BError.Code.BAD_BLOCK, field="ends_at")
    count = int((ends_at - starts_at) // timedelta(minutes=slot_minutes))
    if count < 1 or count > MAX_SLOTS_PER_BLOCK:
        raise B2BError(B2BError.Code.BAD_BLOCK, field="slot_minutes")
    block = B2BBlock(
        event_id=event.id, starts_at=starts_at, ends_at=ends_at, slot_minutes=slot_minutes
    )
    db.session.add(block)
    db.session.flush()
    length = timedelta(minutes=slot_minutes)
    db.session.add_all(
        B2BSlot(
            event_id=event.id,
            block_id=block.id,
            position=n,
            starts_at=starts_at + n * length,
            ends_at=starts_at + (n + 1) * length,
        )
        for n in range(count)
    )
    db.session.flush()
    return block


def remove_block(block: B2BBlock) -> None:
    lock_event_row(block.event_id)
    slots = select(B2BSlot.id).where(B2BSlot.block_id == block.id)
    if db.session.scalar(select(Meeting.id).where(Meeting.slot_id.in_(slots)).limit(1)):
        raise B2BError(B2BError.Code.HAS_MEETINGS)
    db.session.delete(block)
    db.session.flush()


def add_tables(event: Event, count: int, location: str = "") -> list[B2BTable]:
    """`count` more tables, numbered after the last one."""
    lock_event_row(event.id)
    last = db.session.scalar(select(func.max(B2BTable.number)).where(B2BTable.event_id == event.id))
    start = (last or 0) + 1
    count = max(0, min(count, MAX_TABLES - (last or 0)))
    tables = [
        B2BTable(event_id=event.id, number=start + n, location=location.strip())
        for n in range(count)
    ]
    db.session.add_all(tables)
    db.session.flush()
    return tables


def remove_table(table: B2BTable) -> None:
    lock_event_row(table.event_id)
    if db.session.scalar(select(Meeting.id).where(Meeting.table_id == table.id).limit(1)):
        raise B2BError(B2BError.Code.HAS_MEETINGS)
    db.session.delete(table)
    db.session.flush()
