"""E-mail addresses never in URLs, logs or public pages.

- URLs: a crawler walks the public site, a participant's manage pages and the whole organiser
  workspace of an event full of people (registered through the forms, added, imported, mailed,
  checked in), and reads every link, form action, script URL, redirect and JSON URL the app
  generates, and every link of the e-mails it sent: none holds an address (`@` or `%40`).
  The only URLs with an address are those an organiser makes by typing one into a search box
  (the list's own links then repeat the search); logs mask those (tests/privacy/test_logging.py).
- Logs: a registration, a duplicate, a resend, failed logins, a reset request, an import with
  bad rows, an unexpected error (500) and a database error quoting the statement's parameters,
  with SQLAlchemy logging every statement and its parameters: no address in any record.
- Public pages: no participant's address (nor their name) on the catalogue, event, tour,
  registration, confirmation, privacy or calendar pages; a manage link shows only its owner.
"""

from __future__ import annotations

import html
import io
import json
import logging
import re
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from eventapp import create_app
from eventapp.extensions import db as _db
from eventapp.models import Event, OutboxMessage, Registration
from eventapp.privacy.logging import EMAIL_PATTERN
from tests.support.apps import DbAwareClient, make_config

PARTICIPANTS = {
    "lea": "lea.durand@yposkesi.fr",
    "paul": "paul.girard+tour@lyonbiopole.com",
    "helene": "Helene.Dupont@Genopole.FR",
    "elodie": "élodie.müller@exemple.fr",
}
URL_ATTRIBUTE = re.compile(r'(?:href|src|action|data-[\w-]*url[\w-]*)="([^"]*)"')


def _form(name: str, email: str, **kw) -> dict:
    data = {
        "first_name": name.title(),
        "last_name": "Quintessa",
        "email": email,
        "organisation_name": "Sanofi",
        "job_title": "Ingénieure",
        "category": "industrial",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return data


@pytest.fixture
def world(app, client, db, factory, login):
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    event = factory.event(organisers=[org], capacity=3, title_fr="Congrès France Bioproduction")
    tour = factory.event(organisers=[org], kind="tour", capacity=None, title_fr="Tour 2027")
    stage = factory.event(organisers=[org], kind="stage", parent_id=tour.id, position=1)
    visitors = {}
    for name, email in PARTICIPANTS.items():
        visitor = app.test_client()
        response = visitor.post(f"/events/{event.slug}/register", data=_form(name, email))
        assert response.status_code == 302, name
        visitor.get(response.headers["Location"])
        visitors[name] = visitor
    response = app.test_client().post(
        f"/events/{tour.slug}/register",
        data={**_form("lea", PARTICIPANTS["lea"]), "stages": str(stage.id)},
    )
    assert response.status_code == 302
    manager = factory.user(org, "manager")
    login(manager)
    base = f"/organiser/events/{event.id}"
    client.post(
        f"{base}/attendees/new",
        data={**_form("added", "added.person@polepharma.fr"), "language": "fr"},
    )
    content = "Nom;Prénom;E-mail\nImport;Ines;ines.import@genopole.fr\nBad;Row;not-an-email\n"
    response = client.post(
        f"{base}/import",
        data={"file": (io.BytesIO(content.encode()), "people.csv")},
        content_type="multipart/form-data",
    )
    client.post(response.headers["Location"], data={"consent": "y"})
    client.post(f"{base}/mailings/new", data={"subject": "Infos", "body": "B", "step": "send"})
    client.post(f"{base}/checkin/desk", data={"desk": "Accueil"})
    lea = db.session.scalar(
        select(Registration).where(
            Registration.email == PARTICIPANTS["lea"], Registration.event_id == event.id
        )
    )
    client.post(f"{base}/checkin/scan", data={"code": lea.ticket_code})
    return {
        "event": event,
        "tour": tour,
        "stage": stage,
        "lea": lea,
        "visitors": visitors,
        "manager": manager,
    }


def _all_addresses(db) -> set[str]:
    stored = set(db.session.scalars(select(Registration.email).where(Registration.email != "")))
    return {a.lower() for a in stored | set(PARTICIPANTS.values())}


def _urls_in(response) -> list[str]:
    urls = []
    if "Location" in response.headers:
        urls.append(response.headers["Location"])
    if response.mimetype == "text/html":
        urls += [html.unescape(u) for u in URL_ATTRIBUTE.findall(response.get_data(as_text=True))]
    elif response.is_json:

        def walk(value):
            if isinstance(value, dict):
                for item in value.values():
                    yield from walk(item)
            elif isinstance(value, list):
                for item in value:
                    yield from walk(item)
            elif isinstance(value, str) and value.startswith(("/", "http")):
                yield value

        urls += list(walk(response.json))
    return urls


def crawl(client, starts: list[str], limit: int = 250) -> tuple[set[str], int]:
    """Every URL found from `starts`, following this site's GET links (breadth first)."""
    seen_urls: set[str] = set()
    queue = deque(starts)
    fetched = set()
    while queue and len(fetched) < limit:
        url = queue.popleft()
        path = urlsplit(url)
        if path.netloc not in ("", "localhost", "127.0.0.1:5000") or url in fetched:
            continue
        if path.path.startswith(("/static/", "/auth/logout", "/language/")):
            continue
        fetched.add(url)
        response = client.get(url, buffered=True)
        assert response.status_code < 500, url
        for found in _urls_in(response):
            seen_urls.add(found)
            absolute = urljoin("http://localhost" + path.path, found)
            local = urlsplit(absolute)
            if local.scheme in ("http", "https") and local.netloc in ("localhost",):
                target = local.path + (f"?{local.query}" if local.query else "")
                if target not in fetched:
                    queue.append(target)
    return seen_urls, len(fetched)


def _with_address(urls) -> list[str]:
    return [u for u in urls if "@" in u or "%40" in u.lower()]


def test_no_url_the_app_generates_holds_an_address(app, client, db, world):
    event, lea = world["event"], world["lea"]
    public, count = crawl(
        app.test_client(),
        ["/", "/events", f"/events/{event.slug}", f"/events/{world['tour'].slug}", "/privacy"],
    )
    assert count > 10 and f"/events/{event.slug}/register" in public
    participant, _ = crawl(app.test_client(), [f"/r/{lea.manage_token}"], limit=40)
    assert any(u.endswith("/erase") for u in participant)
    organiser, count = crawl(client, ["/organiser/", f"/organiser/events/{event.id}"])
    assert count > 40  # overview, lists, every attendee, history, mailings, imports, desk...
    assert any("/attendees/" in u for u in organiser)
    desk = client.get(
        f"/organiser/events/{event.id}/checkin/search",
        query_string={"q": "quintessa"},
        headers={"Accept": "application/json"},
    )
    scan = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": lea.ticket_code},
        headers={"Accept": "application/json"},
    )
    json_urls = _urls_in(desk) + _urls_in(scan)
    assert len(json_urls) > 5
    # Links in every e-mail sent (confirmations, mailing, reset...): tokens, never addresses.
    mail_urls = []
    for message in db.session.scalars(select(OutboxMessage)):
        text = f"{message.body_text}\n{message.body_html or ''}"
        mail_urls += re.findall(r"https?://[^\s\"<>]+", html.unescape(text))
    assert len(mail_urls) > 5
    everything = public | participant | organiser | set(json_urls) | set(mail_urls)
    assert _with_address(everything) == []


def _call_text(text: str, start: int) -> str:
    """The arguments of a call whose "(" ends at `start` (up to its closing parenthesis)."""
    depth = 1
    for index in range(start, min(len(text), start + 2000)):
        depth += {"(": 1, ")": -1}.get(text[index], 0)
        if depth == 0:
            return text[start:index]
    return text[start : start + 2000]


def test_no_route_takes_an_address_in_its_path_and_no_link_is_built_from_one():
    """Source check: no url_for / external_url / redirect is given an e-mail value."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = []
    calls = 0
    sources = [*root.joinpath("eventapp").rglob("*.py"), *root.joinpath("templates").rglob("*")]
    for source in sources:
        if source.is_dir():
            continue
        text = source.read_text()
        for match in re.finditer(r"\b(?:url_for|external_url|redirect)\(", text):
            call = _call_text(text, match.end())
            calls += 1
            if re.search(r"\bemail\b", call):
                offenders.append(f"{source.name}: {call[:80]}")
        if "<email>" in text or "<string:email>" in text:
            offenders.append(f"{source.name}: a route with an e-mail in its path")
    assert calls > 200  # the scan saw the app's links
    assert offenders == []


# --- logs -----------------------------------------------------------------------------------


@pytest.fixture
def all_logs():
    """Every record of every logger, formatted with tracebacks, SQLAlchemy logging each
    statement with its parameters (what a debug session in production would write)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    handler.setLevel(logging.DEBUG)
    root = logging.getLogger()
    engine_log = logging.getLogger("sqlalchemy.engine")
    previous = (root.level, engine_log.level)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    engine_log.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(previous[0])
    engine_log.setLevel(previous[1])


@pytest.fixture
def production_like(app, database_url):
    """The app as in production on errors: exceptions become logged 500 pages."""
    other = create_app(make_config(database_url, TESTING=False, PROPAGATE_EXCEPTIONS=False))
    other.test_client_class = DbAwareClient
    yield other
    with other.app_context():
        _db.engine.dispose()


def test_logs_never_hold_an_address(production_like, db, factory, all_logs, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from eventapp.services import imports
    from eventapp.services import registrations as registration_service

    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=1)
    user = factory.user(org, "manager")
    client = production_like.test_client()
    url = f"/events/{event.slug}/register"
    # Registrations (one confirmed, one waitlisted, one duplicate), a resend.
    for name, email in list(PARTICIPANTS.items())[:2]:
        assert client.post(url, data=_form(name, email)).status_code == 302
    assert client.post(url, data=_form("lea", PARTICIPANTS["lea"])).status_code == 302
    client.post(f"/events/{event.slug}/resend-link", data={"email": PARTICIPANTS["paul"]})
    # Logins: an unknown address, a wrong password; a reset request.
    client.post("/auth/login", data={"email": "ghost.user@medicen.org", "password": "x" * 12})
    client.post("/auth/login", data={"email": user.email, "password": "wrong password"})
    client.post("/auth/password/forgot", data={"email": user.email})

    # An unexpected error while registering: the exception quotes the address.
    def broken_register(targets, person, **_kw):
        raise RuntimeError(f"cannot register {person.email} for {targets[0].id}")

    monkeypatch.setattr(registration_service, "register", broken_register)
    response = client.post(url, data=_form("helene", PARTICIPANTS["helene"]))
    assert response.status_code == 500
    assert PARTICIPANTS["helene"] not in response.get_data(as_text=True)
    # An import: bad rows, then a database error quoting the rows' parameters.
    organiser = production_like.test_client()
    organiser.post("/auth/login", data={"email": user.email, "password": "correct horse battery"})
    content = (
        "Nom;Prénom;E-mail\nImport;Ines;ines.import@genopole.fr\nBad;Row;bad@@example\n"
    ).encode()
    response = organiser.post(
        f"/organiser/events/{event.id}/import",
        data={"file": (io.BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    )
    preview = response.headers["Location"]

    def failing_import(*args, **kwargs):
        raise IntegrityError(
            "INSERT INTO registration (email) VALUES (%(email)s)",
            {"email": "ines.import@genopole.fr"},
            Exception("duplicate key value (email)=(ines.import@genopole.fr)"),
        )

    monkeypatch.setattr(imports, "import_upload", failing_import)
    assert organiser.post(preview, data={"consent": "y"}).status_code == 500

    output = all_logs.getvalue()
    # The records are there (so the test would see an address if one leaked)...
    assert "Exception on /events/" in output and "RuntimeError: cannot register [email]" in output
    assert "IntegrityError" in output and "INSERT INTO registration" in output
    assert output.count("[email]") >= 10
    # ...and hold no address.
    addresses = [*PARTICIPANTS.values(), user.email, "ines.import@genopole.fr", "ghost.user"]
    for address in addresses:
        assert address.lower() not in output.lower(), address
    assert EMAIL_PATTERN.search(output) is None


# --- public pages ---------------------------------------------------------------------------


def test_public_pages_never_show_participants(app, db, world):
    event, tour, stage, lea = world["event"], world["tour"], world["stage"], world["lea"]
    addresses = _all_addresses(db)
    visitor = app.test_client()
    pages = [
        "/",
        "/events",
        "/events?when=past",
        f"/events/{event.slug}",
        f"/events/{tour.slug}",
        f"/events/{stage.slug}",
        f"/events/{event.slug}/register",
        f"/events/{tour.slug}/register",
        f"/events/{event.slug}/resend-link",
        f"/events/{event.slug}/availability.json",
        f"/events/{event.slug}/calendar.ics",
        f"/events/{event.slug}/privacy",
        "/events.ics",
        "/privacy",
        "/privacy/erased",
    ]
    for url in pages:
        response = visitor.get(url)
        assert response.status_code == 200, url
        body = html.unescape(response.get_data(as_text=True)).lower()
        for address in addresses:
            assert address not in body, (url, address)
        assert "quintessa" not in body, url  # no participant's name
        assert "sanofi" not in body, url  # nor their organisation
    # Each person's confirmation page shows their own status, never someone else's.
    for name, client in world["visitors"].items():
        page = html.unescape(client.get(f"/events/{event.slug}/registered").get_data(True))
        for other, address in PARTICIPANTS.items():
            assert address.lower() not in page.lower(), (name, other)
    # Someone typing Léa's address gets the same page as anyone, nothing of Léa's.
    stranger = app.test_client()
    response = stranger.post(
        f"/events/{event.slug}/register",
        data=_form("intrus", PARTICIPANTS["lea"], first_name="Intrus", organisation_name="X"),
    )
    page = html.unescape(stranger.get(response.headers["Location"]).get_data(as_text=True))
    assert "Lea" not in page and lea.manage_token not in page and "Sanofi" not in page
    # A manage link shows its owner's address, and nobody else's.
    manage = html.unescape(visitor.get(f"/r/{lea.manage_token}").get_data(as_text=True))
    others = addresses - {lea.email.lower()}
    assert not [a for a in others if a in manage.lower()]
    data = json.loads(visitor.get(f"/r/{lea.manage_token}/data.json").get_data(as_text=True))
    assert {r["email"] for r in data["registrations"]} == {lea.email}
    db.session.expire_all()
    assert db.session.get(Event, event.id) is not None
