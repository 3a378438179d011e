"""Deny by default, walked over app.url_map: every endpoint declares its access rule
(eventapp.permissions.guard), and every declaration that needs a login is proven on every
method of its URL, for reads and writes:

- anonymous callers are sent to the login page (a 401 JSON error under /api/);
- a manager of another organisation gets 404 on every page of an event (its existence is not
  disclosed) and changes nothing;
- check-in staff get 404 on every page whose permission their role does not grant
  (ROLE_PERMISSIONS), 403 on organisation-level pages, and reach the others;
- the owners reach every page (the positive control: the 404s above are the permission check,
  not a wrong id).

Routes added later are covered without editing this file. URL parameters are filled with the
ids of a foreign event and its registration, mailing and upload.
"""

import itertools
import re

import pytest
from sqlalchemy import func, select
from werkzeug.routing.converters import AnyConverter, IntegerConverter

from eventapp.models import (
    Answer,
    AuditLog,
    Event,
    ImportUpload,
    Mailing,
    MembershipRole,
    OutboxMessage,
    Registration,
    User,
)
from eventapp.permissions import ROLE_PERMISSIONS, Perm
from eventapp.permissions.guard import AccessKind, declared
from tests.b2b.helpers import b2b_world
from tests.invoices.support import issued_invoice

EVENT_KINDS = (AccessKind.EVENT, AccessKind.TOUR, AccessKind.REGISTRATION)


def access_of(app, rule):
    return declared(app.view_functions[rule.endpoint])


def rules_where(app, condition):
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and condition(access_of(app, rule))
    ]
    return sorted(rules, key=lambda r: r.rule)


def organiser_rules(app):
    """Every endpoint that needs a signed-in actor (the workspace, its API, the account pages),
    found through the declarations. /api/v1 takes API tokens only (a session is not one): its
    walk, with tokens, is tests/security/test_api_v1.py."""
    rules = [
        rule
        for rule in rules_where(app, lambda access: access is not None and access.signed_in)
        if not rule.rule.startswith("/api/v1/")
    ]
    assert len(rules) > 30  # the enumeration found the workspace
    return rules


def _value_for(rule, name, ids):
    converter = rule._converters[name]
    key = name.lower()
    if "registration" in key or key in ("reg_id", "attendee_id"):
        return ids["registration"]
    if "mailing" in key:
        return ids["mailing"]
    if "upload" in key and "/programme/" in rule.rule:  # a programme file (issue 16)
        return ids.get("programme_upload", 0)
    if "upload" in key or "import" in key:
        return ids["upload"]
    if "question" in key:
        return ids.get("question", 0)
    if "document" in key:  # an invoice of the organisation (issue 15)
        return ids.get("document", 0)
    if "payment" in key:
        return ids.get("payment", 0)
    if key == "org_id":
        return ids.get("organisation", 0)
    if rule.rule.startswith("/organiser/events/") and key in PROGRAMME_IDS:
        return ids.get(PROGRAMME_IDS[key], 0)
    if key in ("endpoint_id", "delivery_id", "api_key_id"):  # the API settings (issue 17)
        return ids.get(key.removesuffix("_id"), 0)
    for part in ("meeting", "block", "table", "request", "run"):  # B2B (issue 18)
        if key == f"{part}_id":
            return ids.get(part, 0)
    if isinstance(converter, IntegerConverter):
        # A tour's stage pages need a tour; every other event page takes the congress.
        return ids.get("tour", ids["event"]) if "/stages" in rule.rule else ids["event"]
    # Strings (a ticket code, a token...): the foreign registration's ticket code.
    return ids["ticket"]


# The programme's sub-ids (issue 16): session, room, track, speaker of the event.
PROGRAMME_IDS = {
    "session_id": "session",
    "room_id": "room",
    "track_id": "track",
    "speaker_id": "speaker",
}


def urls_for(rule, ids):
    """Every URL of a rule with its parameters filled (each value of an any() converter)."""
    fixed = {}
    choices = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        if isinstance(converter, AnyConverter):
            choices[name] = sorted(converter.items)
        else:
            fixed[name] = _value_for(rule, name, ids)
    combos = itertools.product(*choices.values()) if choices else [()]
    for combo in combos:
        values = {**fixed, **dict(zip(choices, combo, strict=True))}
        yield rule.build(values, append_unknown=False)[1]


def methods_of(rule):
    return sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS"))


# Endpoints that end the caller's own sessions ("log out everywhere"): walked last, so the
# walk's other requests still run signed in.
ENDS_THE_SESSION = frozenset({"account.end_all_sessions"})


def requests_for(app, ids, rules=None):
    rules = rules if rules is not None else organiser_rules(app)
    rules = sorted(rules, key=lambda rule: rule.endpoint in ENDS_THE_SESSION)
    for rule in rules:
        for url in urls_for(rule, ids):
            for method in methods_of(rule):
                yield rule, method, url


@pytest.fixture
def foreign(factory, db):
    """Another organisation's event with registrations, a mailing and an upload, a tour with a
    stage, and that organisation's manager and check-in volunteer."""
    org = factory.organisation(name="BioValley France", short_name="BioValley")
    event = factory.event(
        organisers=[org], capacity=2, title_fr="Congrès secret BioValley", title_en="Secret"
    )
    confirmed = factory.registration(event, last_name="Secretname", status="confirmed")
    second = factory.registration(event, status="confirmed")
    factory.registration(event, status="waitlisted")
    factory.registration(event, status="cancelled")
    tour = factory.event(organisers=[org], kind="tour", capacity=None, title_fr="Tour secret")
    factory.event(organisers=[org], kind="stage", parent_id=tour.id, position=1)
    mailing = Mailing(event_id=event.id, subject="Infos pratiques", body="Bonjour", filters={})
    upload = ImportUpload(
        event_id=event.id, filename="people.csv", content=b"Nom;Prenom;E-mail\nA;B;a@b.org\n"
    )
    db.session.add_all([mailing, upload])
    db.session.commit()
    question = factory.question(event, "file", identifier="cv")
    db.session.add(
        Answer(
            question_id=question.id,
            booking_id=confirmed.booking_id,
            registration_id=confirmed.id,
            value="cv.pdf",
            file_name="cv.pdf",
            file_type="application/pdf",
            file_data=b"%PDF-1.4 secret",
        )
    )
    db.session.commit()
    document = issued_invoice(org, event, confirmed, reference="EV-FORE-IGN1")
    programme_ids = programme_rows(db, event, confirmed)
    api = _api_settings(org, factory.user(org, "owner"))
    b2b = b2b_world(event, [confirmed, second], extra=False)
    payment = payment_with_proof(db, event, second)  # confirmed's booking is invoiced
    return {
        "org": org,
        "event": event,
        "ids": {
            "document": document,
            **programme_ids,
            **api,
            **b2b,
            "question": question.id,
            "payment": payment.id,
            "organisation": org.id,
            "event": event.id,
            "tour": tour.id,
            "registration": confirmed.id,
            "mailing": mailing.id,
            "upload": upload.id,
            "ticket": confirmed.ticket_code,
        },
        "manager": factory.user(org, "manager"),
        "checkin": factory.user(org, "checkin"),
        "viewer": factory.user(org, "viewer"),
        "tour": tour,
    }


def programme_rows(db, event, person) -> dict:
    """A room, a track, a speaker with a photo and a published session the person attended
    (issue 16): the ids the programme's URLs take."""
    from eventapp.models import (
        ProgrammeSession,
        Room,
        SessionAttendance,
        Speaker,
        Track,
        utcnow,
    )

    room = Room(event_id=event.id, name="Salle secrète", capacity=10)
    track = Track(event_id=event.id, name_fr="Parcours", colour="blue")
    speaker = Speaker(event_id=event.id, name="Intervenant", photo_png=b"\x89PNG")
    db.session.add_all([room, track, speaker])
    db.session.flush()
    session = ProgrammeSession(
        event_id=event.id,
        kind="workshop",
        title_fr="Atelier",
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        room_id=room.id,
        published_at=utcnow(),
        published_starts_at=event.starts_at,
        published_ends_at=event.ends_at,
        published_room_id=room.id,
    )
    db.session.add(session)
    db.session.flush()
    db.session.add(SessionAttendance(session_id=session.id, registration_id=person.id))
    upload = ImportUpload(
        event_id=event.id,
        filename="programme.csv",
        content="Titre;Début;Fin\nAtelier;10/06/2026 09:00;10/06/2026 10:00\n".encode(),
        kind="programme",
    )
    db.session.add(upload)
    db.session.commit()
    return {
        "session": session.id,
        "room": room.id,
        "track": track.id,
        "speaker": speaker.id,
        "programme_upload": upload.id,
    }


def _api_settings(org, owner) -> dict:
    """An API token, a webhook endpoint and a delivery of the organisation (issue 17)."""
    from datetime import timedelta

    from eventapp.extensions import db
    from eventapp.models import utcnow
    from eventapp.services.api import tokens, webhooks

    token, _secret = tokens.create_token(
        org,
        owner,
        name="CRM",
        scopes=["events:read"],
        expires_on=(utcnow() + timedelta(days=9)).date(),
    )
    endpoint, _secret = webhooks.create_endpoint(
        org, url="https://crm.example.org/hook", event_types=["checkin.created"], user=owner
    )
    delivery = webhooks.send_test(endpoint)
    db.session.commit()
    return {"api_key": token.id, "endpoint": endpoint.id, "delivery": delivery.id}


def payment_with_proof(db, event, registration):
    """A booking payment awaiting approval, with an uploaded proof (a checked rate's)."""
    from eventapp.models import BookingPayment

    payment = BookingPayment(
        booking_id=registration.booking_id,
        event_id=event.id,
        state="awaiting_approval",
        bank_reference=f"T{registration.id:08d}",
        total_cents=9000,
        proof_name="carte.pdf",
        proof_type="application/pdf",
        proof_data=b"%PDF-1.4 secret card",
    )
    db.session.add(payment)
    db.session.commit()
    return payment


def _snapshot(db, event_id):
    db.session.rollback()
    event = db.session.get(Event, event_id, populate_existing=True)
    return {
        "event": (event.status, event.capacity, event.title_fr, event.starts_at),
        "registrations": sorted(
            db.session.execute(
                select(
                    Registration.id,
                    Registration.status,
                    Registration.last_name,
                    Registration.checked_in_at,
                ).where(Registration.event_id == event_id)
            ).all()
        ),
        "audit": db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.event_id == event_id)
        ),
        "outbox": db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.event_id == event_id)
        ),
        "mailings": db.session.scalar(
            select(func.count()).select_from(Mailing).where(Mailing.event_id == event_id)
        ),
        "uploads": db.session.execute(
            select(ImportUpload.id, ImportUpload.imported_at).where(
                ImportUpload.event_id == event_id
            )
        ).all(),
    }


def test_anonymous_users_are_sent_to_login_or_get_401_json(app, client, foreign):
    checked = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        response = client.open(url, method=method, buffered=True)
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, (method, url)
            assert response.is_json and response.json["error"]["code"] == 401
        else:
            assert response.status_code == 302, (method, url, response.status_code)
            assert "/auth/login" in response.headers["Location"], (method, url)
        checked += 1
    assert checked > 40


def test_a_manager_of_another_organisation_gets_404_and_changes_nothing(
    app, client, db, factory, foreign, login
):
    other = factory.user(factory.organisation(name="Eurobiomed"), "manager")
    login(other)
    before = _snapshot(db, foreign["event"].id)
    checked = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        response = client.open(
            url, method=method, data={"confirm": "y", "notify": "y"}, buffered=True
        )
        body = response.get_data(as_text=True)
        if access_of(app, rule).kind in EVENT_KINDS:
            assert response.status_code == 404, (method, url, response.status_code)
            checked += 1
        else:
            # Pages without an event in the URL (dashboard, new event, own password) answer,
            # but never show the foreign event.
            assert response.status_code < 500, (method, url)
        assert "Congrès secret BioValley" not in body, (method, url)
        assert "Secretname" not in body, (method, url)
    assert checked > 40
    assert _snapshot(db, foreign["event"].id) == before


def test_check_in_staff_reach_only_what_their_role_grants(app, client, db, foreign, login):
    login(foreign["checkin"])
    granted = ROLE_PERMISSIONS[MembershipRole.CHECKIN]
    before = _snapshot(db, foreign["event"].id)
    refused = reached = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        access = access_of(app, rule)
        if access.perm is None:
            continue  # any signed-in account: dashboard, own password
        if access.perm in granted:
            if method == "GET":
                if rule.endpoint == "organiser.badges_pdf":
                    # Staff print given people's badges (a whole list is the managers').
                    url += f"?id={foreign['ids']['registration']}"
                assert client.get(url, buffered=True).status_code == 200, url
                reached += 1
            continue
        response = client.open(url, method=method, data={"confirm": "y"}, buffered=True)
        expected = 403 if access.kind == AccessKind.ORGANISATIONS else 404
        assert response.status_code == expected, (method, url, response.status_code)
        refused += 1
    assert refused > 25 and reached >= 6
    assert _snapshot(db, foreign["event"].id) == before
    # ...and they see their events' counts on the dashboard and through the counts API.
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Congrès secret BioValley" in page
    event_id = foreign["event"].id
    assert f'href="/organiser/events/{event_id}"' not in page  # no link to a 404
    assert f'href="/organiser/events/{event_id}/checkin"' in page  # their desk instead
    response = client.get(f"/api/organiser/events/{foreign['event'].id}/counts")
    assert response.status_code == 200 and response.json["confirmed"] == 2


def test_owners_reach_every_page_with_these_ids(app, client, foreign, login):
    """Positive control: the URLs above are right, so the 404s are the permission check."""
    login(foreign["manager"])
    checked = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        if method != "GET" or access_of(app, rule).kind == AccessKind.ADMIN:
            continue  # administrators' pages: tests/registration/test_manage.py (dev outbox)
        if rule.endpoint == "account.landing":
            continue  # a redirect to where the work is (tests/organisations/test_landing.py)
        response = client.get(url, buffered=True)  # streamed exports are read in full
        assert response.status_code == 200, (url, response.status_code)
        checked += 1
        if response.mimetype == "text/html":
            # The CSP forbids inline styles, scripts and handlers: none in any page.
            body = response.get_data(as_text=True)
            assert " style=" not in body and "<script>" not in body, url
            assert not re.search(r"<[^>]+\son[a-z]+=", body), url
    assert checked > 25


def test_admins_see_every_event(client, factory, foreign, login):
    admin = factory.user(is_admin=True)
    login(admin)
    assert client.get(f"/organiser/events/{foreign['event'].id}").status_code == 200
    assert "Congrès secret BioValley" in client.get("/organiser/").get_data(as_text=True)


def test_a_deactivated_account_is_logged_out(client, db, factory, foreign, login):
    login(foreign["manager"])
    assert client.get("/organiser/").status_code == 200
    user = db.session.get(User, foreign["manager"].id)
    user.active = False
    db.session.commit()
    response = client.get("/organiser/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_viewers_read_lists_and_statistics_and_change_or_export_nothing(
    app, client, db, foreign, login
):
    login(foreign["viewer"])
    granted = ROLE_PERMISSIONS[MembershipRole.VIEWER]
    assert Perm.ATTENDEES_EXPORT not in granted and Perm.ATTENDEES_EDIT not in granted
    before = _snapshot(db, foreign["event"].id)
    refused = reached = 0
    for rule, method, url in requests_for(app, foreign["ids"]):
        access = access_of(app, rule)
        if access.perm is None:
            continue
        if access.perm in granted:
            if method == "GET":
                assert client.get(url, buffered=True).status_code == 200, url
                reached += 1
            continue
        response = client.open(url, method=method, data={"confirm": "y"}, buffered=True)
        expected = 403 if access.kind == AccessKind.ORGANISATIONS else 404
        assert response.status_code == expected, (method, url, response.status_code)
        refused += 1
    assert refused > 30 and reached >= 5
    assert _snapshot(db, foreign["event"].id) == before
    export = f"/organiser/events/{foreign['event'].id}/attendees/export.csv"
    assert client.get(export).status_code == 404


def test_admin_pages_refuse_every_other_account(app, client, factory, foreign, login):
    rules = rules_where(app, lambda access: access is not None and access.kind == AccessKind.ADMIN)
    assert len(rules) >= 2
    for who in ("manager", "checkin", "viewer"):
        client.post("/auth/logout")
        login(foreign[who])
        for _rule, method, url in requests_for(app, foreign["ids"], rules):
            assert client.open(url, method=method).status_code == 403, (who, method, url)
    client.post("/auth/logout")
    login(factory.user(is_admin=True))
    for rule, method, url in requests_for(app, foreign["ids"], rules):
        if method == "GET" and not rule.rule.startswith("/dev/"):  # /dev/: development only
            assert client.get(url).status_code == 200, url


def test_a_co_organiser_of_one_stage_sees_that_stage_and_nothing_of_the_others(
    app, client, db, factory, login
):
    """Medicen leads a tour; BioValley France is given the manager role on its Grand Est stage
    only: its managers reach every page of that stage and get 404 on the other stage, the
    tour's own pages (but its overview, which lists their stage) and every other event."""
    from eventapp.models import EventGrant

    medicen = factory.organisation(name="Medicen Paris Region")
    tour = factory.event(organisers=[medicen], kind="tour", capacity=None, title_fr="Tour")
    grand_est = factory.event(
        organisers=[medicen],
        kind="stage",
        parent_id=tour.id,
        position=1,
        title_fr="Étape Grand Est",
    )
    idf = factory.event(
        organisers=[medicen], kind="stage", parent_id=tour.id, position=2, title_fr="Étape IDF"
    )
    factory.registration(grand_est, last_name="Strasbourgeois")
    hidden = factory.registration(idf, last_name="Parisienne")
    biovalley = factory.organisation(name="BioValley France")
    db.session.add(EventGrant(event_id=grand_est.id, organisation_id=biovalley.id, role="manager"))
    db.session.commit()
    login(factory.user(biovalley, "manager"))

    def ids(event, person):
        return {
            "organisation": biovalley.id,
            "event": event.id,
            "tour": tour.id,
            "registration": person.id,
            "mailing": 0,
            "upload": 0,
            "question": 0,
            "ticket": person.ticket_code,
        }

    event_rules = [r for r in organiser_rules(app) if access_of(app, r).kind in EVENT_KINDS]
    stage_person = db.session.scalar(
        select(Registration).where(Registration.event_id == grand_est.id)
    )
    reached = refused = 0
    for rule, method, url in requests_for(app, ids(grand_est, stage_person), event_rules):
        sub_ids = ("mailing_id", "upload_id", "question_id", "meeting_id", "request_id", "run_id")
        if method != "GET" or any(
            f"<id:{name}>" in rule.rule for name in (*sub_ids, "payment_id", *PROGRAMME_IDS)
        ):
            continue
        if "/stages" in rule.rule:
            continue
        status = client.get(url, buffered=True).status_code
        if access_of(app, rule).perm == Perm.EVENT_TEAM:
            assert status == 404, url  # a co-organiser does not grant in turn
        else:
            assert status == 200, (url, status)
            reached += 1
    before = _snapshot(db, idf.id)
    for _rule, method, url in requests_for(app, ids(idf, hidden), event_rules):
        response = client.open(url, method=method, data={"confirm": "y"}, buffered=True)
        assert response.status_code == 404, (method, url, response.status_code)
        assert "parisienne" not in response.get_data(as_text=True).lower()
        refused += 1
    assert _snapshot(db, idf.id) == before
    assert reached > 15 and refused > 30
    dashboard = client.get("/organiser/").get_data(as_text=True)
    assert "Étape Grand Est" in dashboard and "Étape IDF" not in dashboard
    attendees = client.get(f"/organiser/events/{tour.id}/attendees").get_data(as_text=True)
    assert "STRASBOURGEOIS" in attendees and "parisienne" not in attendees.lower()
