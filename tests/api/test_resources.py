"""The /api/v1 resources: public reads, the organiser's events and attendees through the same
services as the pages (seat rule, e-mails, audit), check-in and its undo, payments and
mailings, cursor pages, modified_since, ETags, errors as problems."""

from datetime import timedelta

from sqlalchemy import func, select

from eventapp.extensions import db
from eventapp.models import Answer, AuditLog, Event, Registration, utcnow
from tests.support.queries import count_queries

PERSON = {
    "first_name": "Lucie",
    "last_name": "Bernard",
    "email": "lucie.bernard@example.org",
    "category": "academic",
    "organisation_name": "Inserm",
}


def test_public_reads_show_published_events_tours_and_availability(client, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=3)
    factory.registration(event)
    draft = factory.event(organisers=[org], status="draft")
    tour = factory.event(organisers=[org], kind="tour")
    stage = factory.event(kind="stage", parent_id=tour.id, position=1)
    listed = client.get("/api/v1/public/events").json["items"]
    assert {e["id"] for e in listed} == {event.id, tour.id, stage.id}
    assert client.get(f"/api/v1/public/events/{draft.id}").status_code == 404
    seats = client.get(f"/api/v1/public/events/{event.id}/availability").json
    assert (seats["confirmed"], seats["free_seats"]) == (1, 2)
    shown = client.get(f"/api/v1/public/tours/{tour.id}").json
    assert [s["id"] for s in shown["stages"]] == [stage.id]
    assert client.get(f"/api/v1/public/tours/{event.id}").status_code == 404


def test_reads_carry_an_etag_and_answer_304_when_unchanged(client, factory):
    event = factory.event(organisers=[factory.organisation()])
    first = client.get(f"/api/v1/public/events/{event.id}")
    etag = first.headers["ETag"]
    again = client.get(f"/api/v1/public/events/{event.id}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and not again.data
    event.city = "Strasbourg"
    db.session.commit()
    changed = client.get(f"/api/v1/public/events/{event.id}", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.json["city"] == "Strasbourg"


def test_pages_hold_at_most_100_items_with_a_cursor(client, factory):
    org = factory.organisation()
    ids = [factory.event(organisers=[org]).id for _ in range(5)]
    seen, cursor = [], None
    while True:
        url = "/api/v1/public/events?limit=2" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).json
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids)
    assert client.get("/api/v1/public/events?limit=101").status_code == 422
    bad = client.get("/api/v1/public/events?cursor=nonsense")
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"


def test_attendees_sync_incrementally_with_modified_since(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    people = [factory.registration(event) for _ in range(5)]
    api = api_for(factory.user(org), org, scopes=["attendees:read"])
    seen, cursor = [], None
    while True:
        url = f"/api/v1/events/{event.id}/attendees?limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = api.get(url).json
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(p["id"] for p in seen) == sorted(p.id for p in people)
    mark = max(p["updated_at"] for p in seen)
    people[2].job_title = "Directrice"
    people[2].updated_at = utcnow() + timedelta(seconds=1)
    db.session.commit()
    changed = api.get(
        f"/api/v1/events/{event.id}/attendees", query_string={"modified_since": mark}
    ).json["items"]
    assert people[2].id in [p["id"] for p in changed]
    assert len(changed) < len(people)


def test_the_attendee_list_has_the_lists_filters(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    here = factory.registration(event, category="academic", checked_in_at=utcnow())
    waiting = factory.registration(event, status="waitlisted")
    gone = factory.registration(event, status="cancelled")
    api = api_for(factory.user(org), org, scopes=["attendees:read"])
    url = f"/api/v1/events/{event.id}/attendees"

    def ids(**query):
        return {p["id"] for p in api.get(url, query_string=query).json["items"]}

    assert ids() == {here.id, waiting.id, gone.id}
    assert ids(status="live") == {here.id, waiting.id}
    assert ids(status="waitlisted") == {waiting.id}
    assert ids(category="academic") == {here.id}
    assert ids(checked_in="yes") == {here.id}
    assert api.get(url, query_string={"status": "nope"}).status_code == 422


def test_the_attendee_list_costs_the_same_queries_for_10_or_50(app, api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    question = factory.question(event)
    api = api_for(factory.user(org), org, scopes=["attendees:read"])
    api.get(f"/api/v1/events/{event.id}/attendees")  # the token's last use is written once
    counts = []
    for n in (10, 50):
        for _ in range(n - (10 if n == 50 else 0)):
            person = factory.registration(event)
            db.session.add(
                Answer(
                    registration_id=person.id,
                    booking_id=person.booking_id,
                    question_id=question.id,
                    value="x",
                )
            )
        db.session.commit()
        with count_queries(db.engine) as queries:
            items = api.get(f"/api/v1/events/{event.id}/attendees?limit=100").json["items"]
        assert len(items) == n and items[0]["answers"] == {question.identifier: "x"}
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_registering_goes_through_the_seat_rule_and_is_logged(api_for, factory, mail_outbox):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=1)
    user = factory.user(org)
    api = api_for(user, org, scopes=["attendees:write"])
    url = f"/api/v1/events/{event.id}/attendees"
    first = api.post(url, json=PERSON)
    assert first.status_code == 201 and first.json["status"] == "confirmed"
    second = api.post(url, json={**PERSON, "email": "autre@example.org"})
    assert second.status_code == 201 and second.json["status"] == "waitlisted"
    again = api.post(url, json=PERSON)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]
    over = api.post(url, json={**PERSON, "email": "vip@example.org", "override_capacity": True})
    assert over.json["status"] == "confirmed"
    logged = db.session.scalars(
        select(AuditLog).where(AuditLog.action == "registration.created")
    ).all()
    assert len(logged) == 3 and {entry.user_id for entry in logged} == {user.id}


def test_update_cancel_and_move_use_the_services(api_for, factory):
    org = factory.organisation()
    event, other = factory.event(organisers=[org], capacity=1), factory.event(organisers=[org])
    person = factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    api = api_for(factory.user(org), org, scopes=["attendees:write", "attendees:read"])
    base = f"/api/v1/events/{event.id}/attendees"
    fixed = api.patch(f"{base}/{person.id}", json={"job_title": "Directrice"})
    assert fixed.status_code == 200 and fixed.json["job_title"] == "Directrice"
    moved = api.post(f"{base}/{person.id}/move", json={"to_event_id": other.id})
    assert moved.status_code == 200 and moved.json["moved_to"]["event_id"] == other.id
    db.session.expire_all()
    assert db.session.get(Registration, person.id).status == "cancelled"
    assert db.session.get(Registration, waiting.id).offered_at is not None  # offered the seat
    new_id = moved.json["moved_to"]["id"]
    cancelled = api.post(f"/api/v1/events/{other.id}/attendees/{new_id}/cancel", json={})
    assert cancelled.status_code == 200 and cancelled.json["status"] == "cancelled"
    again = api.post(f"{base}/{person.id}/move", json={"to_event_id": other.id})
    assert again.status_code == 409 and again.json["code"] == "registration.not_live"


def test_check_in_and_undo(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    person = factory.registration(event)
    waiting = factory.registration(event, status="waitlisted")
    api = api_for(factory.user(org, "checkin"), org, scopes=["checkin:write"])
    url = f"/api/v1/events/{event.id}/checkins"
    done = api.post(url, json={"ticket_code": person.ticket_code})
    assert done.json["state"] == "checked_in" and done.json["admitted"]
    assert api.post(url, json={"registration_id": person.id}).json["state"] == "already"
    assert api.post(url, json={"registration_id": waiting.id}).json["state"] == "waitlisted"
    assert api.post(url, json={"ticket_code": "NOPE"}).json["state"] == "unknown"
    assert api.post(url, json={}).status_code == 422
    undone = api.delete(f"{url}/{person.id}")
    assert undone.json["state"] == "undone"
    assert api.delete(f"{url}/{person.id}").json["state"] == "not_checked_in"


def test_events_create_update_and_publish(api_for, factory):
    org = factory.organisation()
    api = api_for(factory.user(org, "manager"), org, scopes=["events:write", "events:read"])
    body = {
        "title_fr": "Journée bioproduction",
        "starts_at": (utcnow() + timedelta(days=30)).isoformat(),
        "ends_at": (utcnow() + timedelta(days=30, hours=8)).isoformat(),
        "capacity": 80,
    }
    created = api.post("/api/v1/events", json=body)
    assert created.status_code == 201 and created.json["status"] == "draft"
    event_id = created.json["id"]
    patched = api.patch(f"/api/v1/events/{event_id}", json={"city": "Lyon", "capacity": 90})
    assert patched.status_code == 200 and patched.json["city"] == "Lyon"
    assert patched.json["capacity"] == 90
    published = api.post(f"/api/v1/events/{event_id}/publish")
    assert published.status_code == 200 and published.json["status"] == "published"
    twice = api.post(f"/api/v1/events/{event_id}/publish")
    assert twice.status_code == 409 and twice.mimetype == "application/problem+json"
    wrong = api.patch(f"/api/v1/events/{event_id}", json={"ends_at": body["starts_at"][:10]})
    assert wrong.status_code == 422


def test_payments_and_mailings_read(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org, scopes=["payments:read", "mailings:read"])
    assert api.get(f"/api/v1/events/{event.id}/payments").json == {"items": [], "next_cursor": None}
    assert api.get(f"/api/v1/events/{event.id}/mailings").json == {"items": [], "next_cursor": None}
    reader = api_for(factory.user(org), org, scopes=["mailings:read"])
    assert reader.get(f"/api/v1/events/{event.id}/payments").status_code == 404


def test_bad_bodies_get_a_translated_problem_never_a_500(api_for, factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    api = api_for(factory.user(org), org)
    url = f"/api/v1/events/{event.id}/attendees"
    cases = [
        api.post(url, data="{not json", headers={"Content-Type": "application/json"}),
        api.post(url, data="plain", headers={"Content-Type": "text/plain"}),
        api.post(url, json=[1, 2]),
        api.post(url, json={**PERSON, "email": "nope"}),
        api.post(url, json={**PERSON, "category": "x" * 300}),
        api.post(url, json={**PERSON, "first_name": 12}),
        api.post(url, json={**PERSON, "surprise": 1}),
        api.post(url, json={**PERSON, "first_name": "x" * 500}),
    ]
    for response in cases:
        assert 400 <= response.status_code < 500, response.data
        assert response.mimetype == "application/problem+json"
    missing = api.post(url, json={"first_name": "A"}).json
    assert missing["errors"]["json"]["last_name"] == ["Ce champ est obligatoire."]
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
