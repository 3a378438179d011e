"""The public form asks the event's questions: every type validated on the server (a 4xx with
the message next to the field and the other answers kept), conditional questions applied
without JavaScript, answers stored with their wording."""

import html
import io

import pytest
from sqlalchemy import select

from eventapp.models import Answer, Registration

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def person(**kw):
    data = {
        "first_name": "Léa",
        "last_name": "Durand",
        "email": "lea@example.org",
        "organisation_name": "Yposkesi",
        "category": "biotech",
        "region": "idf",
        "consent": "y",
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def text(response):
    return html.unescape(response.get_data(as_text=True))


def answers(db):
    db.session.expire_all()
    return {a.question.identifier: a for a in db.session.scalars(select(Answer))}


@pytest.fixture
def congress(factory):
    event = factory.event()
    q = {
        "diet": factory.question(
            event,
            "choice",
            identifier="diet",
            label_fr="Régime alimentaire",
            requirement="required",
            options=[("none", "Aucun"), ("veg", "Végétarien"), ("other", "Autre")],
        ),
    }
    q["diet_other"] = factory.question(
        event,
        "short_text",
        identifier="diet_other",
        label_fr="Précisez",
        requirement="required",
        depends_on_id=q["diet"].id,
        depends_values=["other"],
    )
    q["b2b"] = factory.question(event, "yes_no", identifier="b2b", label_fr="RDV B2B ?")
    q["offer"] = factory.question(
        event,
        "long_text",
        identifier="offer",
        label_fr="Ce que vous proposez",
        requirement="required",
        depends_on_id=q["b2b"].id,
        depends_values=["yes"],
    )
    q["workshops"] = factory.question(
        event,
        "multi_choice",
        identifier="workshops",
        options=[("a", "Atelier A", 40), ("b", "Atelier B")],
    )
    q["guests"] = factory.question(event, "number", identifier="guests", min_number=0, max_number=3)
    q["phone"] = factory.question(event, "phone", identifier="phone")
    q["country"] = factory.question(event, "country", identifier="country")
    q["site"] = factory.question(event, "url", identifier="site")
    q["photo"] = factory.question(
        event, "consent", identifier="photo", label_fr="J'accepte d'être photographié"
    )
    q["arrival"] = factory.question(event, "date", identifier="arrival")
    q["cv"] = factory.question(event, "file", identifier="cv")
    q["note"] = factory.question(event, "heading", identifier="section", label_fr="Logistique")
    q["secret"] = factory.question(
        event, "short_text", identifier="internal", label_fr="Note interne", organiser_only=True
    )
    return event, q


def test_the_form_shows_the_questions_but_organiser_only_ones(client, congress):
    event, q = congress
    page = text(client.get(f"/events/{event.slug}/register"))
    assert "Régime alimentaire" in page and "Logistique" in page
    assert f'data-depends-on="q_{q["diet"].id}"' in page
    assert "Note interne" not in page
    assert 'enctype="multipart/form-data"' in page
    assert "<script>" not in page and "js/questions.js" in page


def test_answers_are_stored_with_their_wording_and_canonical_values(client, db, congress):
    event, q = congress
    data = person(
        **{
            f"q_{q['diet'].id}": "other",
            f"q_{q['diet_other'].id}": "  sans   gluten ",
            f"q_{q['b2b'].id}": "no",
            f"q_{q['offer'].id}": "ignored: b2b is no",
            f"q_{q['workshops'].id}": ["b", "a"],
            f"q_{q['guests'].id}": "2",
            f"q_{q['phone'].id}": "06 12 34 56 78",
            f"q_{q['country'].id}": "DE",
            f"q_{q['site'].id}": "https://example.org",
            f"q_{q['photo'].id}": "y",
            f"q_{q['arrival'].id}": "2026-06-01",
            f"q_{q['secret'].id}": "forged",
        }
    )
    data[f"q_{q['cv'].id}"] = (io.BytesIO(PNG), "photo.png")
    response = client.post(
        f"/events/{event.slug}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, text(response)
    got = answers(db)
    assert got["diet"].value == "other" and got["diet"].label == "Régime alimentaire"
    assert got["diet_other"].value == "sans gluten"
    assert got["b2b"].value == "no"
    assert "offer" not in got  # hidden by its condition: ignored
    assert got["workshops"].value == "a,b" and len(got["workshops"].choices) == 2
    assert got["guests"].value == "2"
    assert got["phone"].value == "+33612345678"
    assert got["country"].value == "DE"
    assert got["photo"].value == "yes" and got["photo"].consent_at is not None
    assert got["photo"].consent_version == 1
    assert got["arrival"].value == "2026-06-01"
    assert got["cv"].file_type == "image/png" and got["cv"].file_name == "photo.png"
    assert "internal" not in got and got.get(q["secret"].identifier) is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("diet", None, "Ce champ est obligatoire."),
        ("diet", "martian", "choix"),
        ("diet_other", "", "Ce champ est obligatoire."),  # visible (diet=other) and required
        ("guests", "7", "3"),
        ("guests", "deux", "décimale"),
        ("phone", "12", "numéro de téléphone"),
        ("country", "XX", "choix"),
        ("site", "javascript:alert(1)", "https://"),
        ("arrival", "31/02/2026", "date"),
        ("workshops", "zzz", "choix"),
    ],
)
def test_bad_answers_are_a_400_next_to_the_field_and_keep_the_rest(
    client, db, congress, key, value, message
):
    event, q = congress
    data = person(
        **{
            f"q_{q['diet'].id}": "other",
            f"q_{q['diet_other'].id}": "sans gluten",
            f"q_{q['phone'].id}": "06 12 34 56 78",
        }
    )
    if value is None:
        data.pop(f"q_{q[key].id}", None)
    else:
        data[f"q_{q[key].id}"] = value
    response = client.post(f"/events/{event.slug}/register", data=data)
    assert response.status_code == 400
    page = text(response)
    assert f'id="q_{q[key].id}-error"' in page
    assert message in page.split(f'id="q_{q[key].id}-error"')[1][:300]
    assert 'value="Durand"' in page
    assert db.session.scalar(select(Registration.id)) is None


def test_a_file_that_lies_about_its_type_is_refused(client, db, congress):
    event, q = congress
    data = person(**{f"q_{q['diet'].id}": "none"})
    data[f"q_{q['cv'].id}"] = (io.BytesIO(b"MZ\x90\0 not a png"), "cv.png")
    response = client.post(
        f"/events/{event.slug}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "PDF, JPEG ou PNG" in text(response)


def test_a_too_large_file_is_refused(app, client, db, congress, monkeypatch):
    event, q = congress
    monkeypatch.setitem(app.config, "QUESTION_FILE_MAX_BYTES", 1000)
    data = person(**{f"q_{q['diet'].id}": "none"})
    data[f"q_{q['cv'].id}"] = (io.BytesIO(PNG + b"\0" * 2000), "big.png")
    response = client.post(
        f"/events/{event.slug}/register", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "trop volumineux" in text(response)


def test_a_required_question_of_a_chain_is_enforced_only_when_shown(client, db, factory):
    event = factory.event()
    a = factory.question(event, "yes_no", identifier="a")
    b = factory.question(
        event,
        "choice",
        identifier="b",
        depends_on_id=a.id,
        depends_values=["yes"],
        options=[("x", "X"), ("y", "Y")],
    )
    c = factory.question(
        event,
        "short_text",
        identifier="c",
        requirement="required",
        depends_on_id=b.id,
        depends_values=["y"],
    )
    url = f"/events/{event.slug}/register"
    # a=no hides b, so c is hidden too even though b=y was sent.
    ok = client.post(url, data=person(**{f"q_{a.id}": "no", f"q_{b.id}": "y"}))
    assert ok.status_code == 302
    refused = client.post(
        url, data=person(email="z@example.org", **{f"q_{a.id}": "yes", f"q_{b.id}": "y"})
    )
    assert refused.status_code == 400 and f'id="q_{c.id}-error"' in text(refused)


def test_required_after_a_date_is_optional_before_and_asked_after(client, db, factory):
    from datetime import timedelta

    from eventapp.models import utcnow

    event = factory.event()
    later = factory.question(
        event,
        "short_text",
        identifier="later",
        requirement="required_after",
        required_from=utcnow() + timedelta(days=2),
    )
    now = factory.question(
        event,
        "short_text",
        identifier="now",
        requirement="required_after",
        required_from=utcnow() - timedelta(days=2),
    )
    response = client.post(f"/events/{event.slug}/register", data=person(**{f"q_{now.id}": "ok"}))
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    # On the manage page the question past its date is now required.
    manage = client.post(
        f"/r/{registration.manage_token}",
        data={**person(), f"q_{now.id}": ""},
    )
    assert manage.status_code == 400 and f'id="q_{now.id}-error"' in text(manage)
    assert later.id  # still optional
