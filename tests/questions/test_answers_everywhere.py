"""Answers where an attendee appears: the organiser's forms, the attendee page, the list's
columns and filter, the exports, the data download, a tour asking once per booking, files
served only to their people, and the answers erased with the registration or earlier by their
question's own retention."""

import csv
import html
import io
import json
from datetime import timedelta

from sqlalchemy import func, select

from eventapp.models import Answer, AnswerChoice, Registration, utcnow


def text(response):
    return html.unescape(response.get_data(as_text=True))


def person(**kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea@example.org",
        "organisation_name": "Yposkesi",
        "category": "biotech",
        "consent": "y",
    }
    data.update(kw)
    return data


def _congress(factory):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    diet = factory.question(
        event,
        "choice",
        identifier="diet",
        label_fr="Régime",
        sensitive=True,
        options=[("none", "Aucun"), ("veg", "Végétarien")],
    )
    workshop = factory.question(
        event,
        "choice",
        identifier="workshop",
        label_fr="Atelier",
        options=[("a", "Atelier A", 40), ("b", "Atelier B", 40)],
    )
    note = factory.question(event, "short_text", identifier="note", organiser_only=True)
    return org, event, diet, workshop, note


def test_the_organiser_adds_and_corrects_answers_organiser_only_included(
    client, db, factory, login
):
    org, event, diet, workshop, note = _congress(factory)
    login(factory.user(org, "manager"))
    form = text(client.get(f"/organiser/events/{event.id}/attendees/new"))
    assert "Atelier" in form and f'name="q_{note.id}"' in form
    response = client.post(
        f"/organiser/events/{event.id}/attendees/new",
        data={**person(), "language": "fr", f"q_{workshop.id}": "b", f"q_{note.id}": "VIP"},
    )
    assert response.status_code == 302, text(response)
    registration = db.session.scalar(select(Registration))
    page = text(client.get(f"/organiser/events/{event.id}/attendees/{registration.id}"))
    assert "Atelier B" in page and "VIP" in page
    # A change of answers alone is a change of the registration (the API's modified_since).
    registration.updated_at = utcnow() - timedelta(days=30)
    db.session.commit()
    edit = client.post(
        f"/organiser/events/{event.id}/attendees/{registration.id}/edit",
        data={**person(), f"q_{workshop.id}": "a", f"q_{diet.id}": "veg", f"q_{note.id}": ""},
    )
    assert edit.status_code == 302, text(edit)
    db.session.expire_all()
    values = {a.question.identifier: a.value for a in db.session.scalars(select(Answer))}
    assert values == {"workshop": "a", "diet": "veg"}  # the emptied note is removed
    assert db.session.get(Registration, registration.id).updated_at > utcnow() - timedelta(days=1)


def _register(client, event, n, **answers):
    return client.post(
        f"/events/{event.slug}/register",
        data=person(email=f"p{n}@example.org", last_name=f"Nom{n}", **answers),
    )


def test_filter_columns_and_export_by_answer(client, db, factory, login):
    org, event, diet, workshop, _note = _congress(factory)
    for n, (w, d) in enumerate([("a", "veg"), ("b", "none"), ("b", "veg")]):
        assert (
            _register(client, event, n, **{f"q_{workshop.id}": w, f"q_{diet.id}": d}).status_code
            == 302
        )
    login(factory.user(org, "manager"))
    base = f"/organiser/events/{event.id}/attendees"
    page = text(client.get(base, query_string={"answer": f"{workshop.id}:b"}))
    assert "NOM1" in page and "NOM2" in page and "NOM0" not in page
    page = text(client.get(base, query_string={"answer": f"{diet.id}:veg"}))
    assert "NOM0" in page and "NOM2" in page and "NOM1" not in page
    # Columns chosen once are remembered for this organiser's next visits.
    client.get(base, query_string={"columns": "1", "col": ["workshop", "diet"]})
    page = text(client.get(base))
    assert '<th scope="col">Atelier</th>' in page and "Atelier B" in page
    # The export: one column per chosen question, headed by its identifier; the sensitive
    # one only when asked for.
    body = client.get(
        f"{base}/export.csv", query_string={"col": ["workshop", "diet"]}, buffered=True
    )
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-1] == "workshop" and "diet" not in rows[0]
    assert sorted(r[-1] for r in rows[1:]) == ["Atelier A", "Atelier B", "Atelier B"]
    body = client.get(
        f"{base}/export.csv",
        query_string={"col": ["workshop", "diet"], "sensitive": "1"},
        buffered=True,
    )
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][-2:] == ["diet", "workshop"] or rows[0][-2:] == ["workshop", "diet"]
    filtered = client.get(
        f"{base}/export.csv", query_string={"answer": f"{workshop.id}:a"}, buffered=True
    )
    assert filtered.get_data(as_text=True).count("\r\n") == 2  # header + NOM0


def test_a_tours_question_is_answered_once_for_all_the_stages(client, db, factory):
    tour = factory.event(kind="tour", capacity=None)
    one = factory.event(kind="stage", parent_id=tour.id, position=1, title_fr="Étape Lyon")
    two = factory.event(kind="stage", parent_id=tour.id, position=2, title_fr="Étape Nantes")
    gala = factory.question(tour, "yes_no", identifier="gala", label_fr="Dîner de gala")
    visit = factory.question(
        one,
        "choice",
        identifier="visit",
        label_fr="Visite de site",
        requirement="required",
        options=[("usine", "Usine", 10), ("labo", "Labo", 10)],
    )
    url = f"/events/{tour.slug}/register"
    page = text(client.get(url))
    assert page.count("Dîner de gala") == 1 and "Uniquement pour l’étape" in page
    # Stage two only: the stage one's required question does not apply.
    response = client.post(url, data=person(stages=[two.id], **{f"q_{gala.id}": "yes"}))
    assert response.status_code == 302, text(response)
    response = client.post(
        url, data=person(email="b@example.org", stages=[one.id, two.id], **{f"q_{gala.id}": "no"})
    )
    assert response.status_code == 400  # the visit of stage one is required
    response = client.post(
        url,
        data=person(
            email="b@example.org",
            stages=[one.id, two.id],
            **{f"q_{gala.id}": "no", f"q_{visit.id}": "usine"},
        ),
    )
    assert response.status_code == 302
    answers = db.session.scalars(select(Answer).order_by(Answer.id)).all()
    tour_answers = [a for a in answers if a.question_id == gala.id]
    assert len(tour_answers) == 2 and all(a.registration_id is None for a in tour_answers)
    assert [a.value for a in answers if a.question_id == visit.id] == ["usine"]


def test_files_are_served_to_the_person_and_the_events_organisers_only(
    app, client, db, factory, login
):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    cv = factory.question(event, "file", identifier="cv")
    data = person(**{f"q_{cv.id}": (io.BytesIO(b"%PDF-1.4 mon cv"), "cv.pdf")})
    response = client.post(
        f"/events/{event.slug}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    mine = client.get(f"/r/{registration.manage_token}/files/{cv.id}")
    assert mine.status_code == 200 and mine.data == b"%PDF-1.4 mon cv"
    assert mine.headers["Content-Type"] == "application/pdf"
    assert "attachment" in mine.headers["Content-Disposition"]
    other = factory.registration(event)
    assert client.get(f"/r/{other.manage_token}/files/{cv.id}").status_code == 404
    outsider = factory.user(factory.organisation(), "manager")
    login(outsider)
    url = f"/organiser/events/{event.id}/attendees/{registration.id}/files/{cv.id}"
    assert client.get(url).status_code == 404
    organiser = app.test_client()
    login(factory.user(org, "manager"), c=organiser)
    assert organiser.get(url).data == b"%PDF-1.4 mon cv"


def test_answers_are_in_the_data_download_and_erased_with_the_person(client, db, factory):
    _org, event, diet, workshop, _note = _congress(factory)
    assert (
        _register(client, event, 1, **{f"q_{workshop.id}": "a", f"q_{diet.id}": "veg"}).status_code
        == 302
    )
    registration = db.session.scalar(select(Registration))
    download = client.get(f"/r/{registration.manage_token}/data.json")
    if download.status_code == 404:  # the download's path
        download = client.get(f"/r/{registration.manage_token}/data")
    data = json.loads(download.get_data(as_text=True))
    answers = data["registrations"][0]["answers"]
    assert {a["question"]: a["answer"] for a in answers} == {
        "diet": "Végétarien",
        "workshop": "Atelier A",
    }
    response = client.post(
        f"/r/{registration.manage_token}/erase", data={"scope": "this", "confirm": "y"}
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.scalar(select(func.count()).select_from(AnswerChoice)) == 0


def test_a_questions_own_retention_purges_its_answers_before_the_registration(app, db, factory):
    from eventapp.database import write_transaction
    from eventapp.questions.answers import purge_by_question_retention

    past = factory.event(
        starts_at=utcnow() - timedelta(days=40), ends_at=utcnow() - timedelta(days=39)
    )
    diet = factory.question(past, "short_text", identifier="diet", retention_days=30)
    keep = factory.question(past, "short_text", identifier="company_size")
    person_ = factory.registration(past)
    for q in (diet, keep):
        db.session.add(
            Answer(
                question_id=q.id,
                booking_id=person_.booking_id,
                registration_id=person_.id,
                value="x",
            )
        )
    db.session.commit()
    with write_transaction():
        assert purge_by_question_retention() == 1
    remaining = db.session.scalars(select(Answer.question_id)).all()
    assert remaining == [keep.id]
