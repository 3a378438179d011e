"""The form builder's forms: one question (every type's settings; a choice's options as lines
of text, so the page works without JavaScript), delete, copy."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, Regexp, ValidationError

from eventapp.organiser.forms import DATETIME_FORMAT, to_local, to_utc
from eventapp.questions.building import options_text, parse_options
from eventapp.questions.types import REQUIRED, TYPES, NoControlCharacters, multi_line, one_line
from eventapp.validators import DataRequired, InputRequired

REQUIREMENTS = (
    ("optional", _l("Optional")),
    ("required", _l("Required")),
    ("required_after", _l("Required from a date on (asked on the manage page)")),
)
WIDGETS = (("radio", _l("Buttons")), ("list", _l("Drop-down list")))


class QuestionForm(FlaskForm):
    kind = SelectField(
        _l("Type"),
        choices=[SelectChoice(t.name, t.label) for t in TYPES.values()],
        validators=[InputRequired()],
    )
    label_fr = StringField(
        _l("Question (French)"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=300), NoControlCharacters()],
    )
    label_en = StringField(
        _l("Question (English)"),
        filters=[one_line],
        validators=[Optional(), Length(max=300), NoControlCharacters()],
    )
    help_fr = TextAreaField(
        _l("Help text (French)"),
        filters=[multi_line],
        validators=[Optional(), Length(max=2000), NoControlCharacters("\n\t")],
    )
    help_en = TextAreaField(
        _l("Help text (English)"),
        filters=[multi_line],
        validators=[Optional(), Length(max=2000), NoControlCharacters("\n\t")],
    )
    identifier = StringField(
        _l("Identifier (exports, import, API)"),
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=40),
            Regexp(r"^[a-z0-9_]+$", message=_l("Lower-case letters, digits and _ only.")),
        ],
    )
    requirement = SelectField(
        _l("Answer"), choices=[SelectChoice(*c) for c in REQUIREMENTS], default="optional"
    )
    required_from = DateTimeLocalField(
        _l("Required from (Paris time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    widget = SelectField(
        _l("Shown as"), choices=[SelectChoice(*c) for c in WIDGETS], default="radio"
    )
    options = TextAreaField(
        _l("Options, one a line: identifier | French label | English label | places"),
        filters=[multi_line],
        validators=[Optional(), Length(max=10000)],
        render_kw={"rows": 6},
    )
    min_number = DecimalField(_l("Smallest number"), places=None, validators=[Optional()])
    max_number = DecimalField(_l("Largest number"), places=None, validators=[Optional()])
    min_date = DateField(_l("Earliest date"), validators=[Optional()])
    max_date = DateField(_l("Latest date"), validators=[Optional()])
    depends_on = SelectField(_l("Show only if this question…"), coerce=int, default=0)
    depends_values = StringField(
        _l("…has one of these answers (identifiers, separated by commas)"),
        filters=[one_line],
        validators=[Optional(), Length(max=500)],
    )
    organiser_only = BooleanField(_l("Organisers only (never shown to participants)"))
    sensitive = BooleanField(_l("Sensitive (health): left out of exports unless asked for"))
    retention_days = IntegerField(
        _l("Delete the answers this many days after the event (empty: with the registration)"),
        validators=[Optional(), NumberRange(min=0, max=3650)],
    )
    on_badge = BooleanField(_l("Print the answer on the badge"))
    at_desk = BooleanField(_l("Show the answer at the check-in desk"))

    def __init__(self, *args, parents=(), question=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.depends_on.choices = [SelectChoice(0, _l("(always shown)"))] + [
            SelectChoice(q.id, f"{q.label_fr} [{q.identifier}]") for q in parents
        ]
        if question is not None and not self.is_submitted():
            self.options.data = options_text(question)
            self.required_from.data = to_local(question.required_from)
            self.depends_on.data = question.depends_on_id or 0
            self.depends_values.data = ", ".join(question.depends_values or [])
        self.parsed_options = []

    def validate_options(self, field):
        try:
            self.parsed_options = parse_options(field.data or "")
        except ValueError as error:
            raise ValidationError(
                _l(
                    "Line %(num)s: write “identifier | French label | English label | places”.",
                    num=error.args[0],
                )
            ) from None

    def validate_requirement(self, field):
        if field.data == "required_after" and self.required_from.data is None:
            self.required_from.errors = [
                *self.required_from.errors,
                _l("Give the date from which the answer is required."),
            ]
            raise ValidationError(_l("Give the date from which the answer is required."))

    def validate_max_number(self, field):
        low = self.min_number.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The largest number is below the smallest."))

    def validate_max_date(self, field):
        if field.data and self.min_date.data and field.data < self.min_date.data:
            raise ValidationError(_l("The latest date is before the earliest."))

    def data_for_service(self) -> dict:
        values = [v.strip() for v in (self.depends_values.data or "").split(",") if v.strip()]
        return {
            "kind": self.kind.data,
            "identifier": self.identifier.data or "",
            "label_fr": self.label_fr.data,
            "label_en": self.label_en.data or "",
            "help_fr": self.help_fr.data or "",
            "help_en": self.help_en.data or "",
            "requirement": self.requirement.data,
            "required_from": to_utc(self.required_from.data)
            if self.requirement.data == "required_after"
            else None,
            "widget": self.widget.data,
            "min_number": self.min_number.data,
            "max_number": self.max_number.data,
            "min_date": self.min_date.data,
            "max_date": self.max_date.data,
            "depends_on_id": self.depends_on.data or None,
            "depends_values": values,
            "organiser_only": bool(self.organiser_only.data),
            "sensitive": bool(self.sensitive.data),
            "retention_days": self.retention_days.data,
            "on_badge": bool(self.on_badge.data),
            "at_desk": bool(self.at_desk.data),
        }


class DeleteQuestionForm(FlaskForm):
    confirm = BooleanField(_l("Delete the answers given to this question too"))


class CopyForm(FlaskForm):
    source = SelectField(_l("Copy the questions of"), coerce=int, validators=[InputRequired()])
