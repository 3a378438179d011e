"""Open redirects: every redirect target taken from the request (login's and the language
switch's `next=`, the `next` field of the attendee action forms) only ever leads to a page of
this site. Absolute, scheme-relative, backslash, `javascript:`, control-character and encoded
variants are refused (the fallback page is used instead)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eventapp.helpers import safe_next

SITE = "https://eventapp.example/"
ATTACKS = [
    "https://evil.example/",
    "http://evil.example",
    "HTTPS://evil.example",
    "//evil.example",
    "///evil.example",
    "////evil.example/",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "http:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(document.domain)",
    "data:text/html,<script>alert(1)</script>",
    " //evil.example",
    "\t//evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example@eventapp.example",
    "/%2F%2Fevil.example",  # percent-encoded once more than the query string: stays a path
    "%2F%2Fevil.example",
    "%5C%5Cevil.example",
    "evil.example",
    "@evil.example",
    "",
]


# The routes are each walked with a representative set (every kind of trick); `safe_next`
# itself meets all of them, and hypothesis' own, below.
ROUTE_ATTACKS = [
    "https://evil.example/",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "\t//evil.example",
    "/\r\n/evil.example",
    "/%2F%2Fevil.example",
    "evil.example",
]


def lands_on_this_site(location: str) -> bool:
    """What a browser does with a Location header: tabs and line breaks dropped, backslashes
    read as slashes, then resolved against the current page."""
    browser_view = re.sub(r"[\t\r\n]", "", location).strip().replace("\\", "/")
    target = urlsplit(urljoin(SITE + "some/page", browser_view))
    return target.scheme == "https" and target.netloc == "eventapp.example"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.one_of(
        st.sampled_from(ATTACKS),
        st.text(st.sampled_from("/\\:@.%\t\n \x00evil.examplehtps"), max_size=30),
        st.text(max_size=30),
    )
)
def test_safe_next_only_returns_paths_of_this_site(app, target):
    with app.test_request_context():
        location = safe_next(target, "public.home")
    assert lands_on_this_site(location), (target, location)
    assert location == "/" or location == target.strip()  # the target itself, or the home page


def test_safe_next_keeps_real_local_paths(app):
    with app.test_request_context():
        for path in ("/events/congres-2026?tab=stages", "/organiser/events/3/attendees?q=x%40y"):
            assert safe_next(path) == path


@pytest.fixture
def organiser(factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org], capacity=1)
    user = factory.user(org, "manager")
    return {"org": org, "event": event, "user": user}


def _assert_local(response, attack):
    assert response.status_code == 302, (attack, response.status_code)
    location = response.headers["Location"]
    assert lands_on_this_site(location), (attack, location)
    return location


def test_login_next_refuses_foreign_targets(client, factory):
    user = factory.user(factory.organisation())
    for attack in ROUTE_ATTACKS:
        response = client.post(
            "/auth/login",
            query_string={"next": attack},
            data={"email": user.email, "password": "correct horse battery"},
        )
        assert _assert_local(response, attack) in ("/organiser/start", attack)
        # Already logged in: the login page sends on to `next` at once.
        response = client.get("/auth/login", query_string={"next": attack})
        assert _assert_local(response, attack) in ("/organiser/start", attack)
        client.post("/auth/logout")
    # Control: a page of the site is where the login leads.
    response = client.post(
        "/auth/login",
        query_string={"next": "/organiser/events/new"},
        data={"email": user.email, "password": "correct horse battery"},
    )
    assert response.headers["Location"] == "/organiser/events/new"


def test_language_switch_refuses_foreign_targets(client, factory):
    event = factory.event()
    for attack in ATTACKS:  # (cheap: no login, no database write)
        for code in ("fr", "en", "xx"):
            response = client.get(f"/language/{code}", query_string={"next": attack})
            assert _assert_local(response, attack) in ("/", attack)
    response = client.get("/language/en", query_string={"next": f"/events/{event.slug}"})
    assert response.headers["Location"] == f"/events/{event.slug}"


def test_attendee_actions_refuse_foreign_next(client, factory, login, organiser):
    event = organiser["event"]
    login(organiser["user"])
    for n, attack in enumerate(ROUTE_ATTACKS):
        registration = factory.registration(event, status="waitlisted")
        base = f"/organiser/events/{event.id}/attendees/{registration.id}"
        for action in ("promote", "cancel", "reconfirm"):
            response = client.post(
                f"{base}/{action}", data={"next": attack, "override_capacity": "y"}
            )
            location = _assert_local(response, (action, attack, n))
            assert location in ("/organiser/", attack), (action, attack, location)
    registration = factory.registration(event, status="waitlisted")
    base = f"/organiser/events/{event.id}/attendees/{registration.id}"
    back = f"/organiser/events/{event.id}/attendees?status=all"
    assert client.post(f"{base}/cancel", data={"next": back}).headers["Location"] == back
    assert client.post(f"{base}/reconfirm", data={}).headers["Location"] == base


def test_every_redirect_from_request_data_goes_through_safe_next():
    """Source check: a redirect built from request values (args, form, referrer, headers)
    must be wrapped in helpers.safe_next, so a new route cannot forget it."""
    root = Path(__file__).resolve().parents[2] / "eventapp"
    offenders = []
    for source in root.rglob("*.py"):
        text = source.read_text()
        for number, line in enumerate(text.splitlines(), start=1):
            if "redirect(" in line and "request." in line and "safe_next(" not in line:
                offenders.append(f"{source.name}:{number}: {line.strip()}")
        # A helper returning request data for a redirect must use safe_next too.
        for match in re.finditer(r"request\.(?:args|form|values)\.get\(\"next\"\)", text):
            window = text[match.start() - 200 : match.end() + 200]
            if "safe_next(" not in window:
                offenders.append(f"{source.name}: `next` read without safe_next nearby")
        if "request.referrer" in text:
            offenders.append(f"{source.name}: request.referrer (never redirect to it)")
    assert offenders == []
