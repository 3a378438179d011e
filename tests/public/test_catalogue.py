"""The public catalogue: what is listed, filters, wording of availability, no N+1."""

import html
from datetime import timedelta

import pytest

from eventapp.models import utcnow


def _page(client, url="/", **kw):
    response = client.get(url, **kw)
    return response.status_code, html.unescape(response.get_data(as_text=True))


def test_upcoming_and_past_are_separate_and_drafts_never_listed(client, factory):
    factory.event(title_fr="Congrès à venir")
    factory.event(title_fr="Brouillon caché", status="draft")
    factory.event(
        title_fr="Congrès passé",
        starts_at=utcnow() - timedelta(days=40),
        ends_at=utcnow() - timedelta(days=39),
    )
    status, page = _page(client, "/events")
    assert status == 200
    assert "Congrès à venir" in page and "Congrès passé" not in page
    assert "Brouillon caché" not in page
    status, page = _page(client, "/events?when=past")
    assert "Congrès passé" in page and "Congrès à venir" not in page
    assert "Brouillon caché" not in page


def test_cards_show_dates_city_organisers_and_availability_wording(client, factory):
    org = factory.organisation(short_name="Polepharma")
    co = factory.organisation(short_name="Medicen")
    roomy = factory.event(
        organisers=[org, co], title_fr="Places libres", capacity=120, city="Tours"
    )
    full = factory.event(title_fr="Complet", capacity=1)
    factory.registration(full)
    factory.event(
        title_fr="Fermé", registration_closes_at=utcnow() - timedelta(hours=1), capacity=10
    )
    factory.event(title_fr="Annulé ici", status="cancelled")
    factory.event(title_fr="Bientôt", registration_opens_at=utcnow() + timedelta(days=3))
    for _ in range(3):
        factory.registration(roomy)
    _, page = _page(client)
    assert "117 places restantes" in page
    assert "Polepharma, Medicen" in page and "Tours" in page
    assert "Complet — liste d’attente ouverte" in page
    assert "Inscriptions closes" in page
    assert "Annulé" in page
    assert "Les inscriptions ouvrent le" in page


def test_english_wording(client, factory):
    factory.event(title_en="Open congress", capacity=10)
    _, page = _page(client, headers={"Accept-Language": "en"})
    assert "Open congress" in page and "10 places left" in page


def test_past_events_show_attendance(client, factory):
    past = factory.event(
        title_fr="Passé",
        starts_at=utcnow() - timedelta(days=10),
        ends_at=utcnow() - timedelta(days=9),
    )
    factory.registration(past, checked_in_at=utcnow() - timedelta(days=10))
    factory.registration(past, checked_in_at=utcnow() - timedelta(days=10))
    factory.registration(past)
    _, page = _page(client, "/?when=past")
    assert "2 participants" in page


@pytest.mark.parametrize(
    ("query", "expected", "absent"),
    [
        ("kind=webinar", "Webinaire santé", "Congrès Lyon"),
        ("region=ara", "Congrès Lyon", "Webinaire santé"),
        ("q=lyon", "Congrès Lyon", "Webinaire santé"),
        ("q=HEALTH", "Webinaire santé", "Congrès Lyon"),
        ("q=100%25", "Nothing", "Congrès Lyon"),
        ("q=congres", "Congrès Lyon", "Webinaire santé"),  # accents are optional
        ("q=SANTE+webinaire", "Webinaire santé", "Congrès Lyon"),  # every word, any order
        ("q=lyon+sante", "Nothing", "Congrès Lyon"),
        ("q=%5B(.*", "Nothing", "Congrès Lyon"),  # regular-expression characters are text
        ("q=ly.n", "Nothing", "Congrès Lyon"),
    ],
)
def test_filters(client, factory, query, expected, absent):
    factory.event(title_fr="Congrès Lyon", title_en="Lyon congress", region="ara", city="Lyon")
    factory.event(
        title_fr="Webinaire santé", title_en="Health webinar", kind="webinar", region="idf"
    )
    status, page = _page(client, f"/events?{query}")
    assert status == 200
    if expected != "Nothing":
        assert expected in page
    assert absent not in page


def test_organisation_filter_includes_tours_with_a_stage_it_runs(client, factory):
    lead = factory.organisation(slug="medicen", short_name="Medicen")
    stage_org = factory.organisation(slug="clubster", short_name="Clubster")
    other = factory.organisation(slug="other", short_name="Other")
    tour = factory.event(organisers=[lead], title_fr="Le Tour", kind="tour", capacity=None)
    factory.event(organisers=[stage_org], kind="stage", parent_id=tour.id, position=1)
    factory.event(organisers=[other], title_fr="Autre congrès")
    _, page = _page(client, "/events?organisation=clubster")
    assert "Le Tour" in page and "Autre congrès" not in page
    _, page = _page(client, "/events?organisation=other")
    assert "Autre congrès" in page and "Le Tour" not in page


def test_a_region_of_a_stage_finds_its_tour(client, factory):
    tour = factory.event(title_fr="Le Tour", kind="tour", capacity=None, regions=["idf", "ges"])
    factory.event(kind="stage", parent_id=tour.id, position=1, region="ges")
    _, page = _page(client, "/events?region=ges")
    assert "Le Tour" in page


@pytest.mark.parametrize(
    "query", ["kind=zzz", "region=mars", "organisation=nobody", "q=" + "x" * 300]
)
def test_invalid_filters_answer_400_with_a_message_not_500(client, factory, query):
    factory.event(title_fr="Visible quand même")
    status, page = _page(client, f"/events?{query}")
    assert status == 400
    assert "Visible quand même" in page
    assert "ne sont pas valides" in page


def test_pagination_in_sql(app, client, factory):
    app.config["CATALOGUE_PAGE_SIZE"] = 2
    try:
        for n in range(5):
            factory.event(title_fr=f"Événement {n}", starts_at=utcnow() + timedelta(days=10 + n))
        _, first = _page(client, "/events")
        _, third = _page(client, "/events?page=3")
        _, beyond = _page(client, "/events?page=99")
    finally:
        app.config["CATALOGUE_PAGE_SIZE"] = 24
    assert "Événement 0" in first and "Événement 2" not in first
    assert "Page 1 sur 3" in first
    assert "Événement 4" in third and "Événement 0" not in third
    assert "Événement" not in beyond.split("results-title")[1].split("</h2>")[1][:200]


def test_catalogue_query_count_does_not_grow_with_events(client, factory, query_counter):
    org = factory.organisation()

    def make(n):
        for _ in range(n):
            event = factory.event(organisers=[org])
            factory.registration(event)
            tour = factory.event(organisers=[org], kind="tour", capacity=None)
            stage = factory.event(organisers=[org], kind="stage", parent_id=tour.id, position=1)
            factory.registration(stage)

    make(2)
    client.get("/events")
    with query_counter() as few:
        assert client.get("/events").status_code == 200
    make(8)
    with query_counter() as many:
        assert client.get("/events").status_code == 200
    assert len(many) == len(few)
    assert len(many) <= 10
