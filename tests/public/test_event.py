"""Event and tour pages, calendar files and the live availability endpoint."""

import html
from datetime import timedelta

from icalendar import Calendar

from eventapp.models import utcnow
from eventapp.services import calendar


def _get(client, url, **kw):
    response = client.get(url, **kw)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_event_page_shows_dates_place_description_organisers_and_register(client, factory):
    lead = factory.organisation(name="Medicen Paris Region", short_name="Medicen")
    co = factory.organisation(name="Polepharma", short_name="Polepharma")
    event = factory.event(
        organisers=[lead, co],
        title_fr="Congrès France Bioproduction 2026",
        description_fr="Premier paragraphe.\n\nDeuxième <b>paragraphe</b>.",
        venue="Maison de la Chimie",
        address="28 rue Saint-Dominique",
        city="Paris",
        capacity=500,
    )
    status, page = _get(client, f"/events/{event.slug}")
    assert status == 200
    assert "<h1>Congrès France Bioproduction 2026</h1>" in page
    assert "Maison de la Chimie" in page and "28 rue Saint-Dominique" in page
    assert "<p>Premier paragraphe.</p>" in page
    assert "Deuxième <b>paragraphe</b>." in page  # shown as text (escaped in the HTML)
    assert "<b>paragraphe" not in client.get(f"/events/{event.slug}").get_data(as_text=True)
    assert "Medicen Paris Region" in page and "Polepharma" in page
    assert "Co-organisateur" in page
    assert "500 places restantes" in page
    assert f'href="/events/{event.slug}/register"' in page
    assert f'href="/events/{event.slug}/calendar.ics"' in page
    assert "heure de Paris" in page


def test_opengraph_tags_use_the_configured_base_url(client, factory):
    event = factory.event(title_fr="Journées du Biotesting", description_fr="Stratégies.")
    _, page = _get(client, f"/events/{event.slug}", headers={"Host": "evil.example"})
    assert '<meta property="og:title" content="Journées du Biotesting">' in page
    assert f'<meta property="og:url" content="http://127.0.0.1:5000/events/{event.slug}">' in page
    assert '<meta property="og:description" content="Stratégies.">' in page
    assert "evil.example" not in page


def test_dates_in_the_readers_language_and_paris_time(client, factory):
    from datetime import UTC, datetime

    event = factory.event(
        starts_at=datetime(2030, 12, 15, 8, 0, tzinfo=UTC),
        ends_at=datetime(2030, 12, 16, 16, 30, tzinfo=UTC),
        registration_closes_at=datetime(2030, 12, 14, 22, 59, tzinfo=UTC),
    )
    _, fr = _get(client, f"/events/{event.slug}")
    _, en = _get(client, f"/events/{event.slug}", headers={"Accept-Language": "en"})
    assert "15 déc. 2030" in fr and "09:00" in fr  # 08:00 UTC is 09:00 in Paris in winter
    assert "15 Dec 2030" in en and "Paris time" in en  # en-GB style
    assert "14 décembre 2030 à 23:59" in fr


def test_drafts_are_404_and_cancelled_events_say_so(client, factory):
    draft = factory.event(status="draft")
    assert client.get(f"/events/{draft.slug}").status_code == 404
    assert client.get(f"/events/{draft.slug}/calendar.ics").status_code == 404
    assert client.get(f"/events/{draft.slug}/register").status_code == 404
    tour = factory.event(kind="tour", status="draft", capacity=None)
    stage = factory.event(kind="stage", parent_id=tour.id, position=1)
    assert client.get(f"/events/{stage.slug}").status_code == 404
    assert client.get("/events/" + "x" * 500).status_code == 404
    cancelled = factory.event(status="cancelled", cancelled_at=utcnow())
    status, page = _get(client, f"/events/{cancelled.slug}")
    assert status == 200
    assert "Cet événement est annulé." in page
    assert "/register" not in page


def test_no_register_button_when_closed_and_past_events_show_attendance(client, factory):
    closed = factory.event(registration_closes_at=utcnow() - timedelta(hours=2))
    _, page = _get(client, f"/events/{closed.slug}")
    assert "Inscriptions closes" in page and f"/events/{closed.slug}/register" not in page
    past = factory.event(
        starts_at=utcnow() - timedelta(days=3), ends_at=utcnow() - timedelta(days=2)
    )
    for _ in range(4):
        factory.registration(past, checked_in_at=utcnow() - timedelta(days=3))
    factory.registration(past)  # registered, did not come
    _, page = _get(client, f"/events/{past.slug}")
    assert "4 participants" in page and "Participation finale" in page


def test_full_event_offers_the_waiting_list(client, factory):
    event = factory.event(capacity=1)
    factory.registration(event)
    factory.registration(event, status="waitlisted")
    _, page = _get(client, f"/events/{event.slug}")
    assert "Complet — liste d" in page
    assert "S’inscrire sur la liste d’attente" in page
    assert "1 personne sur la liste d’attente" in page


def test_online_event_hides_its_link_from_the_public(client, factory):
    event = factory.event(
        kind="webinar", venue=None, city=None, online_url="https://visio.example/secret-room"
    )
    _, page = _get(client, f"/events/{event.slug}")
    assert "En ligne" in page
    assert "secret-room" not in page
    for lang, where in (("fr", "En ligne"), ("en", "Online")):
        ics = client.get(f"/events/{event.slug}/calendar.ics", headers={"Accept-Language": lang})
        [vevent] = Calendar.from_ical(ics.data).walk("VEVENT")
        assert str(vevent["LOCATION"]) == where  # in the reader's language, never the link


def _tour(factory, org_a, org_b):
    tour = factory.event(
        organisers=[org_a], kind="tour", title_fr="Tour 2027", capacity=None, region="idf"
    )
    s1 = factory.event(
        organisers=[org_a],
        kind="stage",
        parent_id=tour.id,
        position=1,
        region="ges",
        regions=["ges"],
        city="Strasbourg",
        capacity=3,
        starts_at=utcnow() + timedelta(days=20),
    )
    s2 = factory.event(
        organisers=[org_b, org_a] if org_b is not org_a else [org_a],
        kind="stage",
        parent_id=tour.id,
        position=2,
        region="pdl",
        regions=["pdl", "bre"],
        city="Nantes",
        capacity=50,
        starts_at=utcnow() + timedelta(days=40),
    )
    hidden = factory.event(kind="stage", parent_id=tour.id, position=3, status="draft")
    return tour, s1, s2, hidden


def test_tour_page_lists_stages_in_order_with_map_and_counts(client, factory):
    a = factory.organisation(short_name="Medicen")
    b = factory.organisation(short_name="Atlanpole")
    tour, s1, s2, hidden = _tour(factory, a, b)
    for _ in range(3):
        factory.registration(s1)
    factory.registration(s1, status="waitlisted")
    factory.registration(s2)
    status, page = _get(client, f"/events/{tour.slug}")
    assert status == 200
    assert page.index("Strasbourg") < page.index("Nantes")
    assert "Grand Est" in page and "Pays de la Loire, Bretagne" in page
    assert "Atlanpole, Medicen" in page
    assert "4 inscriptions sur l’ensemble des étapes" in page
    assert "1 personne sur les listes d’attente" in page
    assert "Complet — liste d" in page and "49 places restantes" in page
    assert "3 inscrits" in page
    # The map: an inline SVG with the stages' regions highlighted and numbered markers.
    assert page.count('class="map-region is-marked"') == 3  # ges, pdl, bre
    assert page.count('class="map-marker"') == 2
    assert "Étape 1\u00a0: Strasbourg; Étape 2\u00a0: Nantes" in page
    assert hidden.title_fr not in page
    assert f"/events/{tour.slug}/register" in page


def test_stage_page_links_to_its_tour_and_registers_through_it(client, factory):
    a = factory.organisation()
    tour, s1, _s2, _ = _tour(factory, a, a)
    status, page = _get(client, f"/events/{s1.slug}")
    assert status == 200
    assert f'href="/events/{tour.slug}"' in page
    assert f"/events/{tour.slug}/register?stage={s1.id}" in page


def test_event_ics_and_feed(client, factory):
    event = factory.event(title_fr="Congrès ICS", venue="Palais", city="Lyon")
    factory.event(title_fr="Brouillon ICS", status="draft")
    factory.event(title_fr="Annulé ICS", status="cancelled")
    response = client.get(f"/events/{event.slug}/calendar.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    cal = Calendar.from_ical(response.data)
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Congrès ICS"
    assert "Palais" in str(vevent["LOCATION"])
    assert vevent.decoded("DTSTART") == event.starts_at.replace(microsecond=0) or (
        abs((vevent.decoded("DTSTART") - event.starts_at).total_seconds()) < 1
    )
    feed = Calendar.from_ical(client.get("/events.ics").data)
    summaries = {str(v["SUMMARY"]): str(v["STATUS"]) for v in feed.walk("VEVENT")}
    assert summaries["Congrès ICS"] == "CONFIRMED"
    assert summaries["Annulé ICS"] == "CANCELLED"
    assert "Brouillon ICS" not in summaries


def test_tour_ics_holds_its_public_stages(client, factory):
    a = factory.organisation()
    tour, s1, s2, _hidden = _tour(factory, a, a)
    cal = Calendar.from_ical(client.get(f"/events/{tour.slug}/calendar.ics").data)
    uids = {str(v["UID"]) for v in cal.walk("VEVENT")}
    assert uids == {calendar.event_uid(s1), calendar.event_uid(s2)}


def test_availability_json_for_live_updates(client, factory):
    event = factory.event(capacity=5)
    factory.registration(event)
    response = client.get(f"/events/{event.slug}/availability.json")
    assert response.status_code == 200
    assert response.json == {"state": "open", "free": 4, "text": "4 places restantes"}
    assert response.headers["Cache-Control"] == "no-store"


def test_event_page_query_count_is_small(client, factory, query_counter):
    org = factory.organisation()
    event = factory.event(organisers=[org, factory.organisation(), factory.organisation()])
    client.get(f"/events/{event.slug}")
    with query_counter() as queries:
        client.get(f"/events/{event.slug}")
    assert len(queries) <= 6
