"""One wording for "required" everywhere (issue 19): the participant's forms, the organiser's,
the login page all say « Ce champ est obligatoire. », never WTForms' « Ce champ est requis. »
nor the English default; every form takes its "required" validators from eventapp/validators."""

import ast
import html
import pathlib

import eventapp

WORDING = "Ce champ est obligatoire."
OTHERS = ("Ce champ est requis", "This field is required")


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_no_form_takes_a_required_validator_from_wtforms_directly():
    root = pathlib.Path(eventapp.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if path == root / "validators.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("wtforms", "flask_wtf")
            ):
                names = {alias.name for alias in node.names}
                if names & {"DataRequired", "InputRequired", "FileRequired"}:
                    offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_the_login_page_says_it_in_the_one_wording(client):
    page = text(client.post("/auth/login", data={"email": "", "password": ""}))
    assert WORDING in page
    assert not any(other in page for other in OTHERS)


def test_the_organiser_and_participant_forms_say_it_in_the_one_wording(client, factory, login):
    org = factory.organisation()
    login(factory.user(org))
    page = text(client.post("/organiser/events/new", data={"lead_id": str(org.id)}))
    assert page.count(WORDING) >= 3  # title, start, end
    assert not any(other in page for other in OTHERS)
    event = factory.event()
    page = text(client.post(f"/events/{event.slug}/register", data={}))
    assert WORDING in page and not any(other in page for other in OTHERS)
