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


# The forms a rush can run on (bench/seed.py: rush_event builds them).
FORMS = ("none", "congress", "fifteen")
LIMITED = "atelier_a"  # the fifteen-question form's option with a seat limit


@dataclass
class Client:
    """One participant: their session cookie and the CSRF token of their form; `keys`: the
    form's questions ({identifier: input name}), which they answer (`answers`)."""

    n: int
    email: str
    cookie: str = ""
    token: str = ""
    keys: dict = field(default_factory=dict)


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


def chooses_limited(n: int) -> bool:
    """One participant in 20 asks for the fifteen-question form's limited workshop A."""
    return n % 20 == 0


def limited_choosers(people: int) -> int:
    return sum(1 for n in range(people) if chooses_limited(n))


def answers(n: int, keys: dict[str, str]) -> dict:
    """Participant n's answers to the questions the form has (none for the bare form): every
    tenth picks the "other" diet (a conditional field), every third wants B2B meetings (two
    conditional fields)."""
    wanted = {
        "diet": "other" if n % 10 == 0 else ("vegetarian" if n % 7 == 0 else "none"),
        "gala": "yes" if n % 2 else "no",
        "photo_consent": "y" if n % 4 else "",
        "b2b": "yes" if n % 3 == 0 else "no",
        "years": str(n % 40),
        "arrival": "2027-03-1" + str(n % 10),
        "country": "FR" if n % 5 else "BE",
        "phone": "06 12 34 56 78",
        "assistant": f"assistant{n}@bench.example.org",
        "website": "https://bioproduction.example.org",
        "topics": ["t1", "t3"] if n % 2 else ["t2"],
    }
    if wanted["diet"] == "other":
        wanted["diet_other"] = "Sans lactose"
    if wanted["b2b"] == "yes":
        wanted["b2b_offer"] = "Capacités de production en lots cliniques"
        wanted["b2b_seek"] = "Un partenaire CDMO pour la phase II"
    if "years" in keys:  # the fifteen-question form: the workshop is required
        wanted["workshop"] = LIMITED if chooses_limited(n) else ("atelier_b", "atelier_c")[n % 2]
    elif n % 50 == 0:  # the congress form: optional, 40 places each (5,000 people: 33 each)
        wanted["workshop"] = ("atelier_a", "atelier_b", "atelier_c")[(n // 50) % 3]
    return {keys[k]: v for k, v in wanted.items() if k in keys and v != ""}


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
        **answers(client.n, client.keys),
    }


def open_forms(
    target, slug: str, count: int, concurrency: int, keys: dict | None = None
) -> tuple[list[Client], dict]:
    """Phase 1: every participant GETs the form in a new session (cookie + CSRF token)."""
    path = f"/events/{slug}/register"
    clients = [
        Client(n, f"rush{n}.{slug}@bench.example.org", keys=keys or {}) for n in range(count)
    ]

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
        body = urlencode(form_data(client), doseq=True).encode()
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


def check(rows: list[Row], answers: list[Answer], capacity: int, refused: int = 0) -> dict:
    """Compare the database with the answers. `rows`: the event's registrations afterwards.

    - oversold: confirmed registrations beyond the capacity;
    - lost: success answers whose registration (the id the server put in the participant's
      signed session, with the participant's e-mail) is not in the database;
    - duplicates: extra live registrations for the same e-mail;
    - server_errors: 5xx answers and requests that got no answer at all;
    - expected: the database holds exactly min(capacity, people) confirmed and the rest
      waitlisted, one registration per participant;
    - refused: how many must be refused (4xx, nothing saved: those who chose a limited option
      once its places were gone); `failed` counts every answer that is not a success.
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
    people = len(answers) - refused
    confirmed, waitlisted = statuses.get("confirmed", 0), statuses.get("waitlisted", 0)
    expected_confirmed = min(capacity, people)
    return {
        "people": len(answers),
        "refused_expected": refused,
        "capacity": capacity,
        "succeeded": sum(1 for a in answers if a.success),
        "failed": sum(1 for a in answers if not a.success),
        "server_errors": sum(1 for a in answers if a.status == 0 or a.status >= 500),
        "refused_4xx": sum(1 for a in answers if 400 <= a.status < 500),
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
        and result["failed"] == result["refused_4xx"] == result["refused_expected"]
        and result["exact"]
    )
