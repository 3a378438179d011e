"""The public pages' short cache (eventapp/public/pagecache.py): a reader without cookies may get
a page up to PUBLIC_PAGE_CACHE_SECONDS old, and a new registration shows on it within 2 s;
anyone with a session, and each language, gets their own page."""

import time

import pytest

from config import Config
from eventapp.public import pagecache


@pytest.fixture(autouse=True)
def _cache_on(app, monkeypatch):
    """The production setting (the suite runs with the cache off)."""
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", Config.PUBLIC_PAGE_CACHE_SECONDS)
    pagecache.clear()
    yield
    pagecache.clear()


def _page(app, path, **headers):
    response = app.test_client().get(path, headers=headers)  # a new reader: no cookie
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_a_new_registration_shows_on_the_event_page_within_two_seconds(app, db, factory):
    assert 0 < Config.PUBLIC_PAGE_CACHE_SECONDS <= 2
    event = factory.event(capacity=10)
    db.session.commit()
    assert "10 places restantes" in _page(app, f"/events/{event.slug}")
    factory.registration(event)
    db.session.commit()
    registered = time.monotonic()
    while "9 places restantes" not in _page(app, f"/events/{event.slug}"):
        assert time.monotonic() - registered <= 2.0, "the page still shows 10 places after 2 s"
        time.sleep(0.05)


def test_the_catalogue_and_tour_pages_catch_up_within_two_seconds(app, db, factory):
    tour = factory.event(title_fr="Le Tour", kind="tour", capacity=None)
    db.session.commit()
    pages = {"/": "Journée du cache", f"/events/{tour.slug}": "Colmar"}
    for path, title in pages.items():
        assert title not in _page(app, path)  # now in the cache
    factory.event(title_fr="Journée du cache", capacity=5)
    factory.event(kind="stage", parent_id=tour.id, position=1, city="Colmar", capacity=5)
    db.session.commit()
    changed = time.monotonic()
    for path, title in pages.items():
        while title not in _page(app, path):
            assert time.monotonic() - changed <= 2.0, path
            time.sleep(0.05)


def test_a_cached_page_runs_no_sql_and_a_reader_with_a_session_is_never_served_it(
    app, db, factory, monkeypatch, query_counter, login
):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    event = factory.event(capacity=10)
    db.session.commit()
    path = f"/events/{event.slug}"
    assert "10 places restantes" in _page(app, path)
    factory.registration(event)
    db.session.commit()
    with query_counter() as statements:
        page = _page(app, path)
    assert "10 places restantes" in page and statements == []  # from the cache
    organiser = factory.user()
    client = app.test_client()
    login(organiser, c=client)
    fresh = client.get(path).get_data(as_text=True)
    assert "9 places restantes" in fresh  # a session (here logged in): the live page
    assert "10 places restantes" not in fresh


def test_each_language_has_its_own_page_and_errors_are_not_kept(app, db, factory, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_PAGE_CACHE_SECONDS", 60)
    event = factory.event(capacity=10)
    db.session.commit()
    path = f"/events/{event.slug}"
    assert "10 places restantes" in _page(app, path, **{"Accept-Language": "fr"})
    assert "10 places left" in _page(app, path, **{"Accept-Language": "en"})
    assert "10 places restantes" in _page(app, path, **{"Accept-Language": "fr"})
    assert app.test_client().get("/events/no-such-event").status_code == 404
    assert not [key for key in pagecache._pages if key[0].startswith("/events/no-such-event")]
