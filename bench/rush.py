"""The registration rush: many distinct participants open the real registration form (each in
their own session, with the CSRF token of that session), then all submit at once. Afterwards
the database must hold exactly what the answers promised: no seat sold twice, no success
answer without its row, no duplicate.

Used by `make bench` (2,000 people, 500 seats, on gunicorn) and by the test suite
(tests/bench/test_rush.py: 50 people, 10 seats, on the live test server).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from bench import harness

SUCCESS_CODES = (302, 303)


@dataclass
class Client:
    """One participant: their session cookie and the CSRF token of their form."""

    n: int
    email: str
    cookie: str = ""
    token: str = ""


@dataclass
class Answer:
    """What the server told one participant when they submitted."""

    email: str
    status: int  # 0: no HTTP answer (connection error)
    success: bool  # redirected to the "you are registered" page
    ids: list[int] = field(default_factory=list)  # registration ids in the signed session
    seconds: float = 0.0


@dataclass
class Row:
    id: int
    email: str
    status: str


def form_data(client: Client) -> dict:
    return {
        "csrf_token": client.token,
        "first_name": "Participant",
        "last_name": f"Rush {client.n}",
        "email": client.email,
        "organisation_name": "Bioproduction SAS",
        "job_title": "Responsable procédés",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
        "homepage": "",
    }


def open_forms(target, slug: str, count: int, concurrency: int) -> tuple[list[Client], dict]:
    """Phase 1: every participant GETs the form in a new session (cookie + CSRF token)."""
    path = f"/events/{slug}/register"
    clients = [Client(n, f"rush{n}.{slug}@bench.example.org") for n in range(count)]

    def run(conn, client: Client) -> harness.Response:
        response = harness.request(conn, "GET", path)
        if response.status == 200:
            client.cookie = harness.session_cookie(response)
            client.token = harness.csrf_token(response.body)
        return response

    responses, wall = harness.load(target, clients, concurrency, run)
    return clients, harness.summary(responses, wall)


def submit_forms(
    target, slug: str, clients: list[Client], concurrency: int, secret: str
) -> tuple[list[Answer], dict]:
    """Phase 2: every participant POSTs the form with their cookie and token, all at once."""
    path = f"/events/{slug}/register"
    done = f"/events/{slug}/registered"

    def run(conn, client: Client) -> harness.Response:
        body = urlencode(form_data(client)).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": client.cookie}
        return harness.request(conn, "POST", path, body, headers)

    responses, wall = harness.load(target, clients, concurrency, run)
    answers = []
    for client, response in zip(clients, responses, strict=True):
        if not isinstance(response, harness.Response):
            answers.append(Answer(client.email, 0, False))
            continue
        success = response.status in SUCCESS_CODES and harness.location_path(response) == done
        ids = []
        if success:
            data = harness.session_data(harness.session_cookie(response), secret)
            ids = [int(i) for i in (data.get("registration_done") or {}).get("ids", [])]
        answers.append(Answer(client.email, response.status, success, ids, response.seconds))
    return answers, harness.summary(responses, wall)


def check(rows: list[Row], answers: list[Answer], capacity: int) -> dict:
    """Compare the database with the answers. `rows`: the event's registrations afterwards.

    - oversold: confirmed registrations beyond the capacity;
    - lost: success answers whose registration (the id the server put in the participant's
      signed session, with the participant's e-mail) is not in the database;
    - duplicates: extra live registrations for the same e-mail;
    - server_errors: 5xx answers and requests that got no answer at all;
    - expected: the database holds exactly min(capacity, people) confirmed and the rest
      waitlisted, one registration per participant.
    """
    live = [r for r in rows if r.status != "cancelled"]
    statuses = Counter(r.status for r in rows)
    by_id = {r.id: r for r in rows}
    per_email = Counter(r.email for r in live)
    lost = sum(
        1
        for a in answers
        if a.success
        and (not a.ids or any(i not in by_id or by_id[i].email != a.email for i in a.ids))
    )
    people = len(answers)
    confirmed, waitlisted = statuses.get("confirmed", 0), statuses.get("waitlisted", 0)
    expected_confirmed = min(capacity, people)
    return {
        "people": people,
        "capacity": capacity,
        "succeeded": sum(1 for a in answers if a.success),
        "failed": sum(1 for a in answers if not a.success),
        "server_errors": sum(1 for a in answers if a.status == 0 or a.status >= 500),
        "confirmed": confirmed,
        "waitlisted": waitlisted,
        "rows": len(rows),
        "oversold": max(confirmed - capacity, 0),
        "lost": lost,
        "duplicates": sum(count - 1 for count in per_email.values() if count > 1),
        "exact": confirmed == expected_confirmed
        and waitlisted == people - expected_confirmed
        and len(rows) == people,
    }


def passed(result: dict) -> bool:
    return (
        result["oversold"] == 0
        and result["lost"] == 0
        and result["duplicates"] == 0
        and result["server_errors"] == 0
        and result["failed"] == 0
        and result["exact"]
    )
