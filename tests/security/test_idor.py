"""IDOR: ids and tokens that belong to someone else open nothing.

tests/security/test_permissions.py walks every endpoint that needs a login (found through the
guards' declarations) with another organisation's event (and its registration, mailing,
upload) as an outsider manager and as check-in staff. This file adds, driven by the same
declarations:
- an organiser's OWN event in the URL with another event's registration / mailing / upload ids
  (the event check passes: the sub-id must be checked against the event too), and ids of other
  events slipped into query strings and forms (stage filters, badge lists);
- check-in staff of another organisation on every organiser URL;
- the desk: a ticket, registration id or undo of event A used at event B's desk;
- every participant URL (/r/<token>/...) with a truncated, altered, foreign, cancelled, erased
  or expired token, and a manage form trying to reach another registration.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from eventapp.models import Answer, ImportUpload, Mailing, OutboxMessage, Registration, utcnow
from eventapp.permissions.guard import AccessKind
from tests.b2b.helpers import b2b_world
from tests.security.test_permissions import (
    _snapshot,
    methods_of,
    organiser_rules,
    payment_with_proof,
    programme_rows,
    requests_for,
    rules_where,
    urls_for,
)


def participant_paths(app, question_id: int = 1, b2b: dict | None = None):
    """Every participant URL, found through the manage-link declarations: (path after the
    token, its methods); a question's file is `question_id`'s, a B2B profile and request
    those of `b2b` (tests/b2b/helpers.b2b_world)."""
    rules = rules_where(app, lambda access: access.kind == AccessKind.MANAGE_LINK)
    assert len(rules) >= 7
    b2b = b2b or {}
    return [
        (
            rule.rule.removeprefix("/r/<token>")
            .replace("<id:question_id>", str(question_id))
            .replace("<id:participant_id>", str(b2b.get("participant", 1)))
            .replace("<id:request_id>", str(b2b.get("request", 1)))
            .replace("<verb>", "accept"),
            methods_of(rule),
        )
        for rule in rules
    ]


def _extras(db, event):
    mailing = Mailing(event_id=event.id, subject="Infos", body="Bonjour", filters={})
    upload = ImportUpload(
        event_id=event.id, filename="p.csv", content=b"Nom;Prenom;E-mail\nA;B;ab@example.org\n"
    )
    db.session.add_all([mailing, upload])
    db.session.commit()
    return mailing, upload


@pytest.fixture
def two_events(db, factory):
    """An organisation with two events of its own, and another organisation's event."""
    org = factory.organisation(name="Polepharma", short_name="Polepharma")
    mine = factory.event(organisers=[org], capacity=2, title_fr="Journées du Biotesting")
    sibling = factory.event(organisers=[org], capacity=2, title_fr="Assises régionales")
    foreign_org = factory.organisation(name="Eurobiomed", short_name="Eurobiomed")
    foreign = factory.event(organisers=[foreign_org], capacity=2, title_fr="Congrès Eurobiomed")
    people = {}
    for key, event in (("mine", mine), ("sibling", sibling), ("foreign", foreign)):
        people[key] = factory.registration(
            event, last_name=f"Person{key.title()}", email=f"{key}@example.org"
        )
        factory.registration(event, status="waitlisted", last_name=f"Waiting{key.title()}")
    extras = {key: _extras(db, e) for key, e in (("mine", mine), ("sibling", sibling))}
    extras["foreign"] = _extras(db, foreign)
    questions = {}
    for key, event in (("mine", mine), ("sibling", sibling), ("foreign", foreign)):
        question = factory.question(event, "file", identifier="cv")
        db.session.add(
            Answer(
                question_id=question.id,
                booking_id=people[key].booking_id,
                registration_id=people[key].id,
                value="cv.pdf",
                file_name="cv.pdf",
                file_type="application/pdf",
                file_data=b"%PDF-1.4 " + key.encode(),
            )
        )
        questions[key] = question
    db.session.commit()
    programmes = {
        key: programme_rows(db, event, people[key])
        for key, event in (("mine", mine), ("sibling", sibling), ("foreign", foreign))
    }
    b2b = {key: b2b_world(event, [people[key]]) for key, event in (("mine", mine),
           ("sibling", sibling), ("foreign", foreign))}  # fmt: skip
    payments = {
        key: payment_with_proof(db, event, people[key])
        for key, event in (("mine", mine), ("sibling", sibling), ("foreign", foreign))
    }
    return {
        "programmes": programmes,
        "b2b": b2b,
        "questions": questions,
        "payments": payments,
        "org": org,
        "foreign_org": foreign_org,
        "events": {"mine": mine, "sibling": sibling, "foreign": foreign},
        "people": people,
        "extras": extras,
        "manager": factory.user(org, "manager"),
    }


def _ids(world, event_key, other_key):
    """URL parameters: the event `event_key`, every sub-id from `other_key`."""
    person = world["people"][other_key]
    mailing, upload = world["extras"][other_key]
    return {
        **world["b2b"][other_key],
        "event": world["events"][event_key].id,
        "registration": person.id,
        "mailing": mailing.id,
        "upload": upload.id,
        "question": world["questions"][other_key].id,
        "payment": world["payments"][other_key].id,
        "ticket": person.ticket_code,
        **world["programmes"][other_key],
    }


def _rules_with_sub_ids(app):
    # The API settings' sub-ids (a token, a webhook endpoint) are the organisation's, not an
    # event's: tests/api/test_pages.py opens another organisation's with its own.
    return [
        rule
        for rule in organiser_rules(app)
        if len(rule.arguments - {"format"}) > 1 and not rule.endpoint.startswith("api_settings.")
    ]


def test_own_event_with_another_events_ids_is_404(app, client, db, factory, login, two_events):
    login(two_events["manager"])
    mine = two_events["events"]["mine"]
    # A desk name, so the desk's actions get as far as looking the registration up.
    client.post(f"/organiser/events/{mine.id}/checkin/desk", data={"desk": "Accueil"})
    rules = _rules_with_sub_ids(app)
    assert len(rules) >= 8
    snapshots = {k: _snapshot(db, e.id) for k, e in two_events["events"].items()}
    checked = 0
    for other in ("sibling", "foreign"):
        ids = _ids(two_events, "mine", other)
        for rule in rules:
            methods = sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))
            for url in urls_for(rule, ids):
                for method in methods:
                    response = client.open(
                        url,
                        method=method,
                        data={"confirm": "y", "notify": "y", "override_capacity": "y"},
                        headers={"Accept": "application/json"} if "checkin" in url else {},
                        buffered=True,
                    )
                    assert response.status_code == 404, (other, method, url, response.status_code)
                    checked += 1
    assert checked >= 20
    for key, event in two_events["events"].items():
        assert _snapshot(db, event.id) == snapshots[key], key
    # Control: with the event's own ids the same URLs answer. (An organisation's pages, such
    # as its invoices, have no event in the URL: tests/security/test_permissions.py walks them.)
    for rule in rules:
        if "GET" in rule.methods and "org_id" not in rule.arguments:
            for url in urls_for(rule, _ids(two_events, "mine", "mine")):
                assert client.get(url, buffered=True).status_code == 200, url


def test_other_events_ids_in_query_strings_and_forms_are_ignored(
    app, client, db, factory, login, two_events
):
    """Filters and lists that take ids (a tour's stage filter, the badge list, the mailing
    audience) only ever reach the event in the URL."""
    login(two_events["manager"])
    mine, foreign = two_events["events"]["mine"], two_events["events"]["foreign"]
    foreign_person = two_events["people"]["foreign"]
    base = f"/organiser/events/{mine.id}"
    for url, args in (
        (f"{base}/attendees", {"stage": foreign.id, "status": "all"}),
        (f"{base}/attendees/export.csv", {"stage": foreign.id, "status": "all"}),
        (f"{base}/checkin", {"q": "personforeign"}),
        (f"{base}/checkin/search", {"q": "personforeign"}),
    ):
        body = client.get(url, query_string=args, buffered=True).get_data(as_text=True)
        assert "PersonForeign" not in body and "foreign@example.org" not in body, url
        assert "WaitingForeign" not in body, url
    # A tour whose stage filter names another organisation's event.
    tour = factory.event(organisers=[two_events["org"]], kind="tour", capacity=None)
    factory.event(organisers=[two_events["org"]], kind="stage", parent_id=tour.id, position=1)
    for path in ("attendees", "attendees/export.csv", "attendees/export.xlsx"):
        response = client.get(
            f"/organiser/events/{tour.id}/{path}",
            query_string={"stage": foreign.id, "status": "all"},
            buffered=True,
        )
        assert response.status_code == 200
        assert b"PersonForeign" not in response.get_data(), path
    # Badges: the foreign registration's id in the list prints nothing of theirs.
    response = client.get(f"{base}/badges.pdf", query_string={"id": foreign_person.id})
    assert response.status_code == 302  # "no confirmed attendee matches"
    # A mailing whose filter names the foreign event reaches only this event's people.
    response = client.post(
        f"{base}/mailings/new",
        data={"subject": "S", "body": "B", "step": "send", "stage": foreign.id, "status": "all"},
    )
    assert response.status_code == 302
    sent_to = set(db.session.scalars(select(OutboxMessage.recipient)))
    own = set(
        db.session.scalars(select(Registration.email).where(Registration.event_id == mine.id))
    )
    assert "mine@example.org" in sent_to and sent_to <= own
    # A new event cannot be given to an organisation the user does not manage.
    start = utcnow() + timedelta(days=60)
    response = client.post(
        "/organiser/events/new",
        data={
            "kind": "congress",
            "title_fr": "Congrès détourné",
            "starts_at": start.strftime("%Y-%m-%dT09:00"),
            "ends_at": start.strftime("%Y-%m-%dT18:00"),
            "lead_id": str(two_events["foreign_org"].id),
        },
    )
    assert response.status_code == 400


def test_check_in_staff_of_another_organisation_reach_nothing(
    app, client, db, factory, login, two_events
):
    foreign = two_events["events"]["foreign"]
    login(factory.user(two_events["org"], "checkin"))
    before = _snapshot(db, foreign.id)
    checked = 0
    for rule, method, url in requests_for(app, _ids(two_events, "foreign", "foreign")):
        response = client.open(url, method=method, data={"confirm": "y"}, buffered=True)
        if rule.arguments:
            assert response.status_code in (403, 404), (method, url, response.status_code)
            checked += 1
        assert b"PersonForeign" not in response.get_data(), (method, url)
    assert checked > 30
    assert _snapshot(db, foreign.id) == before


JSON = {"Accept": "application/json"}


def test_a_ticket_of_event_a_at_event_b_desk_changes_nothing(client, db, factory, login):
    org = factory.organisation()
    event_a = factory.event(organisers=[org], title_fr="Congrès A")
    event_b = factory.event(organisers=[org], title_fr="Congrès B")
    outsider_event = factory.event(organisers=[factory.organisation()], title_fr="Secret C")
    ticket_a = factory.registration(event_a, last_name="Alpha")
    ticket_c = factory.registration(outsider_event, last_name="Charlie")
    login(factory.user(org, "checkin"))
    desk_b = f"/organiser/events/{event_b.id}/checkin"
    client.post(f"{desk_b}/desk", data={"desk": "Accueil B"})
    before = (
        _snapshot(db, event_a.id),
        _snapshot(db, event_b.id),
        _snapshot(db, outsider_event.id),
    )

    answer = client.post(f"{desk_b}/scan", data={"code": ticket_a.ticket_code}, headers=JSON)
    assert answer.status_code == 200
    assert answer.json["state"] == "other_event" and answer.json["title"] == "Autre événement"
    assert answer.json["registration_id"] is None  # not identified to this desk
    assert "Congrès A" in answer.json["details"]  # staff of both events may know which one
    assert "undo_url" not in answer.json and "badge_url" not in answer.json
    assert answer.json["counts"]["checked_in"] == 0

    # A ticket of an event the staff member cannot see: not even its title.
    answer = client.post(f"{desk_b}/scan", data={"code": ticket_c.ticket_code}, headers=JSON)
    assert answer.json["state"] == "other_event"
    assert "Secret C" not in answer.json["details"] and "Charlie" not in str(answer.json)

    # Ids of another event's registrations in the desk's URLs.
    for registration in (ticket_a, ticket_c):
        for suffix in ("", "/undo"):
            url = f"{desk_b}/registrations/{registration.id}{suffix}"
            assert client.post(url, headers=JSON).status_code == 404, url
            assert client.post(url).status_code == 404, url
    # Without JavaScript the desk page says the same.
    response = client.post(f"{desk_b}/scan", data={"code": ticket_a.ticket_code})
    page = html.unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert "Autre événement" in page and "Alpha" not in page
    # Search at B's desk never lists A's people.
    found = client.get(f"{desk_b}/search", query_string={"q": "alpha"}, headers=JSON).json
    assert found["results"] == []
    after = (_snapshot(db, event_a.id), _snapshot(db, event_b.id), _snapshot(db, outsider_event.id))
    assert after == before  # nobody checked in, no audit line
    db.session.expire_all()
    assert ticket_a.checked_in_at is None and ticket_c.checked_in_at is None


# --- participant links ----------------------------------------------------------------------


@pytest.fixture
def people(factory):
    event = factory.event(capacity=10, title_fr="Congrès France Bioproduction")
    other_event = factory.event(capacity=10, title_fr="Journées Thérapies Innovantes")
    alice = factory.registration(event, first_name="Alice", last_name="Aubert", email="a@ex.org")
    bruno = factory.registration(event, first_name="Bruno", last_name="Bernard", email="b@ex.org")
    factory.registration(other_event, first_name="Bruno", last_name="Bernard", email="b@ex.org")
    cancelled = factory.registration(
        event, first_name="Chloé", last_name="Cancel", status="cancelled", cancelled_at=utcnow()
    )
    past = factory.event(
        starts_at=utcnow() - timedelta(days=200), ends_at=utcnow() - timedelta(days=199)
    )
    expired = factory.registration(past, first_name="Emile", last_name="Expired")
    question = factory.question(event, "file", identifier="cv")
    for person in (alice, bruno):
        factory.db.session.add(
            Answer(
                question_id=question.id,
                booking_id=person.booking_id,
                registration_id=person.id,
                value="cv.pdf",
                file_name="cv.pdf",
                file_type="application/pdf",
                file_data=b"%PDF-1.4 " + person.first_name.encode(),
            )
        )
    factory.db.session.commit()
    b2b = b2b_world(event, [alice, bruno])
    return {
        "b2b": b2b,
        "question": question,
        "event": event,
        "alice": alice,
        "bruno": bruno,
        "cancelled": cancelled,
        "expired": expired,
    }


def _altered(token: str) -> list[str]:
    swapped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    altered = [
        token[:-1],
        token[:32],
        token[:20],
        token + "x",
        token + "A" * 21,  # too long for a token
        swapped,
        token.swapcase() if token.swapcase() != token else token[::-1],
        token[::-1],
        " " + token,
        token[:-1] + "%",
    ]
    return [bad for bad in altered if bad != token]


def test_altered_tokens_open_nothing(app, people):
    client = app.test_client()
    token = people["alice"].manage_token
    for bad in _altered(token):
        for path, methods in participant_paths(app):
            url = f"/r/{bad}{path}"
            for method in methods:
                response = client.open(url, method=method, data={"confirm": "y"})
                assert response.status_code == 404, (bad, path, method, response.status_code)
                assert (
                    b"Alice" not in response.get_data() and b"a@ex.org" not in response.get_data()
                )
    db_alice = people["alice"]
    assert db_alice.status == "confirmed"


def test_a_token_only_ever_shows_its_own_person(app, people):
    client = app.test_client()
    for me, them in (("alice", "bruno"), ("bruno", "alice")):
        token = people[me].manage_token
        for path, methods in participant_paths(app, people["question"].id, people["b2b"]):
            if "GET" not in methods:
                continue  # a button (B2B answers): walked by test_altered_tokens_open_nothing
            response = client.get(f"/r/{token}{path}")
            assert response.status_code == 200, (me, path)
            body = response.get_data()
            if path in ("/ticket.png", "/ticket.pdf") or path.startswith("/files/"):
                continue  # images and PDF: checked by their own tests
            text = body.decode("utf-8", errors="replace")
            if not path.startswith("/b2b"):  # the B2B pages show the other opted-in people's
                assert people[them].first_name not in text, (me, path)  # names, by design
            assert people[them].email not in text and people[them].manage_token not in text
            assert people[them].ticket_code not in text, (me, path)


def test_the_manage_form_cannot_reach_another_registration(app, db, people):
    alice, bruno = people["alice"], people["bruno"]
    response = app.test_client().post(
        f"/r/{alice.manage_token}",
        data={
            "first_name": "Alicia",
            "last_name": "Aubert",
            "organisation_name": "Sanofi",
            "category": "industrial",
            "region": "idf",
            # Fields that are not part of the form, aimed at someone else:
            "id": bruno.id,
            "registration_id": bruno.id,
            "event_id": people["expired"].event_id,
            "email": bruno.email,
            "manage_token": bruno.manage_token,
            "status": "cancelled",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (alice.first_name, alice.email, alice.status) == ("Alicia", "a@ex.org", "confirmed")
    assert alice.event_id == people["event"].id
    assert alice.manage_token != bruno.manage_token
    assert (bruno.first_name, bruno.status) == ("Bruno", "confirmed")


def test_cancelled_erased_and_expired_tokens(app, db, people):
    client = app.test_client()
    # Cancelled: still shows its own (cancelled) registration, but no ticket and no new change.
    token = people["cancelled"].manage_token
    assert client.get(f"/r/{token}").status_code == 200
    assert client.get(f"/r/{token}/cancel").status_code == 302  # "already cancelled"
    assert client.post(f"/r/{token}/cancel").status_code == 302
    for path in ("/ticket.png", "/ticket.pdf"):
        assert client.get(f"/r/{token}{path}").status_code == 410, path
    response = client.post(
        f"/r/{token}", data={"first_name": "X", "last_name": "Y", "category": "biotech"}
    )
    assert response.status_code == 409
    db.session.expire_all()
    assert people["cancelled"].first_name == "Chloé"
    # Expired (30 days after the event): 410 everywhere, nothing shown.
    token = people["expired"].manage_token
    for path, methods in participant_paths(app, people["question"].id, people["b2b"]):
        if "GET" not in methods:
            continue
        response = client.get(f"/r/{token}{path}")
        assert response.status_code == 410, path
        assert b"Emile" not in response.get_data(), path
    # Erased: the old link opens nothing.
    alice = people["alice"]
    old = alice.manage_token
    response = client.post(f"/r/{old}/erase", data={"scope": "this", "confirm": "y"})
    assert response.status_code == 302
    for path, methods in participant_paths(app, people["question"].id, people["b2b"]):
        if "GET" not in methods:
            continue
        response = client.get(f"/r/{old}{path}")
        assert response.status_code == 404, path
        assert b"Alice" not in response.get_data()
