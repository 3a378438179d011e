"""Answers written through the API, by the field model's own forms (eventapp/questions): the
JSON answers become the form data of the organiser's attendee form for the event (organiser
audience: organiser-only questions included, no answer required), validated by the same field
types (lengths, one line, ranges, dates, options, full options, conditions), then saved by
`questions.answers.save`, which checks the option seat limits again under the event lock.

`answers` is an object keyed by question identifier (those the API shows: not the sensitive
questions, nor file questions, which a JSON body cannot carry): a text, a number, a boolean
(yes/no, consent), a list of option identifiers (multiple choice) or null/"" (no answer). The
questions not sent keep their answer; one hidden by a condition loses it, as on the page."""

from __future__ import annotations

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import abort
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from eventapp.i18n import current_language
from eventapp.models import Event, Registration
from eventapp.questions import answers as answer_service
from eventapp.questions import fields as field_model
from eventapp.questions.answers import QuestionError
from eventapp.questions.forms import Submitted, build

MAX_ANSWERS = 200


class AnswerValue(ma.fields.Field):
    """One answer as JSON: text, number, boolean, a list of texts, or null."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_none", True)
        kwargs.setdefault(
            "metadata",
            {"description": "Text, number, boolean, list of option identifiers, or null."},
        )
        super().__init__(**kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int | float):
            return value
        if isinstance(value, str):
            if len(value) > 5000:
                raise ma.ValidationError(_("Too long (%(num)s characters at most).", num=5000))
            return value
        if isinstance(value, list) and all(isinstance(v, str) and len(v) <= 100 for v in value):
            if len(value) > 100:
                raise ma.ValidationError(_("Too many options."))
            return value
        raise ma.ValidationError(
            _("Give a text, a number, a boolean, a list of option identifiers or null.")
        )


def answers_field(**kwargs) -> ma.fields.Dict:
    return ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.Length(min=1, max=100)),
        values=AnswerValue(),
        validate=ma.validate.Length(max=MAX_ANSWERS),
        metadata={"description": "Answers to the event's questions, by question identifier."},
        **kwargs,
    )


class _AnswersForm(FlaskForm):
    """The base of the API's answer forms: no CSRF (a bearer token authenticates)."""

    class Meta:
        csrf = False


def _writable(spec) -> bool:
    return spec.has_answer and not spec.sensitive and not spec.type.multipart


def _stored_as_form_data(spec, value: str) -> list[str]:
    """A stored canonical answer as the form's input would send it."""
    if not value:
        return []
    if spec.type.name == "multi_choice":
        return spec.type.to_form(value)
    if spec.type.name == "consent":
        return ["y"] if value == "yes" else []
    return [value]


def _sent_as_form_data(spec, value) -> list[str] | str:
    """A JSON answer as form data, or an error message when its JSON type cannot fit."""
    kind = spec.type.name
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, bool):
        if kind == "yes_no":
            return ["yes" if value else "no"]
        if kind == "consent":
            return ["y"] if value else []
        return _("Not a valid text.")
    if isinstance(value, list):
        if kind != "multi_choice":
            return _("Not a valid text.")
        return value
    if kind == "consent":
        return _("Give true or false.")
    if kind == "number":
        try:  # the type's own reading: finite, within the question's range
            return [spec.type.from_text(spec, str(value))]
        except ValueError as error:
            return str(error.args[0])
    if isinstance(value, int | float):
        return _("Not a valid text.")
    return [value]


def _fail(errors: dict) -> None:
    abort(422, messages={"json": {"answers": errors}})


def validated(event: Event, registration: Registration | None, sent: dict) -> list[Submitted]:
    """The answers the registration will hold once `sent` is applied, validated by the
    event's form (an invalid one: 422 with the messages by question identifier)."""
    specs = field_model.question_specs([event], current_language(), audience="organiser")
    by_identifier = {s.identifier: s for s in specs if _writable(s)}
    errors = {}
    for identifier in sent:
        if identifier not in by_identifier:
            errors[identifier] = [_("This event has no such question (or not through the API).")]
    if errors:
        _fail(errors)
    stored = answer_service.answers_of([registration])[registration.id] if registration else {}
    formdata = MultiDict()
    for spec in specs:
        if not spec.has_answer or spec.type.multipart:
            continue
        if spec.identifier in sent:
            data = _sent_as_form_data(spec, sent[spec.identifier])
            if isinstance(data, str):
                errors[spec.identifier] = [data]
                continue
        else:
            answer = stored.get(spec.question.id)
            data = _stored_as_form_data(spec, answer.value if answer else "")
        for item in data:
            formdata.add(spec.key, item)
    if errors:
        _fail(errors)
    held_options, held_files = answer_service.held(stored, specs)
    form = build(_AnswersForm, specs)(
        formdata=formdata, held_options=held_options, held_files=held_files, meta={"csrf": False}
    )
    if not form.validate():
        keys = {s.key: s.identifier for s in specs}
        _fail({keys[key]: [str(m) for m in messages] for key, messages in form.errors.items()})
    return form.answers()


def save(registration: Registration, submitted: list[Submitted], *, user) -> list[str]:
    """Save the answers (the option seat limits under the event lock); a full option is a
    409 problem naming its question. A change of answers is a change of the registration
    for `modified_since`."""
    try:
        changed = answer_service.save(registration.booking, [registration], submitted, user=user)
    except QuestionError as error:
        if error.field:
            found = next((s.spec for s in submitted if s.spec.key == error.field), None)
            error.field = f"answers.{found.identifier}" if found else error.field
        raise
    return changed
