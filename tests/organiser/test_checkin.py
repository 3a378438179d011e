"""The check-in desk: scan or type a code, search by name, undo, walk-ins, counts, permissions,
CSRF on the JSON calls, and the plain-form path without JavaScript."""

import re

import pytest
from sqlalchemy import select

from eventapp import create_app
from eventapp.extensions import db
from eventapp.models import AuditLog, Registration
from eventapp.services import checkin, tickets
from tests.support.apps import DbAwareClient, make_config

JSON = {"Accept": "application/json"}


@pytest.fixture
def org(factory):
    return factory.organisation(short_name="Medicen")


@pytest.fixture
def event(factory, org):
    return factory.event(organisers=[org], title_fr="Congrès France Bioproduction", slug="cfb")


@pytest.fixture
def staff(factory, org):
    return factory.user(org, role="checkin", name="Accueil Medicen")


@pytest.fixture
def desk(client, login, staff, event):
    """The staff member logged in, at "Desk 1"."""
    login(staff)
    response = client.post(f"/organiser/events/{event.id}/checkin/desk", data={"desk": "Desk 1"})
    assert response.status_code == 302
    return "Desk 1"


def scan(client, event, code, **kw):
    return client.post(
        f"/organiser/events/{event.id}/checkin/scan", data={"code": code}, headers=JSON, **kw
    )


def fresh(registration) -> Registration:
    db.session.rollback()
    return db.session.get(Registration, registration.id)


# --- the page --------------------------------------------------------------------------------


def test_desk_page_asks_for_the_desk_name_first(client, login, staff, event):
    login(staff)
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    assert "À quel poste êtes-vous" in page
    assert "data-scan-url" not in page
    client.post(f"/organiser/events/{event.id}/checkin/desk", data={"desk": "  Entrée   Nord "})
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    assert "Poste :" in page and "<strong>Entrée Nord</strong>" in page
    assert "data-scan-url" in page
    assert '<meta name="csrf-token"' in page


def test_desk_name_is_required_and_bounded(client, login, staff, event):
    login(staff)
    response = client.post(
        f"/organiser/events/{event.id}/checkin/desk", data={"desk": "x" * 41}, follow_redirects=True
    )
    assert "40 caractères au plus" in response.get_data(as_text=True)


def test_scanning_before_choosing_a_desk_is_refused(client, login, staff, factory, event):
    registration = factory.registration(event)
    login(staff)
    response = scan(client, event, tickets.payload(registration))
    assert response.status_code == 409
    assert "nom de votre poste" in response.json["error"]["message"]
    assert fresh(registration).checked_in_at is None


def test_desk_page_has_no_inline_script_style_or_handler(client, desk, event):
    page = client.get(f"/organiser/events/{event.id}/checkin?q=mar").get_data(as_text=True)
    assert "<script>" not in page
    assert re.search(r"<script(?![^>]*\bsrc=)", page) is None
    assert " style=" not in page and " onclick=" not in page and " onsubmit=" not in page


# --- checking in -----------------------------------------------------------------------------


def test_scanned_ticket_checks_in_with_desk_and_staff_member(client, desk, staff, factory, event):
    registration = factory.registration(
        event, first_name="Camille", last_name="Martin", organisation_name="Sanofi"
    )
    response = scan(client, event, tickets.payload(registration))
    assert response.status_code == 200
    body = response.json
    assert body["state"] == "checked_in" and body["tone"] == "ok"
    assert body["title"] == "Entrée validée — Camille MARTIN, Sanofi"
    assert body["counts"]["checked_in"] == 1 and body["counts"]["confirmed"] == 1
    assert body["counts"]["text"] == "Présents : 1 sur 1 confirmé"
    assert body["undo_url"].endswith(f"/checkin/registrations/{registration.id}/undo")
    saved = fresh(registration)
    assert saved.checked_in_at is not None
    assert saved.checkin_desk == "Desk 1"
    assert saved.checked_in_by_id == staff.id
    log = db.session.scalars(select(AuditLog).where(AuditLog.action == "registration.checked_in"))
    assert [(e.registration_id, e.user_id, e.details["desk"]) for e in log] == [
        (registration.id, staff.id, "Desk 1")
    ]


def test_second_scan_says_already_checked_in_at_what_time_by_which_desk(
    client, desk, factory, event
):
    registration = factory.registration(event, first_name="Camille", last_name="Martin")
    assert scan(client, event, tickets.payload(registration)).json["state"] == "checked_in"
    first_time = fresh(registration).checked_in_at
    body = scan(client, event, tickets.payload(registration)).json
    assert body["state"] == "already" and body["tone"] == "warn"
    assert re.fullmatch(
        r"Entrée déjà validée à \d\d:\d\d par Desk 1 \(Accueil Medicen\)", body["title"]
    )
    assert "Camille MARTIN" in body["details"]
    assert fresh(registration).checked_in_at == first_time
    assert body["counts"]["checked_in"] == 1


def test_typed_code_with_spaces_checks_in(client, desk, factory, event):
    registration = factory.registration(event)
    typed = tickets.display_code(registration.ticket_code)
    assert scan(client, event, typed).json["state"] == "checked_in"


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [
        ("cancelled", "cancelled", "Inscription annulée"),
        ("waitlisted", "waitlisted", "Liste d’attente"),
        ("pending", "pending", "Non confirmée"),
    ],
)
def test_refused_registrations_say_why(client, desk, factory, event, status, state, words):
    registration = factory.registration(event, status=status)
    body = scan(client, event, tickets.payload(registration)).json
    assert body["state"] == state and body["tone"] == "stop"
    assert body["title"] == words
    assert "undo_url" not in body
    assert fresh(registration).checked_in_at is None


def test_ticket_of_another_event_names_it_only_to_staff_who_may_see_it(
    client, desk, factory, org, event
):
    sister = factory.event(organisers=[org], title_fr="Journées du Biotesting")
    foreign = factory.event(organisers=[factory.organisation()], title_fr="Secret")
    mine = factory.registration(sister)
    theirs = factory.registration(foreign)
    body = scan(client, event, tickets.payload(mine)).json
    assert body["state"] == "other_event" and body["title"] == "Autre événement"
    assert "Journées du Biotesting" in body["details"]
    body = scan(client, event, tickets.payload(theirs)).json
    assert body["state"] == "other_event"
    assert "Secret" not in body["details"]
    assert fresh(mine).checked_in_at is None and fresh(theirs).checked_in_at is None


@pytest.mark.parametrize("code", ["nothing-like-a-ticket", "https://example.org/x", "AAAA BBBB"])
def test_unknown_code(client, desk, factory, event, code):
    factory.registration(event)
    body = scan(client, event, code).json
    assert body["state"] == "unknown" and body["title"] == "Code inconnu"


def test_forged_signature_is_an_unknown_code(client, desk, factory, event):
    registration = factory.registration(event)
    forged = registration.ticket_code + ".AAAAAAAAAAAAAAAA"
    assert scan(client, event, forged).json["state"] == "unknown"
    assert fresh(registration).checked_in_at is None


def test_empty_code_is_a_400_with_a_message(client, desk, event):
    response = scan(client, event, "   ")
    assert response.status_code == 400
    assert "Saisissez ou scannez" in response.json["error"]["message"]


def test_without_javascript_the_result_is_shown_on_the_desk_page_once(client, desk, factory, event):
    registration = factory.registration(
        event, first_name="Inès", last_name="Dubois", organisation_name="Genopole"
    )
    response = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": tickets.payload(registration)},
    )
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "result-ok" in page and "Entrée validée — Inès DUBOIS, Genopole" in page
    assert "Annuler cette entrée" in page
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    assert "Entrée validée — Inès DUBOIS" not in page


def test_check_in_someone_found_by_search(client, desk, factory, event):
    registration = factory.registration(event)
    response = client.post(
        f"/organiser/events/{event.id}/checkin/registrations/{registration.id}", headers=JSON
    )
    assert response.json["state"] == "checked_in"
    other = factory.registration(factory.event(organisers=[factory.organisation()]))
    response = client.post(
        f"/organiser/events/{event.id}/checkin/registrations/{other.id}", headers=JSON
    )
    assert response.status_code == 404
    assert fresh(other).checked_in_at is None


def test_undo_a_check_in_is_logged(client, desk, staff, factory, event):
    registration = factory.registration(event, first_name="Camille", last_name="Martin")
    scan(client, event, tickets.payload(registration))
    url = f"/organiser/events/{event.id}/checkin/registrations/{registration.id}/undo"
    body = client.post(url, headers=JSON).json
    assert body["state"] == "undone" and body["title"] == "Entrée annulée"
    assert body["counts"]["checked_in"] == 0
    saved = fresh(registration)
    assert saved.checked_in_at is None and saved.checkin_desk is None
    assert saved.checked_in_by_id is None
    entry = db.session.scalar(
        select(AuditLog).where(AuditLog.action == "registration.checkin_undone")
    )
    assert entry.user_id == staff.id and entry.registration_id == registration.id
    assert entry.details["desk"] == "Desk 1" and entry.details["checked_in_at"]
    assert client.post(url, headers=JSON).json["state"] == "not_checked_in"
    # ...and the person can be checked in again.
    assert scan(client, event, tickets.payload(registration)).json["state"] == "checked_in"


# --- search and counts -----------------------------------------------------------------------


def _search(client, event, query):
    response = client.get(f"/organiser/events/{event.id}/checkin/search", query_string={"q": query})
    assert response.status_code == 200
    return response.json


def test_search_ignores_accents_and_case_and_stays_in_the_event(client, desk, factory, event):
    elodie = factory.registration(
        event, first_name="Élodie", last_name="Lefèvre", organisation_name="Sanofi"
    )
    francois = factory.registration(
        event, first_name="François", last_name="Œuvray", organisation_name="Yposkesi"
    )
    factory.registration(event, first_name="Jean", last_name="Dupont", organisation_name="Pfizer")
    other_event = factory.event(organisers=[factory.organisation()])
    factory.registration(other_event, first_name="Élodie", last_name="Autre")

    def names(query):
        return [r["name"] for r in _search(client, event, query)["results"]]

    assert names("elodie") == ["Élodie LEFÈVRE"]
    assert names("LEFEVRE sanofi") == ["Élodie LEFÈVRE"]
    assert names("francois") == ["François ŒUVRAY"]
    assert names("oeuvray") == ["François ŒUVRAY"]
    assert names("yposk") == ["François ŒUVRAY"]
    assert names("zzz") == []
    assert _search(client, event, "zzz")["message"] == "Personne ne correspond à « zzz »."
    assert _search(client, event, "e")["message"] == "Tapez au moins deux lettres."
    first = _search(client, event, "elodie")["results"][0]
    assert first["id"] == elodie.id and first["status"] == "confirmed"
    assert first["checked_in"] is False
    assert francois.id in [r["id"] for r in _search(client, event, "FRANÇOIS")["results"]]
    factory.registration(event, first_name="Maëlle", last_name="N’Guessan")
    assert names("n'guessan") == ["Maëlle N’GUESSAN"]
    assert names("100%") == [] and names("a_b") == []  # no SQL wildcards


def test_search_shows_who_is_checked_in_where_and_lists_every_status(client, desk, factory, event):
    here = factory.registration(event, first_name="Paul", last_name="Martin")
    factory.registration(event, first_name="Pauline", last_name="Martin", status="cancelled")
    scan(client, event, tickets.payload(here))
    results = _search(client, event, "martin")["results"]
    by_name = {r["name"]: r for r in results}
    assert by_name["Paul MARTIN"]["checked_in"] is True
    assert re.fullmatch(
        r"Entrée validée à \d\d:\d\d par Desk 1", by_name["Paul MARTIN"]["checked_in_text"]
    )
    assert by_name["Pauline MARTIN"]["status_label"] == "Annulée"


def test_last_names_starting_with_the_query_come_first(client, desk, factory, event):
    factory.registration(event, first_name="Marc", last_name="Abel", organisation_name="Martinet")
    factory.registration(event, first_name="Anne", last_name="Martin")
    assert [r["name"] for r in _search(client, event, "mart")["results"]] == [
        "Anne MARTIN",
        "Marc ABEL",
    ]


def test_search_is_limited_and_says_there_are_more(client, desk, factory, event):
    for n in range(checkin.SEARCH_LIMIT + 3):
        factory.registration(event, first_name="Lou", last_name=f"Bernard{n:02d}")
    body = _search(client, event, "bernard")
    assert len(body["results"]) == checkin.SEARCH_LIMIT and body["more"] is True


def test_search_runs_a_fixed_number_of_queries(client, desk, staff, factory, event, query_counter):
    def measure(count):
        for n in range(count):
            registration = factory.registration(event, first_name="Zoé", last_name=f"Roux{n}")
            scan(client, event, tickets.payload(registration))
        db.session.commit()
        with query_counter() as queries:
            assert len(_search(client, event, "roux")["results"]) >= count
        return len(queries)

    few = measure(2)
    many = measure(12)
    assert few == many


def test_search_without_javascript_lists_people_with_buttons(client, desk, factory, event):
    factory.registration(event, first_name="Hélène", last_name="Dupont")
    page = client.get(f"/organiser/events/{event.id}/checkin?q=helene").get_data(as_text=True)
    assert "Hélène DUPONT" in page and "Valider l’entrée" in page
    page = client.get(f"/organiser/events/{event.id}/checkin?q=h").get_data(as_text=True)
    assert "Tapez au moins deux lettres." in page


def test_counts_endpoint(client, desk, factory, event):
    factory.registration(event, checked_in_at=None)
    registration = factory.registration(event)
    factory.registration(event, status="waitlisted")
    scan(client, event, tickets.payload(registration))
    response = client.get(f"/organiser/events/{event.id}/checkin/counts")
    assert response.json["checked_in"] == 1 and response.json["confirmed"] == 2
    assert response.headers["Cache-Control"] == "no-store"


# --- walk-ins --------------------------------------------------------------------------------


def walk_in_data(**kw):
    data = {
        "first_name": "Maëlle",
        "last_name": "N'Guessan",
        "email": "maelle.nguessan@example.org",
        "organisation_name": "Institut Pasteur",
        "category": "academic",
        "language": "fr",
        "consent": "y",
    }
    data.update(kw)
    return data


def test_walk_in_is_registered_and_checked_in_in_one_step(client, desk, staff, event, mail_outbox):
    response = client.post(f"/organiser/events/{event.id}/checkin/walk-in", data=walk_in_data())
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Entrée validée — Maëlle N&#39;GUESSAN, Institut Pasteur" in page
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert registration.source == "walk_in" and registration.status == "confirmed"
    assert registration.checked_in_at is not None and registration.checkin_desk == "Desk 1"
    assert registration.consent_at is not None
    created = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.created"))
    assert created.user_id == staff.id and created.details["source"] == "walk_in"
    assert created.details["capacity_override"] is False
    assert [m.to for m in mail_outbox] == [["maelle.nguessan@example.org"]]
    assert {a[0] for a in mail_outbox[0].attachments} >= {"ticket-cfb.png", "ticket-cfb.pdf"}


def test_walk_in_names_are_kept_on_one_line(client, desk, event):
    data = walk_in_data(first_name="Maëlle\r\nBcc: x", organisation_name="Institut\tPasteur")
    response = client.post(f"/organiser/events/{event.id}/checkin/walk-in", data=data)
    assert response.status_code == 302
    db.session.rollback()
    registration = db.session.scalar(select(Registration))
    assert (registration.first_name, registration.organisation_name) == (
        "Maëlle Bcc: x",
        "Institut Pasteur",
    )


def test_walk_in_on_a_full_event_is_refused_without_override(
    client, desk, factory, org, mail_outbox
):
    full = factory.event(organisers=[org], capacity=1)
    factory.registration(full)
    client.post(f"/organiser/events/{full.id}/checkin/desk", data={"desk": "Desk 1"})
    response = client.post(f"/organiser/events/{full.id}/checkin/walk-in", data=walk_in_data())
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "L’événement est complet" in page
    assert 'value="maelle.nguessan@example.org"' in page  # nothing typed is lost
    db.session.rollback()
    assert db.session.scalar(select(Registration).where(Registration.source == "walk_in")) is None
    assert mail_outbox == []


def test_walk_in_over_capacity_when_ticked_is_logged(client, desk, staff, factory, org):
    full = factory.event(organisers=[org], capacity=1)
    factory.registration(full)
    client.post(f"/organiser/events/{full.id}/checkin/desk", data={"desk": "Desk 1"})
    response = client.post(
        f"/organiser/events/{full.id}/checkin/walk-in",
        data=walk_in_data(override_capacity="y"),
        headers=JSON,
    )
    assert response.json["state"] == "checked_in"
    created = db.session.scalar(select(AuditLog).where(AuditLog.action == "registration.created"))
    assert created.details["capacity_override"] is True and created.user_id == staff.id


def test_walk_in_form_errors_keep_what_was_typed(client, desk, event):
    response = client.post(
        f"/organiser/events/{event.id}/checkin/walk-in",
        data=walk_in_data(email="not-an-email", consent=""),
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Maëlle"' in page and 'value="not-an-email"' in page
    assert "Le consentement de la personne est nécessaire" in page
    assert db.session.scalar(select(Registration)) is None


def test_walk_in_who_already_registered_is_checked_in_not_duplicated(client, desk, factory, event):
    existing = factory.registration(event, email="maelle.nguessan@example.org")
    response = client.post(
        f"/organiser/events/{event.id}/checkin/walk-in",
        data=walk_in_data(email="Maelle.NGuessan@example.org"),
        headers=JSON,
    )
    assert response.json["state"] == "checked_in"
    assert response.json["registration_id"] == existing.id
    db.session.rollback()
    assert len(db.session.scalars(select(Registration)).all()) == 1


# --- tours, permissions and CSRF -------------------------------------------------------------


def test_a_tour_desk_lists_its_stages(client, login, staff, factory, org):
    tour = factory.event(organisers=[org], kind="tour", title_fr="French Bioproduction Tour")
    stage = factory.event(
        organisers=[org], kind="stage", parent_id=tour.id, position=1, title_fr="Étape Lyon"
    )
    login(staff)
    page = client.get(f"/organiser/events/{tour.id}/checkin").get_data(as_text=True)
    assert "Étape Lyon" in page and f"/organiser/events/{stage.id}/checkin" in page


def _checkin_urls(app, event_id, registration_id):
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(("organiser.checkin", "organiser.badges")):
            continue
        values = {"event_id": event_id}
        if "registration_id" in rule.arguments:
            values["registration_id"] = registration_id
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((method, rule.build(values)[1]))
    return urls


def test_every_desk_and_badge_url_is_404_for_another_organisation(app, client, login, factory):
    event = factory.event(organisers=[factory.organisation()])
    registration = factory.registration(event)
    outsider = factory.user(factory.organisation(), role="manager")
    urls = _checkin_urls(app, event.id, registration.id)
    assert len(urls) >= 10
    login(outsider)
    for method, url in urls:
        response = client.open(url, method=method, headers=JSON, data={"code": "x", "desk": "d"})
        assert response.status_code == 404, (method, url, response.status_code)
    assert fresh(registration).checked_in_at is None


def test_every_desk_and_badge_url_needs_login(app, client, factory):
    event = factory.event(organisers=[factory.organisation()])
    registration = factory.registration(event)
    for method, url in _checkin_urls(app, event.id, registration.id):
        response = client.open(url, method=method)
        assert response.status_code == 302, (method, url)
        assert "/auth/login" in response.headers["Location"]


def test_managers_and_admins_may_use_the_desk(client, login, factory, org, event):
    for user in (factory.user(org, role="manager"), factory.user(is_admin=True)):
        login(user)
        assert client.get(f"/organiser/events/{event.id}/checkin").status_code == 200
        client.post("/auth/logout")


def test_json_calls_need_the_csrf_token(app, database_url, factory, staff, event):
    secured = create_app(make_config(database_url, WTF_CSRF_ENABLED=True))
    secured.test_client_class = DbAwareClient
    registration = factory.registration(event)
    try:
        _check_csrf(secured.test_client(), staff, event, registration)
    finally:
        with secured.app_context():
            db.engine.dispose()  # this app's own connection pool


def _check_csrf(client, staff, event, registration):
    def token(page):
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    login_page = client.get("/auth/login").get_data(as_text=True)
    client.post(
        "/auth/login",
        data={
            "email": staff.email,
            "password": "correct horse battery",
            "csrf_token": token(login_page),
        },
    )
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    client.post(
        f"/organiser/events/{event.id}/checkin/desk",
        data={"desk": "Desk 1", "csrf_token": token(page)},
    )
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)
    url = f"/organiser/events/{event.id}/checkin/scan"
    payload = {"code": tickets.payload(registration)}
    refused = client.post(url, data=payload, headers=JSON)
    assert refused.status_code == 400 and refused.json["error"]["code"] == 400
    assert fresh(registration).checked_in_at is None
    accepted = client.post(url, data=payload, headers={**JSON, "X-CSRFToken": meta})
    assert accepted.status_code == 200 and accepted.json["state"] == "checked_in"


def test_the_desk_speaks_english(client, desk, factory, event):
    client.get("/language/en")
    camille = factory.registration(
        event, first_name="Camille", last_name="Martin", organisation_name="Sanofi"
    )
    cancelled = factory.registration(event, status="cancelled")
    body = scan(client, event, tickets.payload(camille)).json
    assert body["title"] == "Checked in — Camille MARTIN, Sanofi"
    assert body["details"] == "Health industry"
    assert body["counts"]["text"] == "Checked in: 1 of 1 confirmed"
    body = scan(client, event, tickets.payload(camille)).json
    assert re.fullmatch(
        r"Already checked in at \d\d:\d\d by Desk 1 \(Accueil Medicen\)", body["title"]
    )
    assert scan(client, event, tickets.payload(cancelled)).json["title"] == (
        "Registration cancelled"
    )
    assert scan(client, event, "nope").json["title"] == "Unknown code"
    page = client.get(f"/organiser/events/{event.id}/checkin").get_data(as_text=True)
    assert "Check-in desk" in page and "Register a walk-in" in page


def test_another_events_ticket_is_not_identified_and_shows_without_javascript(
    client, desk, factory, org, event
):
    foreign = factory.registration(factory.event(organisers=[factory.organisation()]))
    body = scan(client, event, tickets.payload(foreign)).json
    assert body["registration_id"] is None and "undo_url" not in body
    response = client.post(
        f"/organiser/events/{event.id}/checkin/scan", data={"code": tickets.payload(foreign)}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Autre événement" in page and "Ce billet est pour un autre événement." in page
