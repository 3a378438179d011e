"""The B2B forms: the participant's profile and request, the organiser's set-up and changes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, Length, NumberRange, Optional, Regexp

from eventapp.models import ActorCategory, B2BTag, Sector
from eventapp.organiser.forms import (
    DATETIME_FORMAT,
    MultiCheckboxField,
    category_choices,
    choices,
    one_line,
    region_choices,
)
from eventapp.validators import DataRequired, InputRequired


class ProfileForm(FlaskForm):
    organisation_name = StringField(
        _l("Organisation"), filters=[one_line], validators=[DataRequired(), Length(max=200)]
    )
    category = SelectField(_l("Category"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[Optional()])
    pitch = TextAreaField(
        _l("Short pitch"), validators=[Optional(), Length(max=600)], render_kw={"rows": 3}
    )
    offers = MultiCheckboxField(_l("What you offer"))
    offers_text = StringField(
        _l("Offers, in your words"), filters=[one_line], validators=[Length(max=300)]
    )
    needs = MultiCheckboxField(_l("What you seek"))
    needs_text = StringField(
        _l("Needs, in your words"), filters=[one_line], validators=[Length(max=300)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices()
        self.region.choices = region_choices(blank="—")
        tags = choices(B2BTag.choices())
        self.offers.choices = tags
        self.needs.choices = tags


class RequestForm(FlaskForm):
    message = TextAreaField(
        _l("Message (why you would like to meet)"),
        validators=[Optional(), Length(max=500)],
        render_kw={"rows": 3},
    )


class UnavailableForm(FlaskForm):
    slots = MultiCheckboxField(_l("Slots when you cannot meet"), coerce=int)


class SettingsForm(FlaskForm):
    enabled = BooleanField(_l("B2B meetings are open to participants"))
    request_limit = IntegerField(
        _l("Requests a person may send"),
        validators=[InputRequired(), NumberRange(min=1, max=200)],
        default=20,
    )
    meeting_cap = IntegerField(
        _l("Meetings a person may have (empty: one per slot)"),
        validators=[Optional(), NumberRange(min=1, max=48)],
    )
    request_expiry_hours = IntegerField(
        _l("Hours before an unanswered request expires (empty: never)"),
        validators=[Optional(), NumberRange(min=1, max=720)],
        default=72,
    )


class BlockForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("Starts (Paris time)"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends (Paris time)"), format=DATETIME_FORMAT, validators=[InputRequired()]
    )
    slot_minutes = IntegerField(
        _l("Slot length (minutes)"),
        validators=[InputRequired(), NumberRange(min=5, max=240)],
        default=20,
    )


class TablesForm(FlaskForm):
    count = IntegerField(
        _l("Number of tables to add"),
        validators=[InputRequired(), NumberRange(min=1, max=200)],
        default=10,
    )
    location = StringField(
        _l("Room or location (optional)"), filters=[one_line], validators=[Length(max=120)]
    )


class RunForm(FlaskForm):
    mode = SelectField(
        _l("What to schedule"),
        choices=choices(
            [
                ("full", _l("Everything again (locked meetings stay)")),
                ("unscheduled_only", _l("Only the requests without a slot (the others stay)")),
            ]
        ),
        default="full",
    )


class MoveForm(FlaskForm):
    slot = SelectField(_l("Slot"), coerce=int, validate_choice=True)
    table = SelectField(_l("Table"), coerce=int, validate_choice=True)


class DirectoryEntryForm(FlaskForm):
    """An organisation's entry in the sector directory, edited by one of its people."""

    listed = BooleanField(_l("List my organisation in the public directory of the sector"))
    sector = SelectField(_l("Family"), validators=[DataRequired()])
    region = SelectField(_l("Region"), validators=[Optional()])
    website = StringField(
        _l("Website"),
        filters=[one_line],
        validators=[
            Optional(),
            Length(max=300),
            Regexp(r"^https?://", message=_l("Enter a full address: https://…")),
            URL(message=_l("Enter a full address: https://…")),
        ],
    )
    description = TextAreaField(
        _l("What your organisation does"),
        validators=[Optional(), Length(max=1000)],
        render_kw={"rows": 4},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = choices(Sector.choices())
        self.region.choices = region_choices(blank="—")


class RulesForm(FlaskForm):
    """The booking rules: the slot mode, then per category whom it may request (a row of the
    matrix) and its cap of meetings. The per-category fields are added by `rules_form()`."""

    slot_mode = SelectField(
        _l("Who sets the meeting times"),
        choices=choices(
            [
                ("organiser", _l("The organiser runs the scheduler")),
                ("self_pick", _l("The person who accepts picks a free slot")),
            ]
        ),
        validators=[DataRequired()],
    )


def rules_form(**kwargs) -> RulesForm:
    """The rules form with, per actor category, `may_<category>` (the categories it may
    request) and `cap_<category>` (its meetings, empty: the event's cap only)."""

    class Form(RulesForm):
        pass

    pairs = ActorCategory.choices()
    for value, label in pairs:
        setattr(
            Form,
            f"may_{value}",
            MultiCheckboxField(
                _l("%(category)s may request", category=label), choices=choices(pairs)
            ),
        )
        setattr(
            Form,
            f"cap_{value}",
            IntegerField(
                _l("Meetings for a person of this category (empty: no limit of its own)"),
                validators=[Optional(), NumberRange(min=1, max=48)],
            ),
        )
    return Form(**kwargs)
