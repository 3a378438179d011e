"""Property-based fuzzing (hypothesis) of every public form, query string and JSON call: whatever
is sent, the answer is 2xx, 3xx or 4xx, never a 500.

Each form is attacked two ways: every field replaced at random (missing, empty, huge, control
characters, NUL bytes, injection strings, several values), and a valid submission with one field
broken (so the deep code behind validation is reached too). Runs are derandomised (the same
examples on every machine, CI included) and keep no example database.
"""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from eventapp.models import utcnow
from eventapp.services import accounts

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FEW = settings(FUZZ, max_examples=20)

ATTACKS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "\t=1+1",
    "' OR 1=1 --",
    '"; DROP TABLE registration; --',
    "%",
    "_",
    "\\",
    "%%%___\\\\",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "{{7*7}}",
    "{first_name}",
    "//evil.example",
    "../../etc/passwd",
    "-1",
    "0",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "2026-13-45T25:61",
    "\u202eevil",
    "é" * 300,
    "😀" * 120,
    "x" * 5000,
]

# Any text a browser (or a script) could send: every Unicode character but lone surrogates,
# which cannot be encoded in a request at all.
_chars = st.characters(blacklist_categories=("Cs",))
_text = st.text(_chars, max_size=60)
value = st.one_of(
    _text,
    st.sampled_from(ATTACKS),
    st.integers().map(str),
    st.text(_chars, min_size=90, max_size=400),
)
_OMIT = object()


def form_strategy(valid: dict, extra: dict | None = None) -> st.SearchStrategy[dict]:
    """Submissions of a form whose valid data is `valid`: every field fuzzed (or left out, or
    sent several times), or the valid data with one field broken. `extra`: fields with their
    own strategies (select values, ids...)."""
    fields = {**dict.fromkeys(valid, value), **(extra or {})}

    def anything(strategy):
        return st.one_of(strategy, st.just(_OMIT), st.lists(strategy, min_size=2, max_size=3))

    random_form = st.fixed_dictionaries({k: anything(s) for k, s in fields.items()}).map(
        lambda d: {k: v for k, v in d.items() if v is not _OMIT}
    )

    @st.composite
    def one_broken(draw):
        data = dict(valid)
        name = draw(st.sampled_from(sorted(fields)))
        broken = draw(anything(fields[name]))
        if broken is _OMIT:
            data.pop(name, None)
        else:
            data[name] = broken
        return data

    return st.one_of(random_form, one_broken(), st.just(dict(valid)))


class Answers:
    """check(response): the only rule of this file, no server error whatever was sent. It also
    records (path, status), so a test can prove its fuzzing went past validation
    (`reached("/register", 302)`) instead of bouncing off a wrong URL."""

    def __init__(self):
        self.seen = set()

    def __call__(self, response, what=""):
        assert response.status_code < 500, (what, response.status_code)
        self.seen.add((response.request.path, response.status_code))
        return response

    def reached(self, path_end: str, *statuses: int) -> None:
        assert any(path.endswith(path_end) and status in statuses for path, status in self.seen), (
            path_end,
            statuses,
            sorted({s for p, s in self.seen if p.endswith(path_end)}),
        )


@pytest.fixture
def check():
    return Answers()


def participant(**kw) -> dict:
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea.durand@example.org",
        "organisation_name": "Yposkesi",
        "job_title": "Ingénieure procédés",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return data


SELECT_JUNK = st.one_of(
    value, st.sampled_from(["biotech", "industrial", "idf", "ara", "outside", "fr", "en"])
)


# --- public forms ---------------------------------------------------------------------------


def test_registration_form_of_an_event(check, client, factory):
    event = factory.event(capacity=3)  # a few fill it: the waiting list is fuzzed too
    url = f"/events/{event.slug}/register"

    @FUZZ
    @given(form_strategy(participant(), {"category": SELECT_JUNK, "region": SELECT_JUNK}))
    def run(data):
        check(client.post(url, data=data), data)

    run()
    check(client.get(f"/events/{event.slug}"))
    check.reached("/register", 302)  # some got registered (confirmed, then waitlisted)
    check.reached("/register", 400)


def test_registration_form_of_a_tour_with_stage_ids(check, client, factory):
    tour = factory.event(kind="tour", capacity=None)
    stages = [
        factory.event(kind="stage", parent_id=tour.id, position=n, capacity=2) for n in (1, 2)
    ]
    closed = factory.event(
        kind="stage",
        parent_id=tour.id,
        position=3,
        registration_closes_at=utcnow() - timedelta(days=1),
    )
    elsewhere = factory.event(capacity=5)  # an event that is not a stage of this tour
    ids = [s.id for s in stages] + [closed.id, elsewhere.id, tour.id]
    stage_value = st.one_of(st.sampled_from(ids).map(str), value)
    url = f"/events/{tour.slug}/register"

    @FUZZ
    @given(
        form_strategy(
            participant(stages=[str(stages[0].id)]),
            {"stages": st.lists(stage_value, max_size=4), "category": SELECT_JUNK},
        ),
        st.one_of(st.sampled_from(ids).map(str), value),
    )
    def run(data, wanted):
        check(client.post(url, data=data), data)
        check(client.get(url, query_string={"stage": wanted}), wanted)

    run()
    check.reached("/register", 302)
    check.reached("/register", 400)


def test_resend_link_form(check, client, factory):
    event = factory.event()
    factory.registration(event, email="lea.durand@example.org")
    url = f"/events/{event.slug}/resend-link"

    @FUZZ
    @given(form_strategy({"email": "lea.durand@example.org"}))
    def run(data):
        check(client.post(url, data=data), data)

    run()
    check.reached("/resend-link", 302)
    check.reached("/resend-link", 400)


def test_manage_page_corrections(check, client, factory):
    registration = factory.registration(factory.event())
    url = f"/r/{registration.manage_token}"
    valid = {key: value for key, value in participant().items() if key not in ("email", "consent")}

    @FUZZ
    @given(form_strategy(valid, {"category": SELECT_JUNK, "region": SELECT_JUNK}))
    def run(data):
        check(client.post(url, data=data), data)
        check(client.get(url))

    run()
    check.reached(url, 302)
    check.reached(url, 400)


def test_cancel_and_erase_forms(check, client, factory):
    event = factory.event(capacity=1)
    factory.registration(event, status="waitlisted")

    @FEW
    @given(
        form_strategy({}, {"submit": value}),
        form_strategy(
            {"scope": "this", "confirm": "y"},
            {"scope": st.one_of(st.sampled_from(["this", "all"]), value), "confirm": value},
        ),
    )
    def run(cancel_data, erase_data):
        registration = factory.registration(event)
        token = registration.manage_token
        check(client.post(f"/r/{token}/cancel", data=cancel_data), cancel_data)
        check(client.post(f"/r/{token}/erase", data=erase_data), erase_data)
        for path in ("", "/cancel", "/erase", "/data.json", "/calendar.ics"):
            check(client.get(f"/r/{token}{path}"), path)

    run()
    check.reached("/cancel", 302)
    check.reached("/erase", 302)  # erased
    check.reached("/erase", 400)  # refused (no confirmation, unknown scope)


def test_public_query_strings_and_paths(check, client, factory):
    org = factory.organisation(slug="medicen", short_name="Medicen")
    event = factory.event(organisers=[org], title_fr="Congrès France Bioproduction")
    catalogue_args = form_strategy(
        {"q": "Congrès", "kind": "congress", "region": "idf", "organisation": "medicen"},
        {
            "when": st.one_of(st.sampled_from(["past", "upcoming"]), value),
            "page": st.one_of(st.integers().map(str), value),
            "kind": SELECT_JUNK,
        },
    )
    path_part = st.one_of(value, st.just(event.slug)).map(
        lambda text: text.replace("/", "%2F").replace("?", "%3F").replace("#", "%23")
    )

    @FUZZ
    @given(catalogue_args, path_part, value)
    def run(args, part, text):
        check(client.get("/", query_string=args), args)
        check(client.get("/events", query_string=args), args)
        check(client.get(f"/events/{part}"), part)
        check(client.get(f"/events/{part}/availability.json"), part)
        check(client.get(f"/events/{part}/calendar.ics"), part)
        check(client.get(f"/events/{part}/privacy"), part)
        check(client.get(f"/r/{part}"), part)
        check(client.get("/privacy", query_string={"event": text}), text)
        check(client.get(f"/language/{part}", query_string={"next": text}), text)
        check(client.get(f"/events/{event.slug}/registered"))

    run()
    check.reached("/events", 200)
    check.reached("/events", 400)


# --- logins ---------------------------------------------------------------------------------


def test_login_and_password_reset_forms(check, client, db, factory):
    user = factory.user(factory.organisation())
    reset_url = f"/auth/password/reset/{accounts.reset_token(user)}"
    db.session.commit()
    password = {"new_password": "a new long password", "confirm": "a new long password"}

    @FUZZ
    @given(
        form_strategy({"email": user.email, "password": "wrong password", "remember": "y"}),
        form_strategy({"email": user.email}),
        form_strategy(password),
        value,
    )
    def run(login, forgot, reset, token):
        check(client.post("/auth/login", data=login, query_string={"next": token}), login)
        check(client.post("/auth/password/forgot", data=forgot), forgot)
        check(client.post(reset_url, data=reset), reset)
        check(client.get(f"/auth/password/reset/{token.replace('/', '%2F')}"), token)
        check(client.post(f"/auth/password/reset/{token.replace('/', '%2F')}", data=reset))

    run()
    check.reached("/login", 401)  # a wrong password, as sent
    check.reached("/forgot", 302)
    check.reached(reset_url, 302)  # the password was reset (the link then dies: 410)


# --- organiser workspace --------------------------------------------------------------------


@pytest.fixture
def workspace(factory, login):
    """An organisation's manager, logged in, with an event full of people."""
    org = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    co = factory.organisation(name="Polepharma", short_name="Polepharma")
    event = factory.event(organisers=[org, co], capacity=3)
    people = [factory.registration(event, status=s) for s in ("confirmed", "waitlisted")]
    people.append(factory.registration(event, status="cancelled"))
    manager = factory.user(org, "manager")
    login(manager)
    return {"org": org, "co": co, "event": event, "people": people, "manager": manager}


def _event_form(workspace) -> dict:
    start = utcnow() + timedelta(days=40)
    return {
        "kind": "congress",
        "title_fr": "Congrès France Bioproduction",
        "title_en": "France Bioproduction Congress",
        "description_fr": "Le rendez-vous annuel",
        "description_en": "",
        "starts_at": start.strftime("%Y-%m-%dT09:00"),
        "ends_at": start.strftime("%Y-%m-%dT18:00"),
        "venue": "Maison de la Chimie",
        "address": "28 rue Saint-Dominique",
        "city": "Paris",
        "region": "idf",
        "regions": "cvl",
        "online_url": "",
        "capacity": "500",
        "registration_opens_at": "",
        "registration_closes_at": "",
        "lead_id": str(workspace["org"].id),
        "co_organiser_ids": str(workspace["co"].id),
    }


def test_event_create_and_edit_forms(check, client, workspace):
    event_id = workspace["event"].id
    ids = st.one_of(
        st.sampled_from([workspace["org"].id, workspace["co"].id, 0, -1, 10**12]).map(str), value
    )
    dates = st.one_of(
        st.datetimes().map(lambda d: d.strftime("%Y-%m-%dT%H:%M")), st.just(""), value
    )
    extra = {
        "kind": st.one_of(st.sampled_from(["congress", "tour", "stage", "webinar"]), value),
        "starts_at": dates,
        "ends_at": dates,
        "registration_opens_at": dates,
        "capacity": st.one_of(st.integers().map(str), value),
        "lead_id": ids,
        "co_organiser_ids": ids,
        "partner_ids": ids,
        "online_url": st.one_of(st.just("https://visio.example.org/abc"), value),
    }

    @FUZZ
    @given(form_strategy(_event_form(workspace), extra))
    def run(data):
        check(client.post("/organiser/events/new", data=data), data)
        check(client.post(f"/organiser/events/{event_id}/edit", data=data), data)

    run()
    check.reached("/events/new", 302)
    check.reached("/edit", 302)
    check.reached("/edit", 400)
    check(client.get("/organiser/"))


def test_attendee_forms_and_actions(check, client, workspace):
    event = workspace["event"]
    reg = workspace["people"][0]
    base = f"/organiser/events/{event.id}/attendees"
    details = {
        "first_name": "Léa",
        "last_name": "Durand",
        "organisation_name": "Yposkesi",
        "job_title": "",
        "category": "biotech",
        "region": "idf",
    }
    new = {
        **details,
        "email": "new.person@example.org",
        "language": "fr",
        "consent": "y",
        "notify": "y",
        "override_capacity": "",
    }
    flags = {"notify": value, "override_capacity": value, "next": value, "confirm": value}

    @settings(FUZZ, max_examples=30)  # six requests per example
    @given(
        form_strategy(new, {"category": SELECT_JUNK, "language": SELECT_JUNK}),
        form_strategy(details, {"region": SELECT_JUNK}),
        form_strategy({}, flags),
        st.sampled_from(workspace["people"]),
    )
    def run(added, edited, action, target):
        check(client.post(f"{base}/new", data=added), added)
        check(client.post(f"{base}/{reg.id}/edit", data=edited), edited)
        for verb in ("cancel", "reconfirm", "promote"):
            check(client.post(f"{base}/{target.id}/{verb}", data=action), (verb, action))
        check(client.get(f"{base}/{target.id}"))

    run()
    check.reached("/attendees/new", 302)
    check.reached("/attendees/new", 400)
    check.reached(f"/{reg.id}/edit", 302)
    check.reached(f"/{reg.id}/edit", 400)


def _xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_cell = st.one_of(value, st.sampled_from(["Nom", "Prénom", "E-mail", "a@example.org"]))


# A person's row with at most one cell fuzzed (so some rows pass the checks and get imported).
@st.composite
def _person_row(draw):
    row = ["Durand", "Léa", f"p{draw(st.integers(0, 10**6))}@example.org", "Yposkesi"]
    row += [draw(st.sampled_from(["Biotech", "industriel", "academic", ""])), "idf", "fr"]
    if draw(st.booleans()):
        row[draw(st.integers(0, len(row) - 1))] = draw(value)
    return row


_table = st.lists(st.one_of(_person_row(), st.lists(_cell, max_size=8)), min_size=1, max_size=6)


@st.composite
def import_files(draw):
    """Random bytes, CSV text with random cells, or a real XLSX (or a broken zip) with random
    cells, under any file name."""
    kind = draw(st.sampled_from(["bytes", "csv", "xlsx", "zip"]))
    header = ["Nom", "Prénom", "E-mail", "Organisation", "Catégorie", "Région", "Langue"]
    rows = [header, *draw(_table)]
    if kind == "bytes":
        content = draw(st.binary(max_size=2000))
    elif kind == "csv":
        separator = draw(st.sampled_from([";", ",", "\t"]))
        text = "\r\n".join(separator.join(row) for row in rows)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
        content = text.encode(encoding, errors="replace")
    elif kind == "xlsx":
        # Control characters cannot be written in a sheet at all (openpyxl refuses them).
        content = _xlsx([[ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row] for row in rows])
    else:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("xl/workbook.xml", draw(st.binary(max_size=300)))
        content = out.getvalue()
    weird_names = st.one_of(
        st.sampled_from(["people.txt", "people.CSV", "people.xlsx.csv", "x.pdf", ".csv", ""]),
        _text,
        _text.map(lambda name: name + ".csv"),
    )
    name = draw(st.one_of(st.just("people.xlsx" if kind == "xlsx" else "people.csv"), weird_names))
    return content, name


def test_import_upload_with_random_files(check, client, workspace):
    event = workspace["event"]
    url = f"/organiser/events/{event.id}/import"

    @FUZZ
    @given(import_files(), form_strategy({"consent": "y", "notify": ""}))
    def run(upload, confirm):
        content, name = upload
        response = check(
            client.post(
                url,
                data={"file": (io.BytesIO(content), name)},
                content_type="multipart/form-data",
            ),
            upload,
        )
        if response.status_code == 302 and "/import/" in response.headers["Location"]:
            preview = response.headers["Location"]
            check(client.get(preview), upload)
            check(client.post(preview, data=confirm), (upload, confirm))

    run()
    check.reached("/import", 302, 400)
    assert any("/import/" in path and code == 302 for path, code in check.seen)  # imported


def test_mailing_form(check, client, workspace):
    event = workspace["event"]
    url = f"/organiser/events/{event.id}/mailings/new"

    @FUZZ
    @given(
        form_strategy(
            {
                "subject": "Infos pratiques {first_name}",
                "body": "Bonjour {first_name},\n{event}",
                "step": "send",
                "status": "all",
            },
            {
                "step": st.one_of(st.sampled_from(["write", "preview", "send", "edit"]), value),
                "status": st.one_of(st.sampled_from(["all", "live", "cancelled"]), value),
                "q": value,
                "stage": value,
            },
        )
    )
    def run(data):
        check(client.post(url, data=data), data)

    run()
    check.reached("/mailings/new", 200)  # previews
    check.reached("/mailings/new", 302)  # sent
    check.reached("/mailings/new", 400)


FILTER_ARGS = form_strategy(
    {"q": "Martin", "status": "all", "sort": "-date", "page": "1", "per_page": "25"},
    {
        "status": st.one_of(st.sampled_from(["all", "live", "cancelled", "confirmed"]), value),
        "sort": st.one_of(st.sampled_from(["name", "-name", "date", "status"]), value),
        "category": SELECT_JUNK,
        "region": st.one_of(SELECT_JUNK, st.just("none")),
        "checked_in": st.one_of(st.sampled_from(["yes", "no"]), value),
        "stage": value,
        "sep": st.one_of(st.just("semicolon"), value),
        "layout": st.one_of(st.sampled_from(["a4", "a6"]), value),
        "lang": SELECT_JUNK,
        "who": st.one_of(st.sampled_from(["checked_in", "not_checked_in"]), value),
        "id": st.one_of(st.integers().map(str), value),
    },
)


def test_organiser_lists_exports_and_filters(check, client, workspace):
    event = workspace["event"]
    base = f"/organiser/events/{event.id}"
    pages = [
        "/attendees",
        "/attendees/export.csv",
        "/attendees/export.xlsx",
        "/history",
        "/mailings",
        "/statistics",
        "/checkin",
        "/checkin/search",
        "/badges",
        "",
    ]

    @FEW
    @given(FILTER_ARGS)
    def run(args):
        for page in pages:
            # Streamed exports are read to the end (and their connection given back).
            check(client.get(base + page, query_string=args, buffered=True), (page, args))
        check(client.get("/organiser/", query_string=args), args)

    run()


def test_badges_pdf_filters(check, client, workspace):
    url = f"/organiser/events/{workspace['event'].id}/badges.pdf"

    @settings(FUZZ, max_examples=15)
    @given(FILTER_ARGS)
    def run(args):
        check(client.get(url, query_string=args), args)

    run()
    check.reached("/badges.pdf", 200)
    check.reached("/badges.pdf", 400)


# --- the check-in desk (JSON calls, as the desk's script sends them) ------------------------

JSON = {"Accept": "application/json"}


def test_checkin_desk_json_calls(check, client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=4)
    other = factory.event(organisers=[org])
    people = [factory.registration(event, status=s) for s in ("confirmed", "waitlisted")]
    people.append(factory.registration(other))
    login(factory.user(org, "checkin"))
    base = f"/organiser/events/{event.id}/checkin"
    codes = st.one_of(
        st.sampled_from([p.ticket_code for p in people]), st.sampled_from(["", " "]), value
    )
    ids = st.one_of(st.sampled_from([p.id for p in people]), st.integers(0, 2**31))
    walk_in = {
        "first_name": "Jean",
        "last_name": "Dupont",
        "email": "jean.dupont@example.org",
        "organisation_name": "Genopole",
        "category": "academic",
        "language": "fr",
        "consent": "y",
        "override_capacity": "",
    }

    @FUZZ
    @given(
        form_strategy({"desk": "Entrée A"}),
        form_strategy({"code": people[0].ticket_code}, {"code": codes}),
        form_strategy(walk_in, {"category": SELECT_JUNK, "language": SELECT_JUNK}),
        ids,
        value,
    )
    def run(desk, scan, walk, registration_id, query):
        check(client.post(f"{base}/desk", data=desk, headers=JSON), desk)
        client.post(f"{base}/desk", data={"desk": "Entrée A"})
        check(client.post(f"{base}/scan", data=scan, headers=JSON), scan)
        check(client.post(f"{base}/walk-in", data=walk, headers=JSON), walk)
        check(client.post(f"{base}/registrations/{registration_id}", headers=JSON))
        check(client.post(f"{base}/registrations/{registration_id}/undo", headers=JSON))
        check(client.get(f"{base}/search", query_string={"q": query}, headers=JSON), query)
        check(client.get(f"{base}/counts", headers=JSON))

    run()
    check.reached("/scan", 200)
    check.reached("/walk-in", 200)
    check.reached("/walk-in", 400)
    check.reached("/undo", 200)


# --- any body on any POST route -------------------------------------------------------------

BODY_TYPES = [
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "text/plain",
    "application/octet-stream",
]
JSON_BODIES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _text,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(_text, children, max_size=3),
    max_leaves=8,
)


def test_every_post_route_with_garbage_bodies(check, app, client, workspace, factory):
    """Every POST rule of app.url_map (public, participant, organiser, desk), as a logged-in
    manager of the event, with random bytes or random JSON under any content type."""
    event = workspace["event"]
    reg = workspace["people"][0]
    values = {
        "event_id": event.id,
        "registration_id": reg.id,
        "upload_id": 1,
        "mailing_id": 1,
        "question_id": 1,
        "slug": event.slug,
        "token": reg.manage_token,
        "org_id": 1,
        "invitation_id": 1,
        "member_id": 1,
        "grant_id": 1,
        "session_id": 1,
        "payment_id": 1,
        "transaction_id": 1,
        "line_id": 1,
        "document_id": 1,
        "room_id": 1,
        "track_id": 1,
        "speaker_id": 1,
        "api_key_id": 1,
        "endpoint_id": 1,
        "delivery_id": 1,
        "block_id": 1,
        "table_id": 1,
        "meeting_id": 1,
        "request_id": 1,
        "participant_id": 1,
        "entry_id": 1,
        "verb": "accept",
        "mark": "held",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            # an any() converter (e.g. approve/refuse): its first value
            built = {
                k: values[k] if k in values else sorted(rule._converters[k].items)[0]
                for k in rule.arguments
            }
            urls.append(rule.build(built)[1])
    assert len(urls) > 25
    bodies = st.one_of(
        st.binary(max_size=500),
        JSON_BODIES.map(lambda data: __import__("json").dumps(data).encode()),
    )

    @settings(FUZZ, max_examples=8)
    @given(bodies, st.sampled_from(BODY_TYPES))
    def run(body, content_type):
        for url in urls:
            if url in ("/auth/logout", "/account/sessions/end-all"):
                continue  # would end the session the other URLs need
            response = client.post(
                url, data=body, content_type=content_type, headers={"Accept": "*/*"}
            )
            check(response, (url, content_type, body[:80]))

    run()


# --- what the fuzzing found, pinned down ----------------------------------------------------


def test_nul_bytes_are_refused_before_any_query(check, client, factory, db, login):
    """PostgreSQL text cannot hold NUL: a query with one failed with a 500 (event pages, the
    catalogue search, logins, every organiser form). Now a 400 before any query, on both
    databases, and nothing is written."""
    from sqlalchemy import func, select

    from eventapp.models import ImportUpload, Registration

    org = factory.organisation()
    event = factory.event(organisers=[org])
    answers = [
        client.get("/events/a%00b"),
        client.get("/", query_string={"q": "bio\x00"}),
        client.get("/privacy", query_string={"event": "\x00"}),
        client.post(f"/events/{event.slug}/register", data=participant(job_title="a\x00")),
        client.post("/auth/login", data={"email": "a\x00@example.org", "password": "x"}),
        client.post("/auth/password/forgot", data={"email": "\x00"}),
    ]
    login(factory.user(org, "manager"))
    answers += [
        client.get(f"/organiser/events/{event.id}/attendees", query_string={"q": "\x00"}),
        client.post(
            f"/organiser/events/{event.id}/attendees/new",
            data={**participant(first_name="Jean\x00"), "language": "fr"},
        ),
        client.post(
            f"/organiser/events/{event.id}/import",
            data={"file": (io.BytesIO(b"Nom;Prenom;E-mail\nA;B;a@example.org\n"), "a\x00.csv")},
            content_type="multipart/form-data",
        ),
    ]
    assert [a.status_code for a in answers] == [400] * len(answers)
    assert "Requête invalide" in answers[0].get_data(as_text=True)  # the friendly page
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(ImportUpload)) == 0


def test_catalogue_filters_refuse_a_blank_choice(check, client, factory):
    """kind=" " or region=" " passed validation (Optional() accepts whitespace and clears the
    "not a valid choice" error) and reached the query: 500 (Region(" ") / the PostgreSQL enum).
    Now a 400 with the catalogue; the empty "all" choice still works."""
    factory.event(title_fr="Congrès France Bioproduction")
    for name in ("kind", "region", "organisation"):
        assert check(client.get("/", query_string={name: " "})).status_code == 400, name
        assert check(client.get("/", query_string={name: ""})).status_code == 200, name
    assert check(client.get("/", query_string={"region": "idf"})).status_code == 200
    page = client.get("/", query_string={"kind": "", "region": "", "q": "Bioproduction"})
    assert "Congrès France Bioproduction" in page.get_data(as_text=True)


def test_attendee_edit_without_the_optional_fields(check, client, factory, db, login):
    """A submission without job_title / organisation_name (a script, an old form) set them to
    NULL: IntegrityError, 500. Now they are saved empty."""
    org = factory.organisation()
    event = factory.event(organisers=[org])
    registration = factory.registration(event)
    login(factory.user(org, "manager"))
    url = f"/organiser/events/{event.id}/attendees/{registration.id}/edit"
    data = {"first_name": "Léa", "last_name": "Durand", "category": "biotech", "region": "idf"}
    assert check(client.post(url, data=data)).status_code == 302
    db.session.expire_all()
    assert (registration.first_name, registration.job_title) == ("Léa", "")
    assert registration.organisation_name == ""
