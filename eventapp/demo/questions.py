"""The demo's registration forms (issue 12): the 2026 congress asks dietary needs (with "other"
to specify), one of three parallel workshops of 40 places (one nearly full), the gala dinner,
photo consent and B2B meetings (what the person offers and seeks, only on yes); the 2027
tour's stages ask which site visit, with limited places. Existing demo registrations get
plausible answers, deterministic like the attendees."""

from __future__ import annotations

import random

from sqlalchemy import select

from eventapp.extensions import db
from eventapp.models import (
    Answer,
    AnswerChoice,
    Event,
    Question,
    QuestionOption,
    Registration,
    RegistrationStatus,
)

CONGRESS = "congres-france-bioproduction-2026"
TOUR = "french-bioproduction-tour-2027"

DIETS = [
    ("none", "Aucun régime particulier", "No particular diet", 70),
    ("vegetarian", "Végétarien", "Vegetarian", 14),
    ("vegan", "Végétalien", "Vegan", 4),
    ("gluten_free", "Sans gluten", "Gluten-free", 5),
    ("halal", "Halal", "Halal", 4),
    ("other", "Autre (précisez)", "Other (please specify)", 3),
]
WORKSHOPS = [  # (identifier, fr, en, places, holders in the demo): A nearly full
    ("atelier_a", "Atelier A — Procédés continus", "Workshop A — Continuous processing", 40, 38),
    ("atelier_b", "Atelier B — Thérapies géniques", "Workshop B — Gene therapies", 40, 27),
    ("atelier_c", "Atelier C — Contrôle qualité", "Workshop C — Quality control", 40, 19),
]
OFFERS = [
    "Capacités de production en lots cliniques",
    "Plateforme analytique pour vecteurs viraux",
    "Équipements à usage unique",
    "Conseil réglementaire CMC",
]
SEEKS = [
    "Un partenaire CDMO pour la phase II",
    "Des fournisseurs de milieux de culture",
    "Des investisseurs pour une levée de fonds",
    "Des compétences en thérapie cellulaire",
]
OTHER_DIETS = ["Sans lactose", "Allergie aux fruits à coque", "Pauvre en sel"]
VISITS = [
    ("usine", "Visite d'un site de production", "Visit of a production site", 25),
    ("labo", "Visite d'une plateforme de recherche", "Visit of a research platform", 20),
]


def _question(event_id, position, identifier, kind, fr, en, options=(), **fields) -> Question:
    q = Question(
        event_id=event_id,
        position=position,
        identifier=identifier,
        kind=kind,
        label_fr=fr,
        label_en=en,
        **fields,
    )
    q.options = [
        QuestionOption(identifier=i, label_fr=f, label_en=e, position=n, seat_limit=limit)
        for n, (i, f, e, limit) in enumerate(options)
    ]
    db.session.add(q)
    db.session.flush()
    return q


def _congress_form(event: Event) -> dict[str, Question]:
    diets = [(i, f, e, None) for i, f, e, _w in DIETS]
    workshops = [(i, f, e, places) for i, f, e, places, _held in WORKSHOPS]
    q = {}
    q["heading"] = _question(
        event.id,
        1,
        "logistique",
        "heading",
        "Logistique",
        "Logistics",
        help_fr="Ces réponses nous aident à préparer votre accueil.",
        help_en="These answers help us prepare your visit.",
    )
    q["diet"] = _question(
        event.id,
        2,
        "diet",
        "choice",
        "Régime alimentaire",
        "Dietary needs",
        diets,
        widget="list",
        sensitive=True,
        at_desk=True,
        retention_days=30,
        requirement="required",
    )
    q["diet_other"] = _question(
        event.id,
        3,
        "diet_other",
        "short_text",
        "Précisez votre régime",
        "Please specify",
        sensitive=True,
        retention_days=30,
        requirement="required",
        depends_on_id=q["diet"].id,
        depends_values=["other"],
    )
    q["workshop"] = _question(
        event.id,
        4,
        "workshop",
        "choice",
        "Atelier de l'après-midi",
        "Afternoon workshop",
        workshops,
        on_badge=True,
        at_desk=True,
        help_fr="Trois ateliers en parallèle, 40 places chacun.",
        help_en="Three parallel workshops, 40 places each.",
    )
    q["gala"] = _question(
        event.id,
        5,
        "gala",
        "yes_no",
        "Participerez-vous au dîner de gala ?",
        "Will you attend the gala dinner?",
        requirement="required",
    )
    q["photo"] = _question(
        event.id,
        6,
        "photo_consent",
        "consent",
        "J'accepte d'être photographié·e et que les photos soient publiées par les organisateurs",
        "I agree to be photographed and to the organisers publishing the photos",
    )
    q["b2b"] = _question(
        event.id,
        7,
        "b2b",
        "yes_no",
        "Intéressé·e par des rendez-vous B2B ?",
        "Interested in B2B meetings?",
    )
    q["offer"] = _question(
        event.id,
        8,
        "b2b_offer",
        "long_text",
        "Ce que vous proposez",
        "What you offer",
        depends_on_id=q["b2b"].id,
        depends_values=["yes"],
    )
    q["seek"] = _question(
        event.id,
        9,
        "b2b_seek",
        "long_text",
        "Ce que vous recherchez",
        "What you are looking for",
        depends_on_id=q["b2b"].id,
        depends_values=["yes"],
    )
    return q


def _answer(registration, question, value, options=()):
    answer = Answer(
        question_id=question.id,
        booking_id=registration.booking_id,
        registration_id=registration.id,
        value=value,
        label=question.label_fr,
        created_at=registration.created_at,
        updated_at=registration.created_at,
    )
    if question.kind == "consent" and value == "yes":
        answer.consent_version = question.version
        answer.consent_at = registration.created_at
    by_identifier = {o.identifier: o.id for o in question.options}
    # Yes/no answers have no option rows (their value is what a filter or condition reads).
    answer.choices = [
        AnswerChoice(option_id=by_identifier[o]) for o in options if o in by_identifier
    ]
    db.session.add(answer)


def _congress_answers(event: Event, q: dict[str, Question]) -> int:
    rnd = random.Random(f"questions:{event.slug}")
    people = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .order_by(Registration.id)
        )
    )
    seats = [w[0] for w in WORKSHOPS for _ in range(w[4])]
    rnd.shuffle(seats)
    count = 0
    for index, person in enumerate(people):
        diet = rnd.choices([d[0] for d in DIETS], weights=[d[3] for d in DIETS])[0]
        _answer(person, q["diet"], diet, [diet])
        if diet == "other":
            _answer(person, q["diet_other"], rnd.choice(OTHER_DIETS))
        if index < len(seats):
            _answer(person, q["workshop"], seats[index], [seats[index]])
        gala = "yes" if rnd.random() < 0.6 else "no"
        _answer(person, q["gala"], gala, [gala])
        if rnd.random() < 0.85:
            _answer(person, q["photo"], "yes")
        b2b = "yes" if rnd.random() < 0.35 else "no"
        _answer(person, q["b2b"], b2b, [b2b])
        if b2b == "yes":
            _answer(person, q["offer"], rnd.choice(OFFERS))
            _answer(person, q["seek"], rnd.choice(SEEKS))
        count += 1
    return count


def load() -> int:
    """Add the forms and the answers, unless the congress already has its form. Returns the
    number of questions created."""
    created = 0
    congress = db.session.scalar(select(Event).where(Event.slug == CONGRESS))
    if congress is not None and not db.session.scalar(
        select(Question.id).where(Question.event_id == congress.id)
    ):
        form = _congress_form(congress)
        created += len(form)
        _congress_answers(congress, form)
    tour = db.session.scalar(select(Event).where(Event.slug == TOUR))
    if tour is not None:
        for stage in db.session.scalars(
            select(Event).where(Event.parent_id == tour.id).order_by(Event.position)
        ):
            if db.session.scalar(select(Question.id).where(Question.event_id == stage.id)):
                continue
            _question(
                stage.id,
                1,
                "site_visit",
                "choice",
                "Visite de site",
                "Site visit",
                VISITS,
                help_fr="Places limitées.",
                help_en="Limited places.",
            )
            created += 1
    db.session.flush()
    return created
