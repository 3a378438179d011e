"""Seat limits hold through HTTP: many people POST the real registration form to the live
server (threaded, CSRF on, each client with its own session and token) at the same instant."""

import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from sqlalchemy import func, select

from eventapp.models import Registration
from eventapp.services.counts import taken_count

pytestmark = pytest.mark.slow
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """One participant: a cookie jar (their session) and the CSRF token of their form."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        self.token = None

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            page = response.read().decode()
        match = TOKEN.search(page)
        if match:
            self.token = match.group(1)
        return page

    def post(self, path: str, data: dict) -> tuple[int, str]:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}, doseq=True).encode()
        with self.opener.open(self.base + path, data=body, timeout=120) as response:
            return response.status, response.url


def _person(n: int) -> dict:
    return {
        "first_name": "Participant",
        "last_name": f"N{n}",
        "email": f"participant{n}@example.org",
        "organisation_name": "Biotech",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }


def _race(jobs):
    """Run the jobs in threads released together; return the errors they raised."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def run(job):
        try:
            job(barrier)
        except Exception as error:
            detail = error.read()[:300] if isinstance(error, urllib.error.HTTPError) else ""
            errors.append(f"{error!r} {detail!r}")

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    return errors


def _counts(db, event_id):
    db.session.rollback()
    return dict(
        db.session.execute(
            select(Registration.status, func.count())
            .where(Registration.event_id == event_id)
            .group_by(Registration.status)
        ).all()
    )


def test_fifty_simultaneous_http_registrations_for_ten_seats(live_server, db, factory):
    event = factory.event(capacity=10)
    path = f"/events/{event.slug}/register"
    results = []

    def participant(n):
        browser = Browser(live_server)
        browser.get(path)

        def job(barrier):
            barrier.wait(timeout=60)
            status, url = browser.post(path, _person(n))
            results.append((status, url.endswith(f"/events/{event.slug}/registered")))

        return job

    errors = _race([participant(n) for n in range(50)])
    assert errors == []
    assert len(results) == 50 and all(r == (200, True) for r in results)
    assert _counts(db, event.id) == {"confirmed": 10, "waitlisted": 40}


def test_cancellations_racing_new_registrations_keep_confirmed_within_capacity(
    live_server, db, factory
):
    event = factory.event(capacity=10)
    seated = [factory.registration(event, status="confirmed") for _ in range(10)]
    for _ in range(5):
        factory.registration(event, status="waitlisted")
    path = f"/events/{event.slug}/register"

    def canceller(registration):
        browser = Browser(live_server)
        browser.get(f"/r/{registration.manage_token}/cancel")

        def job(barrier):
            barrier.wait(timeout=60)
            browser.post(f"/r/{registration.manage_token}/cancel", {})

        return job

    def newcomer(n):
        browser = Browser(live_server)
        browser.get(path)

        def job(barrier):
            barrier.wait(timeout=60)
            browser.post(path, _person(100 + n))

        return job

    jobs = [canceller(r) for r in seated] + [newcomer(n) for n in range(30)]
    errors = _race(jobs)
    assert errors == []
    counts = _counts(db, event.id)
    assert counts["cancelled"] == 10
    # Every freed seat was refilled (confirmed, or held by an offer), never overfilled.
    assert taken_count(event.id) == 10
    assert counts.get("confirmed", 0) + counts["waitlisted"] == 5 + 30
