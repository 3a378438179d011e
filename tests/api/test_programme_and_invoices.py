"""The programme and the invoices through /api/v1: the public sees a published event's
published programme (published times and rooms, listed speakers only), the organisers the draft
beside it; the organisation's invoices and credit notes with the invoices page's filters, one
document and its PDF, for a token with invoices:read only; pages in SQL, a fixed number of
queries."""

from datetime import timedelta

import pytest

from eventapp.database import write_transaction
from eventapp.extensions import db
from eventapp.models import (
    IssuedDocument,
    ProgrammeSession,
    Room,
    Speaker,
    Track,
    utcnow,
)
from eventapp.services.invoicing import issuing
from tests.invoices.support import issued_invoice
from tests.support.queries import count_queries


def _session(event, room, speakers=(), *, published=True, cancelled=False, hour=9, track=None):
    start = event.starts_at + timedelta(hours=hour)
    session = ProgrammeSession(
        event_id=event.id,
        kind="workshop",
        title_fr=f"Atelier {hour}h",
        title_en=f"Workshop {hour}",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        room_id=room.id,
        track_id=track.id if track else None,
        cancelled=cancelled,
    )
    if published:
        session.published_at = utcnow()
        session.published_starts_at = start
        session.published_ends_at = start + timedelta(hours=1)
        session.published_room_id = room.id
        session.published_cancelled = cancelled
    session.speakers = list(speakers)
    db.session.add(session)
    db.session.commit()
    return session


@pytest.fixture
def programme(factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    hall = Room(event_id=event.id, name="Amphithéâtre", capacity=300)
    side = Room(event_id=event.id, name="Salle 2", capacity=30)
    track = Track(event_id=event.id, name_fr="Bioproduction", name_en="Bioprocessing")
    listed = Speaker(event_id=event.id, name="Claire Martin", consent_listed=True, bio_fr="CDMO")
    unlisted = Speaker(event_id=event.id, name="Paul Petit", consent_listed=False)
    db.session.add_all([hall, side, track, listed, unlisted])
    db.session.commit()
    sessions = {
        "public": _session(event, hall, [listed, unlisted], track=track),
        "draft": _session(event, side, [unlisted], published=False, hour=11),
        "cancelled": _session(event, hall, published=True, cancelled=True, hour=14),
    }
    return {
        "org": org,
        "event": event,
        "rooms": (hall, side),
        "speakers": (listed, unlisted),
        "sessions": sessions,
    }


def test_the_public_reads_the_published_programme_only(client, programme):
    event, sessions = programme["event"], programme["sessions"]
    hall, _side = programme["rooms"]
    listed, _unlisted = programme["speakers"]
    moved = sessions["public"]
    moved.starts_at += timedelta(hours=3)  # a draft change not published yet
    db.session.commit()
    base = f"/api/v1/public/events/{event.id}"
    shown = client.get(f"{base}/sessions").json["items"]
    # By modification time: the one changed last comes last.
    assert [s["id"] for s in shown] == [sessions["cancelled"].id, sessions["public"].id]
    first = shown[1]
    assert first["starts_at"].startswith(moved.published_starts_at.isoformat()[:16])
    assert first["speaker_ids"] == [listed.id]  # the unlisted speaker stays unnamed
    assert first["track"]["name"] == {"fr": "Bioproduction", "en": "Bioprocessing"}
    assert shown[0]["cancelled"] is True
    assert [r["id"] for r in client.get(f"{base}/rooms").json["items"]] == [hall.id]
    speakers = client.get(f"{base}/speakers").json["items"]
    assert [(s["name"], s["session_ids"]) for s in speakers] == [
        ("Claire Martin", [sessions["public"].id])
    ]
    assert "Paul Petit" not in client.get(f"{base}/sessions").get_data(as_text=True)


def test_a_draft_events_programme_is_not_public(client, factory, programme):
    draft = factory.event(organisers=[programme["org"]], status="draft")
    for path in ("sessions", "rooms", "speakers"):
        assert client.get(f"/api/v1/public/events/{draft.id}/{path}").status_code == 404


def test_organisers_read_the_draft_beside_the_published_schedule(factory, api_for, programme):
    event, sessions = programme["event"], programme["sessions"]
    org = programme["org"]
    api = api_for(factory.user(org), org, scopes=["events:read"])
    shown = {s["id"]: s for s in api.get(f"/api/v1/events/{event.id}/sessions").json["items"]}
    assert set(shown) == {s.id for s in sessions.values()}
    assert shown[sessions["draft"].id]["published"] is None
    assert shown[sessions["public"].id]["published"]["room_id"] == programme["rooms"][0].id
    assert len(shown[sessions["public"].id]["speaker_ids"]) == 2
    rooms = api.get(f"/api/v1/events/{event.id}/rooms").json["items"]
    assert len(rooms) == 2
    speakers = api.get(f"/api/v1/events/{event.id}/speakers").json["items"]
    assert {(s["name"], s["consent_listed"]) for s in speakers} == {
        ("Claire Martin", True),
        ("Paul Petit", False),
    }
    other = api_for(factory.user(org), org, scopes=["attendees:read"])
    assert other.get(f"/api/v1/events/{event.id}/sessions").status_code == 404


def test_a_page_of_sessions_or_speakers_costs_a_fixed_number_of_queries(client, programme):
    event = programme["event"]
    hall, _side = programme["rooms"]
    listed, _unlisted = programme["speakers"]
    base = f"/api/v1/public/events/{event.id}"

    def cost(path):
        with count_queries(db.engine) as queries:
            assert client.get(f"{base}/{path}").status_code == 200
        return len(queries)

    before = {path: cost(path) for path in ("sessions", "speakers")}
    for hour in range(15, 21):
        extra = Speaker(event_id=event.id, name=f"Speaker {hour}", consent_listed=True)
        db.session.add(extra)
        _session(event, hall, [listed, extra], hour=hour)
    assert {path: cost(path) for path in ("sessions", "speakers")} == before


@pytest.fixture
def invoices(factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    other_event = factory.event(organisers=[org])
    first = issued_invoice(org, event, factory.registration(event), reference="EV-API-0001")
    second = issued_invoice(
        org, other_event, factory.registration(other_event), reference="EV-API-0002"
    )
    with write_transaction():
        credit = issuing.issue_credit_note(db.session.get(IssuedDocument, first), 12000).id
    return {"org": org, "event": event, "ids": (first, second, credit)}


def test_the_organisations_invoices_and_credit_notes_with_filters(factory, api_for, invoices):
    org = invoices["org"]
    first, second, credit = invoices["ids"]
    api = api_for(factory.user(org), org, scopes=["invoices:read"])
    listed = api.get("/api/v1/invoices").json["items"]
    assert [d["id"] for d in listed] == [first, second, credit]  # in issue order
    notes = api.get("/api/v1/invoices", query_string={"status": "credit_notes"}).json["items"]
    assert [(d["kind"], d["corrects_id"]) for d in notes] == [("credit_note", first)]
    assert notes[0]["total_cents"] == 12000 and notes[0]["settled"] is True
    by_event = api.get("/api/v1/invoices", query_string={"event_id": invoices["event"].id})
    assert [d["id"] for d in by_event.json["items"]] == [first, credit]
    unpaid = api.get("/api/v1/invoices", query_string={"status": "unpaid"}).json["items"]
    assert {d["id"] for d in unpaid} == {first, second}
    later = (utcnow() + timedelta(days=2)).date().isoformat()
    assert api.get("/api/v1/invoices", query_string={"issued_from": later}).json["items"] == []
    page = api.get("/api/v1/invoices", query_string={"limit": 2}).json
    rest = api.get("/api/v1/invoices", query_string={"cursor": page["next_cursor"]}).json
    assert [d["id"] for d in page["items"] + rest["items"]] == [first, second, credit]
    one = api.get(f"/api/v1/invoices/{first}").json
    assert one["number"] == listed[0]["number"] and one["vat_breakdown"]
    pdf = api.get(one["pdf"].removeprefix("http://localhost"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    bad = api.get("/api/v1/invoices", query_string={"status": "everything"})
    assert bad.status_code == 422 and "status" in bad.json["errors"]["query"]


def test_invoices_need_their_scope_and_stay_the_organisations(factory, api_for, invoices):
    org = invoices["org"]
    first = invoices["ids"][0]
    narrow = api_for(factory.user(org), org, scopes=["payments:read"])
    assert narrow.get("/api/v1/invoices").status_code == 403
    assert narrow.get(f"/api/v1/invoices/{first}/pdf").status_code == 403
    other = factory.organisation()
    stranger = api_for(factory.user(other), other, scopes=["invoices:read"])
    assert stranger.get("/api/v1/invoices").json["items"] == []
    assert stranger.get(f"/api/v1/invoices/{first}").status_code == 404
    assert stranger.get(f"/api/v1/invoices/{first}/pdf").status_code == 404


def test_a_page_of_invoices_costs_a_fixed_number_of_queries(factory, api_for, invoices):
    org, event = invoices["org"], invoices["event"]
    api = api_for(factory.user(org), org, scopes=["invoices:read"])

    def cost():
        with count_queries(db.engine) as queries:
            assert api.get("/api/v1/invoices").status_code == 200
        return len(queries)

    cost()  # the token's first use is written once a minute: not a cost of the page
    before = cost()
    for n in range(3):
        issued_invoice(org, event, factory.registration(event), reference=f"EV-API-01{n}")
    assert cost() == before
