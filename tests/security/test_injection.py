"""SQL-injection strings and LIKE wildcards are data: stored as typed, matched literally by every
search box (a search for `%` or `_` does not match everything), and the tables are all still there
afterwards. Line breaks cannot inject e-mail headers either."""

from __future__ import annotations

import csv
import html
import io

from sqlalchemy import func, inspect, select

from eventapp.extensions import db as _db
from eventapp.models import Event, OutboxMessage, Registration

INJECTIONS = [
    "' OR 1=1 --",
    '"; DROP TABLE registration; --',
    "Robert'); DROP TABLE event;--",
    '1\' UNION SELECT email FROM "user" --',
    "%",
    "_",
    "\\",
    "\\%\\_",
    "%' AND '%'='",
]


def _tables() -> set[str]:
    return set(inspect(_db.engine).get_table_names())


def _form(**kw) -> dict:
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea@example.org",
        "organisation_name": "Yposkesi",
        "job_title": "",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return data


def test_injection_strings_are_stored_as_typed(app, client, db, factory, login):
    tables = _tables()
    event = factory.event(capacity=100)
    for n, text in enumerate(INJECTIONS):
        data = _form(
            first_name=text,
            last_name=text,
            organisation_name=text,
            job_title=text,
            email=f"p{n}@example.org",
        )
        response = app.test_client().post(f"/events/{event.slug}/register", data=data)
        assert response.status_code == 302, text
    stored = db.session.execute(
        select(Registration.first_name, Registration.organisation_name, Registration.job_title)
    ).all()
    assert sorted(stored) == sorted((t, t, t) for t in INJECTIONS)

    # The organiser's side: an event title and an attendee correction.
    org = factory.organisation()
    other = factory.event(organisers=[org])
    reg = factory.registration(other)
    login(factory.user(org, "manager"))
    base = f"/organiser/events/{other.id}"
    for text in INJECTIONS:
        fields = {"first_name": text, "last_name": text, "category": "biotech", "region": ""}
        response = client.post(f"{base}/attendees/{reg.id}/edit", data=fields)
        assert response.status_code == 302, text
        db.session.expire_all()
        assert (reg.first_name, reg.last_name) == (text, text)
    assert _tables() == tables
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2


def test_the_catalogue_search_matches_titles_literally(client, factory):
    titles = {
        "percent": "Bioproduction 100% française",
        "underscore": "Atelier mab_design",
        "backslash": "Chemin C:\\bioprod",
        "quote": "L'usine du futur",
        "plain": "Congrès France Bioproduction",
    }
    for key, title in titles.items():
        factory.event(slug=f"e-{key}", title_fr=title, title_en=title)

    def found(q: str) -> set[str]:
        page = html.unescape(client.get("/", query_string={"q": q}).get_data(as_text=True))
        return {key for key, title in titles.items() if title in page}

    assert found("%") == {"percent"}
    assert found("_") == {"underscore"}
    assert found("\\") == {"backslash"}
    assert found("'") == {"quote"}
    assert found("' OR 1=1 --") == set()
    assert found("%' OR '%'='") == set()
    assert found('"; DROP TABLE event; --') == set()
    assert found("bioprod") == {"percent", "backslash", "plain"}
    assert len(found("")) == len(titles)  # the control: no search shows them all


def test_the_attendee_search_export_and_mailing_filters_match_literally(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=None)
    names = {
        "percent": "Cent%",
        "underscore": "Mab_Design",
        "backslash": "Back\\slash",
        "quote": "O'Neil",
        "injection": "' OR 1=1 --",
        "plain1": "Durand",
        "plain2": "Martin",
    }
    for key, name in names.items():
        factory.registration(event, last_name=name, email=f"{key}@example.org")
    login(factory.user(org, "manager"))
    base = f"/organiser/events/{event.id}"

    def listed(q: str) -> set[str]:
        page = html.unescape(
            client.get(f"{base}/attendees", query_string={"q": q}).get_data(as_text=True)
        )
        return {
            key for key, name in names.items() if name.upper() in page.upper()
        }  # « Prénom NOM »

    def exported(q: str) -> set[str]:
        response = client.get(f"{base}/attendees/export.csv", query_string={"q": q}, buffered=True)
        rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
        last_names = {row[0] for row in rows[1:]}
        # (a value starting like a formula comes with the export's apostrophe before it)
        return {k for k, name in names.items() if {name, "'" + name} & last_names}

    def mailing_audience(q: str) -> str:
        page = client.post(
            f"{base}/mailings/new", data={"q": q, "subject": "S", "body": "B", "step": "preview"}
        )
        assert page.status_code == 200
        return html.unescape(page.get_data(as_text=True))

    for q, expected in (
        ("%", {"percent"}),
        ("_", {"underscore"}),
        ("\\", {"backslash"}),
        ("'", {"quote", "injection"}),
        ("' OR 1=1 --", {"injection"}),
        ("%'--", set()),
    ):
        assert listed(q) == expected, q
        assert exported(q) == expected, q
    assert listed("") == set(names)  # the control
    assert "À 1 personne" in mailing_audience("%")
    assert "À 1 personne" in mailing_audience("_")
    assert f"À {len(names)} personnes" in mailing_audience("")


def test_the_desk_search_needs_two_letters_or_digits(client, factory, login):
    """On the desk, punctuation matches any character (O'Neil = O’Neil); a query made only of
    punctuation (%%, __, '') matched everyone: it now asks for two letters, like a one-letter
    query does."""
    org = factory.organisation()
    event = factory.event(organisers=[org])
    for name in ("Durand", "Martin", "Cent%", "O'Neil"):
        factory.registration(event, last_name=name)
    login(factory.user(org, "checkin"))
    url = f"/organiser/events/{event.id}/checkin/search"
    for q in ("%%", "__", "''", "%_%", "--", ". ."):
        answer = client.get(url, query_string={"q": q}).json
        assert answer["results"] == [], q
        assert answer["message"] == "Tapez au moins deux lettres.", q
    assert [r["name"] for r in client.get(url, query_string={"q": "O'Neil"}).json["results"]] == [
        "Camille O'NEIL"
    ]
    assert len(client.get(url, query_string={"q": "cent%"}).json["results"]) == 1
    assert client.get(url, query_string={"q": "' OR 1=1 --"}).json["results"] == []


def test_logins_and_resets_with_injection_strings_open_nothing(client, db, factory):
    user = factory.user(factory.organisation())
    for text in INJECTIONS:
        response = client.post("/auth/login", data={"email": text, "password": text})
        assert response.status_code in (400, 401), text
        response = client.post("/auth/login", data={"email": user.email, "password": text})
        assert response.status_code == 401, text
        assert client.post("/auth/password/forgot", data={"email": text}).status_code in (302, 400)
    assert client.get("/organiser/").status_code == 302  # still logged out
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_line_breaks_cannot_inject_mail_headers(client, db, factory, login, mail_outbox):
    """A subject is one header line: line breaks in a mailing's subject, or in a name put into
    it with {first_name} (an imported cell can hold one), used to make every such message fail
    to send (BadHeaderError), for ever. They are now spaces, and the message goes out."""
    org = factory.organisation()
    event = factory.event(organisers=[org])
    factory.registration(event, first_name="Léa\r\nBcc: victim@example.org", email="a@example.org")
    login(factory.user(org, "manager"))
    response = client.post(
        f"/organiser/events/{event.id}/mailings/new",
        data={"subject": "Infos\rCc: victim@example.org {first_name}", "body": "B", "step": "send"},
    )
    assert response.status_code == 302
    [message] = db.session.scalars(select(OutboxMessage)).all()
    assert message.status == "sent", message.last_error
    [sent] = mail_outbox
    assert sent.to == ["a@example.org"] and not sent.cc and not sent.bcc
    assert sent.subject == "Infos Cc: victim@example.org Léa Bcc: victim@example.org"
    assert "victim" not in str(sent.message()["To"]) and sent.message()["Cc"] is None
