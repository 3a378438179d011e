"""The dashboard's counts and the statistics page: aggregate SQL, a fixed number of statements
whatever the number of events, SVG charts with their numbers as tables, no inline styles."""

import re
from datetime import timedelta

from sqlalchemy import insert

from eventapp.models import Event, EventOrganiser, Registration, utcnow
from tests.factories import with_booking


def _many_events(db, org, count):
    now = utcnow()
    events = [
        {
            "slug": f"e-{org.id}-{n}",
            "kind": "workshop",
            "title_fr": f"Atelier {n}",
            "title_en": f"Workshop {n}",
            "description_fr": "",
            "description_en": "",
            "starts_at": now + timedelta(days=n % 40 - 20),
            "ends_at": now + timedelta(days=n % 40 - 20, hours=4),
            "capacity": 50,
            "status": "published",
        }
        for n in range(count)
    ]
    ids = db.session.scalars(insert(Event).returning(Event.id), events).all()
    db.session.execute(
        insert(EventOrganiser),
        [{"event_id": i, "organisation_id": org.id, "role": "lead"} for i in ids],
    )
    db.session.execute(
        insert(Registration),
        with_booking(
            [
                {
                    "event_id": event_id,
                    "first_name": "A",
                    "last_name": f"B{k}",
                    "email": f"p{event_id}-{k}@example.org",
                    "category": "biotech",
                    "status": ("confirmed", "waitlisted", "cancelled")[k % 3],
                    "manage_token": f"m{event_id}-{k}",
                    "ticket_code": f"t{event_id}-{k}",
                    "checked_in_at": now if k % 3 == 0 and k % 2 == 0 else None,
                }
                for event_id in ids
                for k in range(6)
            ]
        ),
    )
    db.session.commit()
    return ids


def test_the_dashboard_costs_the_same_statements_for_10_or_200_events(
    client, db, factory, login, query_counter
):
    small, large = factory.organisation(), factory.organisation()
    _many_events(db, small, 30)  # past and upcoming ones, as the large one
    _many_events(db, large, 200)
    statements = {}
    for org, count in ((small, 30), (large, 200)):
        user = factory.user(org)
        client.post("/auth/logout")
        login(user)
        with query_counter() as queries:
            page = client.get("/organiser/").get_data(as_text=True)
        statements[count] = len(queries)
        assert page.count("Atelier ") == count
    assert statements[30] == statements[200], statements
    assert statements[200] <= 7  # the trend chart's GROUP BY included


def test_the_dashboard_shows_counts_fill_rate_and_tour_totals(client, factory, login):
    org = factory.organisation(name="Polepharma")
    login(factory.user(org))
    lead = factory.organisation(name="Medicen")
    tour = factory.event(organisers=[lead], kind="tour", capacity=None, title_fr="Le Tour")
    first = factory.event(
        organisers=[lead, org],
        kind="stage",
        parent_id=tour.id,
        position=1,
        capacity=10,
        title_fr="Étape 1",
    )
    sixth = factory.event(
        organisers=[lead, org],
        kind="stage",
        parent_id=tour.id,
        position=6,
        capacity=30,
        title_fr="Étape 6",
    )
    hidden = factory.event(
        organisers=[lead], kind="stage", parent_id=tour.id, position=4, title_fr="Étape 4"
    )
    for _ in range(5):
        factory.registration(first)
    factory.registration(first, status="waitlisted")
    for _ in range(15):
        factory.registration(sixth, checked_in_at=utcnow())
    factory.registration(hidden)
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Étape 1" in page and "Étape 6" in page and "Étape 4" not in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    # Tour row: 20 confirmed of 40 seats, 1 waitlisted, 15 checked in, 50 %.
    assert re.search(r"Le Tour — total de 2 étapes .*? 20 / 40 1 0 15 50 %", text), text
    assert re.search(r"Étape 1 .*? 5 / 10 1 0 0 50 %", text)


def test_statistics_page_has_svg_charts_with_tables_and_no_inline_style(
    client, db, factory, login, query_counter
):
    org = factory.organisation()
    login(factory.user(org))
    event = factory.event(organisers=[org], capacity=20)
    start = utcnow() - timedelta(days=10)
    for n in range(12):
        factory.registration(
            event,
            category=("biotech", "cdmo", "academic")[n % 3],
            region=("idf", "cvl", None)[n % 3],
            created_at=start + timedelta(days=n // 2, hours=n),
            checked_in_at=utcnow() if n < 4 else None,
        )
    url = f"/organiser/events/{event.id}/statistics"
    with query_counter() as queries:
        response = client.get(url)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # Each chart twice (wide, and phone-sized: text stays readable at 390 px), the gauge once.
    assert page.count("<svg") == 7 and page.count('role="img"') == 7
    assert page.count("<table") >= 4  # each chart's numbers as a table
    assert " style=" not in page and "<script>" not in page
    assert "Biotech" in page and "Île-de-France" in page and "Non renseignée" in page
    assert "33 %" in re.sub(r"\s", " ", page)  # 4 of 12 confirmed checked in
    assert len(queries) <= 9, len(queries)


def test_statistics_of_an_empty_event(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    event = factory.event(organisers=[org])
    page = client.get(f"/organiser/events/{event.id}/statistics").get_data(as_text=True)
    assert (
        "Aucune inscription pour l’instant." in page or "Aucune inscription pour l’instant." in page
    )


def test_live_counts_api(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    event = factory.event(organisers=[org], capacity=3)
    factory.registration(event)
    factory.registration(event, status="waitlisted")
    data = client.get(f"/api/organiser/events/{event.id}/counts").json
    assert data["confirmed"] == 1 and data["waitlisted"] == 1 and data["free_seats"] == 2


def test_the_workspace_in_english(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    event = factory.event(organisers=[org], title_en="France Bioproduction Congress")
    factory.registration(event)
    headers = {"Accept-Language": "en-GB,en;q=0.9"}
    client.get("/language/en")
    for url in (
        "/organiser/",
        f"/organiser/events/{event.id}",
        f"/organiser/events/{event.id}/attendees",
        f"/organiser/events/{event.id}/statistics",
        f"/organiser/events/{event.id}/edit",
    ):
        page = client.get(url, headers=headers).get_data(as_text=True)
        assert '<html lang="en">' in page, url
    dashboard = client.get("/organiser/", headers=headers).get_data(as_text=True)
    assert "My events" in dashboard and "France Bioproduction Congress" in dashboard


def test_the_dashboard_shows_the_registrations_trend_of_upcoming_events(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    now = utcnow()
    coming = factory.event(organisers=[org], starts_at=now + timedelta(days=20))
    past = factory.event(
        organisers=[org], starts_at=now - timedelta(days=5), ends_at=now - timedelta(days=4)
    )
    for days_ago in (0, 0, 1, 3, 3, 3, 40):
        factory.registration(coming, created_at=now - timedelta(days=days_ago, minutes=1))
    factory.registration(past, created_at=now - timedelta(days=2))
    page = client.get("/organiser/").get_data(as_text=True)
    assert "Inscriptions par jour, 30 derniers jours" in page
    # A chart for a laptop and one for a phone, and the numbers as a table.
    assert page.count('class="chart chart-columns chart-wide"') == 1
    assert page.count('class="chart chart-columns chart-narrow"') == 1
    assert (
        "6 inscriptions reçues sur la période" in page
    )  # not the 40-day-old one nor the past event's
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td></tr>', page)
    assert len(rows) == 30 and sum(int(n) for _d, n in rows) == 6
    assert " style=" not in page


def test_chart_labels_wrap_between_words_and_are_never_cut():
    from eventapp.organiser.statistics.charts import bar_chart, wrap_label

    label = "Producteur pour tiers / façonnier (CDMO, bioproduction de médicaments)"
    lines = wrap_label(label, 30)
    assert " ".join(lines) == label and all(len(line) <= 30 for line in lines)
    for width in (640, 360):
        chart = bar_chart([(label, 3), ("Biotech", 1)], width=width)
        first = chart["bars"][0]
        assert " ".join(line["text"] for line in first["lines"]) == label
        assert "…" not in str(chart)
        # Rows do not overlap: the second starts below the first's label and bar.
        assert chart["bars"][1]["y"] > first["y"] + chart["bar"] - 1
        assert chart["height"] >= chart["bars"][1]["y"] + chart["bar"]
