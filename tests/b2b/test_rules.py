"""Booking rules by category (who may request whom, meetings per category) and the self-pick
slot mode (the one who accepts picks a slot where both are free, under the event lock)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    B2BSettings,
    B2BSlot,
    Event,
    Meeting,
    MeetingRequest,
    MeetingSeat,
    RequestStatus,
)
from eventapp.services.b2b import requests as requests_service
from eventapp.services.b2b import rules, scheduling
from eventapp.services.b2b.errors import B2BError
from eventapp.services.b2b.scheduler import Options, schedule
from tests.b2b.helpers import accepted, join, link, open_b2b
from tests.support.races import race

EN = {"Accept-Language": "en"}


def _rules(event, *, denied=(), caps=None, slot_mode="organiser"):
    with write_transaction():
        settings = db.session.get(B2BSettings, event.id)
        allowed = {c: set(rules.CATEGORIES) - {to for frm, to in denied if frm == c}
                   for c in rules.CATEGORIES}  # fmt: skip
        rules.save(settings, slot_mode=slot_mode, allowed=allowed, caps=caps or {})


def _pending(event, sender, recipient) -> int:
    with write_transaction():
        request = requests_service.send(db.session.get(type(sender), sender.id), recipient.id)
        return request.id


def test_the_organiser_sets_the_rules_on_one_form(client, factory, login):
    org = factory.organisation()
    event = open_b2b(factory, organisers=(org,))
    login(factory.user(org, role="manager"))
    url = f"/organiser/events/{event.id}/b2b/rules"
    page = client.get(url, headers=EN)
    assert page.status_code == 200 and "Contract manufacturer (CDMO) may request" in page.text
    data = {"slot_mode": "self_pick", "cap_biotech": "3"}
    for category in rules.CATEGORIES:
        data[f"may_{category}"] = [c for c in rules.CATEGORIES if (category, c) != ("cdmo", "cdmo")]
    data["may_biotech"] = ["cdmo"]  # startups may request CDMOs (only)
    assert client.post(url, data=data).status_code == 302
    db.session.rollback()
    settings = db.session.get(B2BSettings, event.id)
    assert settings.slot_mode == "self_pick"
    assert settings.category_caps == {"biotech": 3}
    assert ["cdmo", "cdmo"] in settings.denied_pairs
    assert ["biotech", "cdmo"] not in settings.denied_pairs
    assert ["biotech", "academic"] in settings.denied_pairs
    refused = client.post(url, data={**data, "cap_cdmo": "0", "slot_mode": "x"})
    assert refused.status_code == 400
    page = client.get(url).get_data(as_text=True)  # shown back as saved
    assert 'checked id="may_biotech-2"' in page  # cdmo
    assert 'checked id="may_biotech-1"' not in page  # biotech
    assert 'checked id="may_cdmo-1"' in page and 'checked id="may_cdmo-2"' not in page


def test_a_denied_category_cannot_be_requested(client, factory):
    event = open_b2b(factory)
    _rules(event, denied=[("cdmo", "cdmo")])
    a = join(factory, event, category="cdmo", organisation="Novasep", last_name="A")
    b = join(factory, event, category="cdmo", organisation="Cellforcure", last_name="B")
    c = join(factory, event, category="biotech", organisation="Abivax", last_name="C")
    page = client.get(link(a, f"/people/{b.id}"), headers=EN).get_data(as_text=True)
    assert "cannot request this participant" in page and "Send the request" not in page
    response = client.post(link(a, f"/people/{b.id}"), data={"message": "Hi"}, headers=EN)
    assert response.status_code == 409
    assert db.session.scalar(select(func.count()).select_from(MeetingRequest)) == 0
    assert client.post(link(a, f"/people/{c.id}"), data={"message": "Hi"}).status_code == 302
    assert client.post(link(b, f"/people/{c.id}"), data={}).status_code == 302  # other way OK


def test_the_category_cap_binds_the_scheduler_and_the_hand(factory):
    event = open_b2b(factory, tables=3)
    _rules(event, caps={"biotech": 1})
    bio = join(factory, event, category="biotech", last_name="Bio")
    others = [join(factory, event, category="cdmo", last_name=f"C{n}") for n in range(3)]
    requests = [accepted(event, o, bio) for o in others]
    problem = scheduling.build_problem(db.session.get(Event, event.id))
    caps = {p.id: p.cap for p in problem.participants}
    assert caps[bio.id] == 1 and caps[others[0].id] is None
    assert schedule(problem, Options(time_limit=5)).placed == 1
    slots = scheduling.slots_of(event.id)
    tables = scheduling.tables_of(event.id)
    with write_transaction():
        scheduling.place(db.session.get(MeetingRequest, requests[0].id), slots[0].id, tables[0].id)
    with pytest.raises(B2BError) as refused, write_transaction():
        scheduling.place(db.session.get(MeetingRequest, requests[1].id), slots[1].id, tables[0].id)
    assert refused.value.code == "cap_reached"


def test_self_pick_the_recipient_picks_a_slot_where_both_are_free(client, factory):
    event = open_b2b(factory, tables=1)
    _rules(event, slot_mode="self_pick")
    sender = join(factory, event, last_name="Sender")
    me = join(factory, event, last_name="Me", organisation="Me SA")
    third = join(factory, event, last_name="Third", organisation="Third SA")
    slots = scheduling.slots_of(event.id)
    # The sender already meets the third person in the first slot: not offered.
    with write_transaction():
        busy = accepted(event, sender, third)
        scheduling.place(
            db.session.get(MeetingRequest, busy.id), slots[0].id,
            scheduling.tables_of(event.id)[0].id,
        )  # fmt: skip
    request_id = _pending(event, sender, me)
    page = client.get(link(me, "/requests"), headers=EN).get_data(as_text=True)
    assert "Accept in this slot" in page
    assert f'value="{slots[0].id}"' not in page and f'value="{slots[1].id}"' in page
    url = link(me, f"/requests/{request_id}/accept")
    no_slot = client.post(url, headers=EN, follow_redirects=True)
    assert "Pick the slot of your meeting." in no_slot.get_data(as_text=True)
    taken = client.post(url, data={"slot": str(slots[0].id)}, headers=EN, follow_redirects=True)
    assert "already" in taken.get_data(as_text=True)  # the only table is taken there
    assert db.session.get(MeetingRequest, request_id).status == RequestStatus.PENDING
    assert client.post(url, data={"slot": str(slots[2].id)}).status_code == 302
    db.session.rollback()
    meeting = db.session.scalar(select(Meeting).where(Meeting.request_id == request_id))
    assert meeting.slot_id == slots[2].id and meeting.locked
    assert db.session.get(MeetingRequest, request_id).status == RequestStatus.ACCEPTED
    agenda = client.get(link(me, "/meetings"), headers=EN).get_data(as_text=True)
    assert "Table 1" in agenda and "Sender" in agenda


def test_self_pick_race_nobody_is_booked_twice(app, factory):
    """Four people accept the same sender's requests in the same slot at the same instant:
    one meeting is made, the three others are refused and stay pending."""
    event = open_b2b(factory, tables=6)
    _rules(event, slot_mode="self_pick")
    sender = join(factory, event, last_name="Sender")
    people = [join(factory, event, last_name=f"R{n}", organisation=f"R{n} SA") for n in range(4)]
    ids = [(p.id, _pending(event, sender, p)) for p in people]
    slot_id = db.session.scalars(select(B2BSlot.id).order_by(B2BSlot.starts_at)).first()

    def work(n):
        participant_id, request_id = ids[n]
        try:
            with write_transaction():
                participant = db.session.get(type(sender), participant_id)
                requests_service.accept(participant, request_id, slot_id)
            return "accepted"
        except B2BError as error:
            return str(error.code)

    errors, results = race(app, work, len(ids))
    assert errors == []
    assert sorted(results.values()) == ["accepted"] + ["person_busy"] * 3
    db.session.rollback()
    seats = db.session.scalar(
        select(func.count())
        .select_from(MeetingSeat)
        .where(MeetingSeat.participant_id == sender.id, MeetingSeat.slot_id == slot_id)
    )
    assert seats == 1
    statuses = sorted(db.session.scalars(select(MeetingRequest.status)))
    assert statuses == ["accepted"] + ["pending"] * 3
