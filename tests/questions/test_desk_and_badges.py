"""The answers chosen for the desk are shown when a person is checked in; an answer chosen for
the badge is printed on it."""

from sqlalchemy import select

from eventapp.models import Answer


def test_the_desk_shows_the_dietary_needs_and_the_badge_prints_the_workshop(
    app, client, db, factory, login
):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    diet = factory.question(
        event,
        "choice",
        identifier="diet",
        label_fr="Régime",
        at_desk=True,
        options=[("veg", "Végétarien")],
    )
    workshop = factory.question(
        event,
        "choice",
        identifier="workshop",
        label_fr="Atelier",
        on_badge=True,
        options=[("a", "Atelier Bioprocédés")],
    )
    person = factory.registration(event, first_name="Léa", last_name="Durand")
    for q, value in ((diet, "veg"), (workshop, "a")):
        answer = Answer(
            question_id=q.id, booking_id=person.booking_id, registration_id=person.id, value=value
        )
        db.session.add(answer)
    db.session.commit()
    login(factory.user(org, "manager"))
    desk = f"/organiser/events/{event.id}/checkin"
    client.post(f"{desk}/desk", data={"desk": "Accueil"})
    answer = client.post(
        f"{desk}/scan", data={"code": person.ticket_code}, headers={"Accept": "application/json"}
    ).json
    assert answer["state"] == "checked_in"
    assert "Régime : Végétarien" in answer["details"]
    pdf = client.get(
        f"/organiser/events/{event.id}/badges.pdf", query_string={"id": person.id}, buffered=True
    )
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from eventapp.questions.reading import flagged_texts

    with app.test_request_context():
        texts = flagged_texts([person], event, "fr", "on_badge")[person.id]
    assert texts == [("Atelier", "Atelier Bioprocédés")]
    assert db.session.scalar(select(Answer.id))


def test_the_statistics_count_each_option_with_a_chart(client, db, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    workshop = factory.question(
        event,
        "choice",
        identifier="workshop",
        label_fr="Atelier",
        options=[("a", "Atelier A", 40), ("b", "Atelier B")],
    )
    gala = factory.question(event, "yes_no", identifier="gala", label_fr="Dîner de gala")
    for n, (w, g) in enumerate([("a", "yes"), ("a", "no"), ("b", "yes")]):
        response = client.post(
            f"/events/{event.slug}/register",
            data={
                "first_name": "P",
                "last_name": f"N{n}",
                "email": f"p{n}@example.org",
                "category": "biotech",
                "consent": "y",
                f"q_{workshop.id}": w,
                f"q_{gala.id}": g,
            },
        )
        assert response.status_code == 302
    login(factory.user(org, "manager"))
    page = client.get(f"/organiser/events/{event.id}/statistics").get_data(as_text=True)
    flat = page.replace("\n", "")
    assert f"chart-question-{workshop.id}" in page  # the SVG chart
    assert '<th scope="row">Atelier A</th><td class="num">2</td>' in flat
    assert '<th scope="row">Oui</th><td class="num">2</td>' in flat
