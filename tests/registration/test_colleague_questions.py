"""Colleagues of a group booking answer the per-person questions too, each on their own
registration; their sub-form is built from the field model (the same person fields and rules
as the booker's, the same questions, the same conditions and option limits), and a tour's
questions stay once per booking (the booker's)."""

import html
import re

from sqlalchemy import func, select

from eventapp.models import Answer, Registration
from eventapp.questions import fields as field_model
from tests.registration.test_group_booking import form


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def answers_by_email(db) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for answer in db.session.scalars(select(Answer)):
        registration = db.session.get(Registration, answer.registration_id or 0)
        email = registration.email if registration else "booking"
        out.setdefault(email, {})[answer.question.identifier] = answer.value
    return out


HUGO = {"first_name": "Hugo", "last_name": "Martin", "email": "hugo.martin@example.org"}


def test_each_colleague_answers_the_questions_on_their_own_registration(client, db, factory):
    event = factory.event(capacity=10)
    diet = factory.question(
        event,
        "choice",
        identifier="diet",
        label_fr="Régime",
        options=[("none", "Aucun"), ("vegetarian", "Végétarien")],
    )
    dinner = factory.question(event, "yes_no", identifier="dinner", label_fr="Dîner de gala")
    url = f"/events/{event.slug}/register"
    page = text(client.post(url, data=form([HUGO], add_colleague="1")))
    # The colleague's rows ask the same questions, under names of their own.
    assert f'name="colleagues-0-q_{diet.id}"' in page
    assert f'name="colleagues-0-q_{dinner.id}"' in page
    data = form(
        [{**HUGO, f"q_{diet.id}": "vegetarian", f"q_{dinner.id}": "no"}],
        **{f"q_{diet.id}": "none", f"q_{dinner.id}": "yes"},
    )
    response = client.post(url, data=data)
    assert response.status_code == 302, text(response)
    assert answers_by_email(db) == {
        "lea.durand@example.org": {"diet": "none", "dinner": "yes"},
        "hugo.martin@example.org": {"diet": "vegetarian", "dinner": "no"},
    }
    # The colleague's manage page shows their own answers.
    hugo = db.session.scalar(
        select(Registration).where(Registration.email == "hugo.martin@example.org")
    )
    manage = text(client.get(f"/r/{hugo.manage_token}"))
    assert re.search(r'<input checked[^>]*value="vegetarian"', manage)


def test_a_colleague_missing_a_required_answer_is_told_next_to_their_field(client, db, factory):
    event = factory.event(capacity=10)
    diet = factory.question(
        event, "short_text", identifier="diet", label_fr="Régime", requirement="required"
    )
    response = client.post(
        f"/events/{event.slug}/register",
        data=form([{**HUGO, "job_title": "QA"}], **{f"q_{diet.id}": "Sans gluten"}),
    )
    assert response.status_code == 400
    page = text(response)
    assert f'id="colleagues-0-q_{diet.id}-error"' in page
    assert "Collègue 1 — Régime" in page  # the error summary names the colleague's field
    assert 'value="Hugo"' in page and 'value="Sans gluten"' in page  # nothing typed is lost
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_a_colleagues_person_fields_have_the_booker_rules(client, db, factory):
    """One definition: the colleague's name is folded to one line and limited to 100
    characters like the booker's; the e-mail is checked the same way."""
    event = factory.event(capacity=10)
    url = f"/events/{event.slug}/register"
    response = client.post(
        url, data=form([{**HUGO, "last_name": "M" * 101, "email": "not-an-address"}])
    )
    assert response.status_code == 400
    booker = client.post(url, data=form(last_name="M" * 101, email="not-an-address"))
    page, booker_page = text(response), text(booker)
    for message in ("plus de 100 caractères", "Saisissez une adresse e-mail valide"):
        assert message in page and message in booker_page
    response = client.post(url, data=form([{**HUGO, "first_name": "Hugo\tJean"}]))
    assert response.status_code == 302
    names = set(db.session.scalars(select(Registration.first_name)))
    assert names == {"Léa", "Hugo Jean"}


def test_the_colleague_form_is_derived_from_the_field_model(app, factory):
    event = factory.event()
    factory.question(event, "short_text", identifier="diet")
    from eventapp.registration.forms import registration_form

    with app.test_request_context():
        form_ = registration_form(event, "fr")
        form_.add_colleague_row()
        sub = form_.colleagues.entries[0].form
        expected = [s.key for s in field_model.colleague_specs("fr", form_.specs[7:])]
        assert [s.key for s in sub.specs] == expected
        assert expected[:4] == list(field_model.COLLEAGUE_FIELDS)
        spec = {s.key: s for s in field_model.person_specs("fr")}
        for key in field_model.COLLEAGUE_FIELDS:
            assert sub[key].label.text == spec[key].label
            assert bool(sub[key].flags.required) == spec[key].required


def test_a_hidden_conditional_answer_of_a_colleague_is_ignored(client, db, factory):
    event = factory.event(capacity=10)
    b2b = factory.question(event, "yes_no", identifier="b2b")
    offer = factory.question(
        event,
        "short_text",
        identifier="offer",
        requirement="required",
        depends_on_id=b2b.id,
        depends_values=["yes"],
    )
    url = f"/events/{event.slug}/register"
    page = text(client.post(url, data=form([HUGO], add_colleague="1")))
    assert f'data-depends-on="colleagues-0-q_{b2b.id}"' in page
    data = form(
        [{**HUGO, f"q_{b2b.id}": "no", f"q_{offer.id}": "ignored"}],
        **{f"q_{b2b.id}": "yes", f"q_{offer.id}": "Bioréacteurs"},
    )
    response = client.post(url, data=data)
    assert response.status_code == 302, text(response)
    assert answers_by_email(db) == {
        "lea.durand@example.org": {"b2b": "yes", "offer": "Bioréacteurs"},
        "hugo.martin@example.org": {"b2b": "no"},
    }


def test_an_option_limit_counts_the_colleagues_too(client, db, factory):
    event = factory.event(capacity=10)
    workshop = factory.question(
        event,
        "choice",
        identifier="workshop",
        label_fr="Atelier",
        options=[("a", "Atelier A", 1), ("b", "Atelier B")],
    )
    key = f"q_{workshop.id}"
    response = client.post(
        f"/events/{event.slug}/register",
        data=form([{**HUGO, key: "a"}], **{key: "a"}),
    )
    assert response.status_code == 409
    page = text(response)
    error = page.split(f'id="colleagues-0-{key}-error">')[1].split("</p>")[0]
    assert "Atelier A" in error and "est complet" in error
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 0
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_tours_questions_are_answered_once_by_the_booker(client, db, factory):
    tour = factory.event(kind="tour", capacity=None)
    stage = factory.event(kind="stage", parent_id=tour.id, position=1, capacity=10)
    visit = factory.question(stage, "yes_no", identifier="visit")
    badge = factory.question(tour, "short_text", identifier="badge_name")
    url = f"/events/{tour.slug}/register"
    page = text(client.post(url, data=form([HUGO], add_colleague="1", stages=[str(stage.id)])))
    assert f'name="colleagues-0-q_{visit.id}"' in page
    assert f'name="colleagues-0-q_{badge.id}"' not in page
    data = form(
        [{**HUGO, f"q_{visit.id}": "yes"}],
        stages=[str(stage.id)],
        **{f"q_{visit.id}": "no", f"q_{badge.id}": "Léa D."},
    )
    response = client.post(url, data=data)
    assert response.status_code == 302, text(response)
    assert answers_by_email(db) == {
        "booking": {"badge_name": "Léa D."},
        "lea.durand@example.org": {"visit": "no"},
        "hugo.martin@example.org": {"visit": "yes"},
    }
