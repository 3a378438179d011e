"""Service errors: one base class, codes as enums, one message table per type, and one handler
that answers by what the request asked for."""

import html
from enum import StrEnum

import pytest
from flask_babel import lazy_gettext as _l

from eventapp.services.errors import ServiceError
from eventapp.services.registrations import RegistrationError
from tests.core.conftest import ProbeError, actions


def test_a_code_is_an_enum_member_a_typo_fails_where_it_is_written():
    with pytest.raises(TypeError, match="Code member"):
        RegistrationError("full")
    with pytest.raises(AttributeError):
        RegistrationError.Code.FUL  # noqa: B018
    with pytest.raises(ValueError):
        RegistrationError.Code("ful")
    with pytest.raises(TypeError, match="Code member"):
        RegistrationError(ProbeError.Code.BUSY)  # another type's code


def test_an_error_type_without_a_message_for_each_code_cannot_be_defined():
    with pytest.raises(TypeError, match="one message per code"):

        class Incomplete(ServiceError):
            kind = "incomplete"

            class Code(StrEnum):
                ONE = "one"
                TWO = "two"

            MESSAGES = {Code.ONE: _l("One.")}


def test_every_registration_code_has_its_message_in_french_and_english(app):
    from flask_babel import force_locale

    with app.test_request_context():
        for code in RegistrationError.Code:
            error = RegistrationError(code, confirmed=3)
            with force_locale("en"):
                english = error.message
            with force_locale("fr"):
                french = error.message
            assert english and french and english != french, code
            assert 400 <= error.status < 500


def test_the_full_message_is_one_wording(app):
    # It differed between the organiser's pages and the check-in desk.
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("en"):
        message = RegistrationError(RegistrationError.Code.FULL).message
    assert "full" in message and "over-capacity" in message


def test_inside_keep_form_the_page_comes_back_with_what_was_typed(probe):
    response = probe.post("/probe/form?field=capacity", data={"name": "Genopole", "capacity": "12"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert 'value="Genopole"' in page and 'value="12"' in page
    assert '<p class="field-error">Cet événement est annulé' in page  # under its field
    assert actions() == []  # what the view wrote before the error is rolled back


def test_keep_form_without_a_field_flashes_the_message_on_the_page(probe):
    response = probe.post("/probe/form?code=bad", data={"name": "Genopole", "capacity": "-1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<p class="flash">La capacité ne peut pas être négative' in page
    assert 'value="Genopole"' in page


def test_an_action_button_gets_a_flash_and_a_redirect(probe):
    response = probe.post("/probe/button")
    assert response.status_code == 302 and response.headers["Location"] == "/probe/form"
    page = probe.get("/probe/form").get_data(as_text=True)
    assert '<p class="flash">Cet événement est annulé' in page
    assert actions() == []


@pytest.mark.parametrize(("code", "status"), [("busy", 409), ("bad", 422), ("hidden", 404)])
def test_an_api_call_gets_a_problem_document(probe, code, status):
    response = probe.post(f"/api/probe/action?code={code}")
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert set(body) == {"type", "title", "status", "detail", "code"}
    assert body["code"] == f"probe.{code}" and body["status"] == status
    assert body["type"].endswith(f"probe.{code}") and body["detail"] and body["title"]
    assert actions() == []


def test_json_is_answered_wherever_the_client_asks_for_it(probe):
    response = probe.post(
        "/probe/button", headers={"Accept": "application/json"}, data={"name": "x"}
    )
    assert response.status_code == 409 and response.get_json()["code"] == "probe.busy"


def test_an_error_no_view_answers_is_an_error_page_with_its_message(probe):
    response = probe.post("/probe/write?then=service&code=hidden")
    assert response.status_code == 404
    assert "Cet événement n’est pas publié" in html.unescape(response.get_data(as_text=True))
    assert actions() == []
