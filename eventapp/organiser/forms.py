"""What the organiser forms share: Paris-time dates, one-line text, choices, the confirmation
and button forms. Each feature keeps its own forms beside its views."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.models import ActorCategory, Region
from eventapp.validators import DataRequired

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(value: datetime | None) -> datetime | None:
    """A naive date-time typed in Paris time, as an aware UTC datetime."""
    if value is None:
        return None
    return value.replace(tzinfo=local_zone()).astimezone(UTC)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.astimezone(local_zone()).replace(tzinfo=None)


LANGUAGE_CHOICES = (("fr", "Français"), ("en", "English"))  # language names stay in their own


def one_line(value):
    """Line breaks and tabs in a one-line field become single spaces: an <input> cannot hold
    them, and titles or names end up in e-mail subjects and calendar lines."""
    return " ".join(value.split()) if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def region_choices(blank: str | None = None):
    pairs = Region.choices()
    return choices([("", blank), *pairs] if blank is not None else pairs)


def category_choices(blank: str | None = None):
    pairs = ActorCategory.choices()
    return choices([("", blank), *pairs] if blank is not None else pairs)


class ConfirmForm(FlaskForm):
    """An action that changes something visible to participants, confirmed with a checkbox."""

    confirm = BooleanField(_l("I confirm"), validators=[DataRequired()])


class ActionForm(FlaskForm):
    """A button: nothing but the CSRF token."""
