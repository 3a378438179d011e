"""The privacy notice names the controllers, what is kept and for how long, and the rights."""

from datetime import UTC, datetime


def test_general_notice_in_french_names_the_organisers_retention_and_rights(client, factory, app):
    medicen = factory.organisation(name="Medicen Paris Region", website="https://medicen.org")
    polepharma = factory.organisation(name="Polepharma", website="javascript:alert(1)")
    factory.organisation(name="Cluster sans événement publié")
    factory.event(organisers=[medicen, polepharma])
    hidden = factory.organisation(name="Organisateur d’un brouillon")
    factory.event(organisers=[hidden], status="draft")

    response = client.get("/privacy")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Politique de confidentialité" in page
    assert f"Version {app.config['PRIVACY_NOTICE_VERSION']}" in page
    assert '<a href="https://medicen.org" rel="noopener">Medicen Paris Region</a>' in page
    assert "Polepharma" in page and "javascript:" not in page  # name shown, not the bad link
    assert "Cluster sans événement publié" not in page
    assert "Organisateur d’un brouillon" not in page
    assert "24 mois après la fin de l’événement" in page
    assert "anonymisée" in page
    assert "CNIL" in page
    assert "télécharger tout ce que nous détenons sur vous" in page
    for field in ("prénom", "adresse e-mail", "organisation", "fonction", "région"):
        assert field in page
    assert " style=" not in page and "<script>" not in page


def test_notice_in_english(client, factory):
    factory.event(organisers=[factory.organisation(name="Genopole")])
    page = client.get("/privacy", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Privacy notice" in page
    assert "kept for 24 months after the event ends, then anonymised" in page
    assert "Genopole" in page
    assert "lodge a complaint with the CNIL" in page


def test_event_notice_names_its_organisers_and_its_anonymisation_date(client, factory):
    lead = factory.organisation(name="Medicen Paris Region")
    co = factory.organisation(name="Polepharma")
    other = factory.organisation(name="Eurobiomed")
    factory.event(organisers=[other])
    event = factory.event(
        organisers=[lead, co],
        title_fr="Congrès France Bioproduction 2026",
        starts_at=datetime(2026, 12, 8, 8, tzinfo=UTC),
        ends_at=datetime(2026, 12, 9, 17, tzinfo=UTC),
    )
    for url in (f"/events/{event.slug}/privacy", f"/privacy?event={event.slug}"):
        page = client.get(url).get_data(as_text=True)
        assert "Congrès France Bioproduction 2026" in page
        assert "Medicen Paris Region" in page and "Polepharma" in page
        assert "Eurobiomed" not in page
        assert "9 décembre 2028" in page  # 24 months after the end


def test_stage_without_organisers_of_its_own_names_its_tours_and_a_tour_names_all(client, factory):
    medicen = factory.organisation(name="Medicen Paris Region")
    atlanpole = factory.organisation(name="Atlanpole Biotherapies")
    tour = factory.event(organisers=[medicen], kind="tour", capacity=None)
    bare_stage = factory.event(kind="stage", parent_id=tour.id, position=1)
    factory.event(organisers=[atlanpole], kind="stage", parent_id=tour.id, position=2)

    page = client.get(f"/events/{bare_stage.slug}/privacy").get_data(as_text=True)
    assert "Medicen Paris Region" in page and "Atlanpole" not in page
    page = client.get(f"/events/{tour.slug}/privacy").get_data(as_text=True)
    assert "Medicen Paris Region" in page and "Atlanpole Biotherapies" in page


def test_unknown_or_draft_event_notice_is_404(client, factory):
    draft = factory.event(status="draft")
    assert client.get(f"/events/{draft.slug}/privacy").status_code == 404
    assert client.get(f"/privacy?event={draft.slug}").status_code == 404
    assert client.get("/events/nope/privacy").status_code == 404
    assert client.get("/privacy?event=%3Cscript%3E").status_code == 404
