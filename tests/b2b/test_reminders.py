"""Reminders before each B2B meeting block: an hour before, through the outbox and beat's
`b2b.remind` job, to each person with meetings in it (time, table, the other person), once per
block, and only for a published schedule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.jobs.schedule import PERIODIC
from eventapp.models import B2BBlock, B2BSettings, B2BSlot, MeetingRequest, OutboxMessage, utcnow
from eventapp.services.b2b import reminders, scheduling
from tests.b2b.helpers import accepted, join, open_b2b
from tests.support.races import race


def _world(factory, *, starts_in=timedelta(minutes=40), published=True):
    event = open_b2b(factory, blocks=((0, 3), (4, 3)))
    a = join(factory, event, organisation="Yposkesi", first_name="Claire", last_name="Alpha",
             language="en")  # fmt: skip
    b = join(factory, event, organisation="Cellforcure", first_name="Marc", last_name="Beta")
    with write_transaction():
        first = db.session.scalars(select(B2BBlock).order_by(B2BBlock.starts_at)).first()
        shift = utcnow() + starts_in - first.starts_at
        first.starts_at += shift
        first.ends_at += shift
        for slot in db.session.scalars(select(B2BSlot).where(B2BSlot.block_id == first.id)):
            slot.starts_at += shift
            slot.ends_at += shift
        if published:
            db.session.get(B2BSettings, event.id).published_at = utcnow()
        block_id = first.id
        slot_id = db.session.scalars(
            select(B2BSlot.id).where(B2BSlot.block_id == first.id).order_by(B2BSlot.position)
        ).all()[1]
    request = accepted(event, a, b)
    with write_transaction():
        table = scheduling.tables_of(event.id)[1]
        scheduling.place(db.session.get(MeetingRequest, request.id), slot_id, table.id)
    with write_transaction():  # the mails of the placement are not the reminders
        db.session.query(OutboxMessage).delete()
    return block_id


def _reminders():
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "b2b.reminder"))
    )


def test_each_person_is_reminded_once_with_table_and_partner(factory):
    block_id = _world(factory)
    assert reminders.sweep() == 2
    db.session.rollback()
    sent = _reminders()
    assert len(sent) == 2
    english = next(m for m in sent if "Hello Claire" in m.body_text)
    assert "table 2" in english.body_text and "Marc BETA (Cellforcure)" in english.body_text
    french = next(m for m in sent if m is not english)
    assert "Claire ALPHA (Yposkesi)" in french.body_text
    assert db.session.get(B2BBlock, block_id).reminded_at is not None
    assert reminders.sweep() == 0  # once per block
    assert any(p.task == "b2b.remind" for p in PERIODIC)


def test_not_before_the_hour_nor_for_a_provisional_schedule(factory):
    _world(factory, starts_in=timedelta(hours=3))
    assert reminders.sweep() == 0
    assert reminders.sweep(utcnow() + timedelta(hours=2, minutes=30)) == 2


def test_a_provisional_schedule_is_not_announced(factory):
    _world(factory, published=False)
    assert reminders.sweep() == 0
    assert _reminders() == []


def test_two_sweeps_at_once_send_once(app, factory):
    _world(factory)
    errors, results = race(app, lambda n: reminders.sweep(), 3)
    assert errors == []
    assert sorted(results.values()) == [0, 0, 2]
    db.session.rollback()
    assert len(_reminders()) == 2
