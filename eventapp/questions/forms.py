"""Forms built from the field model: `build(base, specs)` adds one input per field to a base
form (its buttons, consent, honeypot...), and the resulting form validates only the fields that
apply (a hidden conditional answer is ignored, a required visible one enforced: on the server,
with or without JavaScript)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_wtf import FlaskForm

from eventapp.questions.fields import FieldSpec, visible_keys
from eventapp.questions.types import Upload


@dataclass
class Submitted:
    """One answer as the form gives it: the canonical value, the chosen option identifiers and
    a file, for the service (eventapp/questions/answers.py)."""

    spec: FieldSpec
    value: str
    chosen: list[str]
    upload: Upload | None = None


class SpecFields:
    """What a form built from the field model does (validate what applies, hand out the
    person's data and the answers, show stored answers), for a page's form (`FieldsForm`) and
    for a sub-form repeated inside one (a colleague of a group booking: a wtforms `Form`, whose
    chosen stages are the outer form's, through `stages_source`)."""

    specs: Sequence[FieldSpec] = ()
    stages_source = None  # a callable giving the outer form's chosen stages (sub-forms)

    def __init__(self, *args, held_options=None, held_files=(), **kwargs):
        # held_options: {key: [identifiers]} the person already holds (a full option they
        # hold stays theirs); held_files: keys answered with a file already.
        self.held_options = held_options or {}
        self.held_files = set(held_files)
        super().__init__(*args, **kwargs)
        for spec in self.specs:
            if spec.key in self._fields:
                self._fields[spec.key].spec = spec

    @property
    def multipart(self) -> bool:
        return any(s.type.multipart for s in self.specs)

    def chosen_stages(self):
        stages = self._fields.get("stages")
        if stages is not None:
            return set(stages.data or [])
        return self.stages_source() if self.stages_source is not None else None

    def visible(self) -> set[str]:
        values = {}
        for spec in self.specs:
            if spec.key in self._fields and spec.type.has_options:
                field = self._fields[spec.key]
                try:
                    values[spec.key] = spec.type.chosen(spec, spec.type.to_value(field.data))
                except (TypeError, ValueError):
                    values[spec.key] = []
        return visible_keys(self.specs, values, self.chosen_stages())

    def validate(self, extra_validators=None):
        shown = self.visible()
        hidden = [s.key for s in self.specs if s.key in self._fields and s.key not in shown]
        fields = dict(self._fields)
        for key in hidden:
            del self._fields[key]
            fields[key].errors = []
        try:
            return super().validate(extra_validators)
        finally:
            self._fields.clear()
            self._fields.update(fields)

    def person_data(self) -> dict:
        """The person's fields as the services take them: optional text "" (the columns are
        NOT NULL), an unanswered choice None."""
        data = {}
        for spec in self.specs:
            if spec.person:
                value = self._fields[spec.key].data
                if spec.type.name == "choice":
                    value = value or None
                elif value is None:
                    value = ""
                data[spec.key] = value
        return data

    def answers(self) -> list[Submitted]:
        """The answers of the questions that apply (hidden ones come back empty, so the
        service removes what they held)."""
        shown = self.visible()
        out = []
        for spec in self.specs:
            if spec.person or not spec.has_answer or spec.key not in self._fields:
                continue
            if spec.key not in shown:
                out.append(Submitted(spec, "", []))
                continue
            data = self._fields[spec.key].data
            upload = data if isinstance(data, Upload) else None
            value = spec.type.to_value(data)
            if spec.type.multipart and upload is None:
                out.append(Submitted(spec, None, []))  # no new file: keep the one held
                continue
            out.append(Submitted(spec, value, spec.type.chosen(spec, value), upload))
        return out

    def fill(self, answers: dict[int, object]) -> None:
        """Show stored answers ({question id: Answer}) in the form (a GET)."""
        for spec in self.specs:
            if spec.question is None or spec.key not in self._fields:
                continue
            answer = answers.get(spec.question.id)
            if answer is not None:
                self._fields[spec.key].data = spec.type.to_form(answer.value)


class FieldsForm(SpecFields, FlaskForm):
    """A page's form built from the field model."""


def build(base: type, specs: Sequence[FieldSpec], **extra) -> type[SpecFields]:
    """A form class with `base`'s own fields and one input per field of `specs` (and the
    `extra` class attributes: a sub-form's list, for instance). A `base` that is not a
    SpecFields gets the page's form (FieldsForm) behaviour."""
    attrs = {"specs": list(specs), **extra}
    for spec in specs:
        if spec.has_answer:
            attrs[spec.key] = spec.type.form_field(spec)
    bases = (base,) if issubclass(base, SpecFields) else (FieldsForm, base)
    return type(f"{base.__name__}WithFields", bases, attrs)
