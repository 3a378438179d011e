"""Every question type fuzzed (hypothesis) through the public form and through the import:
whatever is sent, a 4xx with the message or a registration, never a server error; the import's
cells never fail other than as a row's problem."""

import io

from hypothesis import given
from hypothesis import strategies as st

from tests.security.test_fuzz import FUZZ, Answers, form_strategy, participant, value

KINDS = {
    "short_text": {},
    "long_text": {},
    "number": {"min_number": 0, "max_number": 10},
    "yes_no": {},
    "choice": {"options": [("a", "A", 2), ("b", "B")]},
    "multi_choice": {"options": [("a", "A", 2), ("b", "B")]},
    "date": {},
    "country": {},
    "phone": {},
    "email": {},
    "url": {},
    "consent": {},
}


def _form(factory, event):
    questions = {}
    first = None
    for kind, settings in KINDS.items():
        extra = dict(settings)
        if kind == "short_text" and first is not None:
            extra.update(depends_on_id=first.id, depends_values=["yes"], requirement="required")
        q = factory.question(event, kind, identifier=kind, **extra)
        if kind == "yes_no":
            first = q
        questions[kind] = q
    return questions


def test_every_type_through_the_public_form(client, factory):
    event = factory.event(capacity=None)
    questions = _form(factory, event)
    url = f"/events/{event.slug}/register"
    check = Answers()
    answer_values = st.one_of(
        value,
        st.sampled_from(
            [
                "a",
                "b",
                "yes",
                "no",
                "3",
                "2026-06-01",
                "FR",
                "+33612345678",
                "https://example.org",
                "y",
            ]
        ),
    )
    counter = iter(range(10**6))

    @FUZZ
    @given(form_strategy(participant(), {f"q_{q.id}": answer_values for q in questions.values()}))
    def run(data):
        data = (
            {**data, "email": f"p{next(counter)}@example.org"}
            if isinstance(data.get("email"), str)
            else data
        )
        check(client.post(url, data=data), data)

    run()
    check.reached("/register", 302)
    check.reached("/register", 400)


def test_every_type_through_the_import(client, factory, login):
    org = factory.organisation()
    event = factory.event(organisers=[org])
    login(factory.user(org, "manager"))
    questions = _form(factory, event)
    check = Answers()
    header = ["Nom", "Prénom", "E-mail", *(q.identifier for q in questions.values())]

    @FUZZ
    @given(
        st.lists(
            st.lists(value, min_size=len(header), max_size=len(header)), min_size=1, max_size=3
        )
    )
    def run(rows):
        lines = [";".join(header)] + [
            ";".join(cell.replace(";", ",").replace("\n", " ").replace("\r", " ") for cell in row)
            for row in rows
        ]
        body = "\n".join(lines).encode("utf-8", "surrogatepass")
        response = client.post(
            f"/organiser/events/{event.id}/import",
            data={"file": (io.BytesIO(body), "fuzz.csv")},
            content_type="multipart/form-data",
        )
        check(response, rows)
        if response.status_code == 302:
            check(client.get(response.headers["Location"]), rows)

    run()
    check.reached("/import", 302)
