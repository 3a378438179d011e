"""Forms of the participant's pages. Every field is validated on the server; lengths match the
database columns so nothing is ever truncated or refused by the database."""

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    StringField,
    SubmitField,
)
from wtforms.validators import Length, ValidationError

from eventapp.questions import fields as field_model
from eventapp.questions.forms import SpecFields, build
from eventapp.questions.types import MultiCheckboxField
from eventapp.validators import REQUIRED, DataRequired


class Email:
    """Syntax check with email-validator, without any DNS or network lookup; the normalised
    address replaces what was typed."""

    def __call__(self, form, field):
        value = (field.data or "").strip()
        if not value:
            return
        try:
            result = validate_email(value, check_deliverability=False)
        except EmailNotValidError as error:
            raise ValidationError(
                _l("Enter a valid e-mail address, like name@example.org.")
            ) from error
        field.data = result.normalized


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _single_line(form, field):
    if field.data and any(ord(ch) < 32 for ch in field.data):
        raise ValidationError(_l("Use a single line without special characters."))


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choose…"))] + [SelectChoice(v, label) for v, label in pairs]


# The one wording for a missing answer, on every field of the participant's forms.
NAME_REQUIRED = REQUIRED
MAX_COLLEAGUES = 9


class ColleagueForm(SpecFields, Form):
    """A colleague in a group booking. Their fields come from the field model
    (`fields.colleague_specs`: their own name, e-mail and job title with the rules of every
    form, and the per-person questions; the organisation, category and region are the
    booker's), added by `registration_form`. A wtforms Form (no CSRF of its own: the outer
    form's token covers it)."""

    class Meta(FlaskForm.Meta):
        csrf = False  # the outer form's token covers it
        # (FlaskForm's Meta also gives the validators' own messages in the page's language)

    own_link = BooleanField(_l("E-mail them their own confirmation and link"))

    def is_blank(self) -> bool:
        return not any(self[name].data for name in ("first_name", "last_name", "email"))


class RegistrationForm(FlaskForm):
    """The sign-up form's own inputs; the person's fields and the event's questions are added
    from the field model (eventapp/questions: `registration_form`)."""

    stages = MultiCheckboxField(_l("Stages"), coerce=int, validate_choice=True)
    consent = BooleanField(
        _l(
            "I have read the privacy notice and agree that my data is used to manage my "
            "registration."
        ),
        validators=[DataRequired(REQUIRED)],
    )
    # Colleagues booked with the booker (a group booking): each one a registration of their own;
    # `colleagues` (a list of ColleagueForm built from the field model) is added by
    # registration_form().
    # Honeypot: hidden from people by CSS (class "hp"), bots fill it in. Never an inline style.
    homepage = StringField(
        _l("Leave this field empty"),
        render_kw={"autocomplete": "off", "tabindex": "-1"},
    )
    add_colleague = SubmitField(_l("Add a colleague"))
    submit = SubmitField(_l("Register"))

    # The order of the page, for the error summary; short names where the label is a sentence.
    ORDER = (
        "stages",
        "first_name",
        "last_name",
        "email",
        "organisation_name",
        "job_title",
        "category",
        "region",
        "colleagues",
        "consent",
    )
    SHORT_LABELS = {"consent": _l("Privacy notice"), "category": _l("Category")}

    def __init__(self, *args, stage_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if stage_choices is None:
            del self.stages
        else:
            self.stages.choices = [SelectChoice(value, label) for value, label in stage_choices]
        # Rows left blank are no colleague (a row added by mistake, or never filled in).
        # (last_index stays the highest index sent, so a row added next gets a new name.)
        self.colleagues.entries = [e for e in self.colleagues.entries if not e.form.is_blank()]
        for entry in self.colleagues.entries:
            entry.form.stages_source = self.chosen_stages  # their stage questions: the same

    def add_colleague_row(self) -> None:
        if len(self.colleagues.entries) < MAX_COLLEAGUES:
            self.colleagues.append_entry().form.stages_source = self.chosen_stages

    def validate_stages(self, field):
        if not field.data:
            raise ValidationError(REQUIRED)

    def validate_colleagues(self, field):
        seen = {(self.email.data or "").strip().lower()}
        for entry in field.entries:
            address = (entry.form.email.data or "").strip().lower()
            if address and address in seen:
                entry.form.email.errors = [
                    *entry.form.email.errors,
                    _l("Each person needs their own e-mail address."),
                ]
                raise ValidationError(_l("Each person needs their own e-mail address."))
            seen.add(address)

    def people(self) -> list[dict]:
        """The colleagues typed in: dicts of their person fields, `own_link`, and `answers`
        (their answers to the per-person questions) and `form` (their sub-form, for a
        message on one of its fields)."""
        return [
            {
                **e.form.person_data(),
                "own_link": bool(e.form.own_link.data),
                "answers": e.form.answers(),
                "form": e.form,
            }
            for e in self.colleagues.entries
        ]


def error_summary(form) -> list[tuple[str, str, str]]:
    """(anchor id, short field name, message) for every error, in the page's order (the form's
    ORDER, else its declaration order), colleagues' fields named "Colleague n — field"."""
    from flask_babel import gettext

    short = getattr(form, "SHORT_LABELS", {})
    names = [n for n in getattr(form, "ORDER", ()) if n in form] or [f.name for f in form]
    # Fields outside ORDER (the event's questions, from the field model) come before the
    # consent, in the form's order.
    rest = [f.name for f in form if f.name not in names]
    at = names.index("consent") if "consent" in names else len(names)
    names[at:at] = rest
    items = []
    for name in names:
        f = form[name]
        if isinstance(f, FieldList):
            for number, entry in enumerate(f.entries, 1):
                for sub in entry.form:
                    for message in sub.errors:
                        label = gettext("Colleague %(num)s", num=number) + " — " + sub.label.text
                        items.append((sub.id, label, str(message)))
            continue
        anchor = "stages-fieldset" if name == "stages" else f.id
        for message in f.errors:
            items.append((anchor, str(short.get(name, f.label.text)), str(message)))
    return items


class DetailsForm(FlaskForm):
    """The manage page's corrections (the e-mail is the registration's key: not editable); the
    fields come from the field model (`details_form`)."""

    submit = SubmitField(_l("Save the corrections"))


class CancelForm(FlaskForm):
    submit = SubmitField(_l("Yes, cancel my registration"))


class OfferAnswerForm(FlaskForm):
    """The confirming click on a waiting-list offer's answer (CSRF only)."""


class ResendLinkForm(FlaskForm):
    email = EmailField(
        _l("E-mail used to register"),
        filters=[_strip],
        validators=[DataRequired(NAME_REQUIRED), Length(max=254), Email()],
        render_kw={"autocomplete": "email", "maxlength": 254, "spellcheck": "false"},
    )
    submit = SubmitField(_l("E-mail me my link"))


class AddStagesForm(FlaskForm):
    """The booking page's "add a stage": the tour's open stages not booked yet."""

    stages = MultiCheckboxField(_l("Stages"), coerce=int, validate_choice=True)
    submit = SubmitField(_l("Add to my booking"))

    def __init__(self, *args, stage_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.stages.choices = [SelectChoice(value, label) for value, label in stage_choices]

    def validate_stages(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one stage."))


def registration_form(event, lang, stage_events=None, **kwargs):
    """The sign-up form of `event` (a tour: its `stage_events` open for sign-up, each stage's
    own questions asked only for the stages chosen)."""
    if event.is_tour:
        questions = field_model.question_specs(
            stage_events or [], lang, tour=event, stage_form=True
        )
    else:
        questions = field_model.question_specs([event], lang)
    specs = field_model.person_specs(lang) + questions
    colleague = build(ColleagueForm, field_model.colleague_specs(lang, questions))
    colleagues = FieldList(FormField(colleague), min_entries=0, max_entries=MAX_COLLEAGUES)
    return build(RegistrationForm, specs, colleagues=colleagues)(**kwargs)


def details_form(registrations, lang, **kwargs):
    """The manage and booking pages' form for one person: their fields but the e-mail, and
    the questions of the events they hold (a tour's once), filled with their answers."""
    from eventapp.questions import answers as answer_service

    live = [r for r in registrations if r.is_live] or list(registrations)
    specs = field_model.person_specs(lang, with_email=False) + field_model.question_specs(
        [r.event for r in live], lang
    )
    answers = {}
    for per_registration in answer_service.answers_of(live).values():
        answers.update(per_registration)
    held_options, held_files = answer_service.held(answers, specs)
    form = build(DetailsForm, specs)(held_options=held_options, held_files=held_files, **kwargs)
    if kwargs.get("formdata", True) is None or not form.is_submitted():
        form.fill(answers)
    return form
