"""Field types as classes (Indico's registration/fields): each type declares its name, the form
input it is asked with, how that input becomes the stored answer (a canonical text), how an
answer reads, and how a cell of an imported file is read. The person's built-in fields and the
organiser's questions both use them (eventapp/questions/fields.py), so one definition drives
the forms, the list, the exports and the import.

Canonical values: text as typed (one line folded for short text), numbers as plain decimals,
"yes"/"no", option identifiers (comma-separated), ISO dates, ISO 3166 country codes, E.164
phone numbers, normalised e-mail addresses, URLs, a file's name, "yes" for a consent given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import urlsplit

import phonenumbers
from babel import Locale
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Length, Optional, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from eventapp.text import fold
from eventapp.validators import REQUIRED, DataRequired, InputRequired

CHOOSE = _l("Choose…")
LONG_TEXT_MAX = 2000
URL_MAX = 500
FILE_TYPES = {  # content sniffed from the first bytes, never the name or the browser's word
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


class MultiCheckboxField(SelectMultipleField):
    """Several choices as checkboxes (rendered as a fieldset by macros/forms.html)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


# --- the one text rule -------------------------------------------------------------------------


def one_line(value):
    """Line breaks, tabs and runs of spaces become one space (an <input> cannot hold them;
    names end up in e-mail subjects and calendar lines); the ends are trimmed."""
    return " ".join(value.split()) if isinstance(value, str) else value


def multi_line(value):
    if not isinstance(value, str):
        return value
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip()


def control_characters(value: str, allowed: str = "") -> bool:
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value or "")


class NoControlCharacters:
    def __init__(self, allowed: str = ""):
        self.allowed = allowed

    def __call__(self, form, field):
        if isinstance(field.data, str) and control_characters(field.data, self.allowed):
            raise ValidationError(_l("Use text without special characters."))


def required_validator(spec, *, zero_allowed=False):
    """Required: an answer after the filters (spaces alone are no answer); a number may be 0."""
    if not spec.required:
        return Optional()
    message = spec.required_message or REQUIRED
    return InputRequired(message) if zero_allowed else DataRequired(message)


@dataclass(frozen=True)
class Option:
    value: str  # the option's identifier
    label: str
    full: bool = False
    option_id: int | None = None


def _match_option(spec, text: str) -> Option | None:
    wanted = fold(text).strip()
    for option in spec.options:
        if wanted in (fold(option.value), fold(option.label).strip()):
            return option
    return None


class FieldType:
    name = ""
    label = ""
    has_answer = True
    has_options = False
    multipart = False

    def form_field(self, spec):
        raise NotImplementedError

    def to_value(self, data) -> str:
        """The form's data as the stored canonical text ("" = no answer)."""
        if data is None:
            return ""
        return str(data).strip()

    def to_form(self, value: str):
        """A stored answer as the form field's data."""
        return value or None

    def display(self, spec, value: str, lang: str) -> str:
        return value or ""

    def from_text(self, spec, text: str) -> str:
        """An imported cell as the canonical value; ValueError(message) when it cannot be."""
        text = one_line(text or "")
        if spec.max_length and len(text) > spec.max_length:
            raise ValueError(_l("At most %(num)s characters.", num=spec.max_length))
        if control_characters(text):
            raise ValueError(_l("Use text without special characters."))
        return text

    def chosen(self, spec, value: str) -> list[str]:
        """The option identifiers an answer holds."""
        return []


class ShortText(FieldType):
    name = "short_text"
    label = _l("Short text")

    def form_field(self, spec):
        kw = {"maxlength": spec.max_length or 200}
        if spec.autocomplete:
            kw["autocomplete"] = spec.autocomplete
        return StringField(
            spec.label,
            filters=[one_line],
            validators=[
                required_validator(spec),
                Length(max=spec.max_length or 200),
                NoControlCharacters(),
            ],
            render_kw=kw,
        )


class LongText(FieldType):
    name = "long_text"
    label = _l("Long text")

    def form_field(self, spec):
        return TextAreaField(
            spec.label,
            filters=[multi_line],
            validators=[
                required_validator(spec),
                Length(max=LONG_TEXT_MAX),
                NoControlCharacters("\n\t"),
            ],
            render_kw={"maxlength": LONG_TEXT_MAX, "rows": 4},
        )

    def from_text(self, spec, text):
        text = multi_line(text or "")
        if len(text) > LONG_TEXT_MAX or control_characters(text, "\n\t"):
            raise ValueError(_l("At most %(num)s characters.", num=LONG_TEXT_MAX))
        return text


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class Number(FieldType):
    name = "number"
    label = _l("Number")

    def _range(self, form, field):
        if field.data is None:
            return
        low, high = field.spec.min_number, field.spec.max_number
        if low is not None and field.data < Decimal(low):
            raise ValidationError(_l("At least %(num)s.", num=_number_text(Decimal(low))))
        if high is not None and field.data > Decimal(high):
            raise ValidationError(_l("At most %(num)s.", num=_number_text(Decimal(high))))

    def form_field(self, spec):
        field = DecimalField(
            spec.label,
            places=None,
            validators=[required_validator(spec, zero_allowed=True), self._range],
            render_kw={"inputmode": "decimal"},
        )
        return field

    def to_value(self, data):
        if data is None:
            return ""
        return _number_text(Decimal(data))

    def to_form(self, value):
        return Decimal(value) if value else None

    def from_text(self, spec, text):
        text = (text or "").strip().replace(",", ".").replace(" ", "")
        if not text:
            return ""
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(_l("Not a number.")) from None
        if not value.is_finite():
            raise ValueError(_l("Not a number."))
        if spec.min_number is not None and value < Decimal(spec.min_number):
            raise ValueError(_l("At least %(num)s.", num=_number_text(Decimal(spec.min_number))))
        if spec.max_number is not None and value > Decimal(spec.max_number):
            raise ValueError(_l("At most %(num)s.", num=_number_text(Decimal(spec.max_number))))
        return _number_text(value)


YES_WORDS = {"yes", "oui", "y", "o", "1", "true", "vrai", "x"}
NO_WORDS = {"no", "non", "n", "0", "false", "faux"}


class YesNo(FieldType):
    name = "yes_no"
    label = _l("Yes / no")
    has_options = True  # "yes" and "no" are what a condition may test

    def form_field(self, spec):
        return RadioField(
            spec.label,
            choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
            validators=[required_validator(spec)],
        )

    def display(self, spec, value, lang):
        return {"yes": str(_l("Yes")), "no": str(_l("No"))}.get(value, value or "")

    def from_text(self, spec, text):
        word = fold(text or "").strip()
        if not word:
            return ""
        if word in YES_WORDS:
            return "yes"
        if word in NO_WORDS:
            return "no"
        raise ValueError(_l("Answer yes or no."))

    def chosen(self, spec, value):
        return [value] if value else []


class _OptionLimit:
    """An option whose places are all taken cannot be newly chosen (the service checks it
    again under the lock, for the race)."""

    def __call__(self, form, field):
        held = set(getattr(form, "held_options", {}).get(field.name, ()))
        values = field.data if isinstance(field.data, list) else [field.data]
        for option in field.spec.options:
            if option.full and option.value in values and option.value not in held:
                raise ValidationError(
                    _l("“%(option)s” is full: choose another option.", option=option.label)
                )


class Choice(FieldType):
    name = "choice"
    label = _l("Single choice")
    has_options = True

    def form_field(self, spec):
        if spec.widget == "list":
            return SelectField(
                spec.label,
                choices=[SelectChoice("", CHOOSE)]
                + [SelectChoice(o.value, o.label) for o in spec.options],
                validators=[required_validator(spec), _OptionLimit()],
            )
        return RadioField(
            spec.label,
            choices=[SelectChoice(o.value, o.label) for o in spec.options],
            validators=[required_validator(spec), _OptionLimit()],
        )

    def display(self, spec, value, lang):
        labels = {o.value: o.label for o in spec.options}
        return labels.get(value, value or "")

    def from_text(self, spec, text):
        text = (text or "").strip()
        if not text:
            return ""
        option = _match_option(spec, text)
        if option is None:
            raise ValueError(_l("Not one of the options."))
        return option.value

    def chosen(self, spec, value):
        return [value] if value else []


class MultiChoice(FieldType):
    name = "multi_choice"
    label = _l("Multiple choice")
    has_options = True

    def form_field(self, spec):
        return MultiCheckboxField(
            spec.label,
            choices=[SelectChoice(o.value, o.label) for o in spec.options],
            validators=[required_validator(spec), _OptionLimit()],
        )

    def to_value(self, data):
        return ",".join(sorted(set(data or [])))

    def to_form(self, value):
        return [v for v in (value or "").split(",") if v]

    def display(self, spec, value, lang):
        labels = {o.value: o.label for o in spec.options}
        return ", ".join(labels.get(v, v) for v in self.to_form(value))

    def from_text(self, spec, text):
        parts = [p.strip() for p in re.split(r"[;,\n]", text or "") if p.strip()]
        values = []
        for part in parts:
            option = _match_option(spec, part)
            if option is None:
                raise ValueError(_l("Not one of the options."))
            values.append(option.value)
        return ",".join(sorted(set(values)))

    def chosen(self, spec, value):
        return self.to_form(value)


class DateType(FieldType):
    name = "date"
    label = _l("Date")

    def _range(self, form, field):
        if field.data is None:
            return
        if field.spec.min_date and field.data < field.spec.min_date:
            raise ValidationError(_l("Not before %(date)s.", date=format_date(field.spec.min_date)))
        if field.spec.max_date and field.data > field.spec.max_date:
            raise ValidationError(_l("Not after %(date)s.", date=format_date(field.spec.max_date)))

    def form_field(self, spec):
        return DateField(
            spec.label,
            validators=[required_validator(spec), self._range],
            render_kw={
                k: v.isoformat()
                for k, v in (("min", spec.min_date), ("max", spec.max_date))
                if v is not None
            },
        )

    def to_value(self, data):
        return data.isoformat() if data else ""

    def to_form(self, value):
        return date.fromisoformat(value) if value else None

    def display(self, spec, value, lang):
        return format_date(date.fromisoformat(value)) if value else ""

    def from_text(self, spec, text):
        text = (text or "").strip()
        if not text:
            return ""
        for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d %H:%M:%S"):
            try:
                value = datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        else:
            raise ValueError(_l("Not a date (day/month/year)."))
        if (spec.min_date and value < spec.min_date) or (spec.max_date and value > spec.max_date):
            raise ValueError(_l("Outside the dates allowed."))
        return value.isoformat()


@lru_cache(maxsize=4)
def country_names(lang: str) -> dict[str, str]:
    """ISO 3166 alpha-2 codes and their names in `lang` (Babel's CLDR data), by name."""
    territories = Locale.parse(lang).territories
    pairs = [(code, name) for code, name in territories.items() if re.fullmatch(r"[A-Z]{2}", code)]
    pairs = [p for p in pairs if p[0] not in {"ZZ", "XA", "XB", "QO", "EU", "EZ", "UN"}]
    return dict(sorted(pairs, key=lambda p: fold(p[1])))


class Country(FieldType):
    name = "country"
    label = _l("Country")

    def form_field(self, spec):
        names = country_names(spec.lang)
        return SelectField(
            spec.label,
            choices=[SelectChoice("", CHOOSE)] + [SelectChoice(c, n) for c, n in names.items()],
            validators=[required_validator(spec)],
            render_kw={"autocomplete": "country"},
        )

    def display(self, spec, value, lang):
        return country_names(lang).get(value, value or "")

    def from_text(self, spec, text):
        text = (text or "").strip()
        if not text:
            return ""
        if text.upper() in country_names("fr"):
            return text.upper()
        wanted = fold(text)
        for lang in ("fr", "en"):
            for code, name in country_names(lang).items():
                if fold(name) == wanted:
                    return code
        raise ValueError(_l("Unknown country."))


PHONE_MESSAGE = _l("Enter a valid phone number, like 06 12 34 56 78 or +44 20 7946 0000.")


def parse_phone(text: str) -> str:
    try:
        number = phonenumbers.parse(text, "FR")
    except phonenumbers.NumberParseException:
        raise ValueError(PHONE_MESSAGE) from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError(PHONE_MESSAGE)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class Phone(FieldType):
    name = "phone"
    label = _l("Phone number")

    def _valid(self, form, field):
        if field.data:
            try:
                field.data = parse_phone(field.data)
            except ValueError as error:
                raise ValidationError(str(error.args[0])) from None

    def form_field(self, spec):
        return StringField(
            spec.label,
            filters=[one_line],
            validators=[required_validator(spec), Length(max=40), self._valid],
            render_kw={"autocomplete": "tel", "inputmode": "tel", "maxlength": 40},
        )

    def display(self, spec, value, lang):
        if not value:
            return ""
        number = phonenumbers.parse(value, None)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)

    def from_text(self, spec, text):
        text = one_line(text or "")
        return parse_phone(text) if text else ""


def normalise_address(text: str) -> str:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError(_l("Enter a valid e-mail address, like name@example.org.")) from None


class Email(FieldType):
    name = "email"
    label = _l("E-mail")

    def _valid(self, form, field):
        value = (field.data or "").strip()
        if value:
            try:
                field.data = normalise_address(value)
            except ValueError as error:
                raise ValidationError(str(error.args[0])) from None

    def form_field(self, spec):
        return EmailField(
            spec.label,
            filters=[one_line],
            validators=[required_validator(spec), Length(max=spec.max_length or 254), self._valid],
            render_kw={
                "autocomplete": spec.autocomplete or "email",
                "maxlength": spec.max_length or 254,
                "spellcheck": "false",
            },
        )

    def from_text(self, spec, text):
        text = one_line(text or "")
        if not text:
            return ""
        if len(text) > (spec.max_length or 254):
            raise ValueError(_l("Enter a valid e-mail address, like name@example.org."))
        return normalise_address(text)


def check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in text:
        raise ValueError(_l("Enter a web address starting with https://."))
    return text


class Url(FieldType):
    name = "url"
    label = _l("Web address")

    def _valid(self, form, field):
        if field.data:
            try:
                check_url(field.data)
            except ValueError as error:
                raise ValidationError(str(error.args[0])) from None

    def form_field(self, spec):
        return URLField(
            spec.label,
            filters=[one_line],
            validators=[required_validator(spec), Length(max=URL_MAX), self._valid],
            render_kw={"maxlength": URL_MAX, "inputmode": "url", "spellcheck": "false"},
        )

    def from_text(self, spec, text):
        text = one_line(text or "")
        if len(text) > URL_MAX:
            raise ValueError(_l("Enter a web address starting with https://."))
        return check_url(text) if text else ""


def sniff(data: bytes) -> str | None:
    for mimetype, signatures in FILE_TYPES.items():
        if any(data.startswith(s) for s in signatures):
            return mimetype
    return None


def upload_name(filename: str) -> str:
    """A file's name as kept and offered back: its last part, safe characters only."""
    return re.sub(r"[^\w.\- ]+", "_", (filename or "").rsplit("/", 1)[-1])[-150:] or "file"


@dataclass
class Upload:
    name: str
    mimetype: str
    data: bytes


class File(FieldType):
    name = "file"
    label = _l("File (PDF, JPEG, PNG)")
    multipart = True

    def _valid(self, form, field):
        storage = field.data
        has_file = storage is not None and getattr(storage, "filename", "")
        if not has_file:
            field.data = None
            if field.spec.required and field.name not in getattr(form, "held_files", ()):
                raise StopValidation(str(REQUIRED))
            field.errors[:] = []
            raise StopValidation()
        limit = current_app.config.get("QUESTION_FILE_MAX_BYTES", field.spec.max_bytes)
        data = storage.stream.read(limit + 1)
        storage.close()
        if len(data) > limit:
            raise StopValidation(
                str(
                    _l(
                        "The file is too large (at most %(num)s MB).",
                        num=format_decimal(round(limit / (1024 * 1024), 1)),
                    )
                )
            )
        mimetype = sniff(data)
        if mimetype is None:
            raise StopValidation(str(_l("Only PDF, JPEG or PNG files are accepted.")))
        field.data = Upload(name=upload_name(storage.filename), mimetype=mimetype, data=data)

    def form_field(self, spec):
        return FileField(
            spec.label,
            validators=[self._valid],
            render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
        )

    def to_value(self, data):
        return data.name if isinstance(data, Upload) else ""

    def to_form(self, value):
        return None

    def from_text(self, spec, text):
        raise ValueError(_l("Files cannot be imported."))


class Consent(FieldType):
    name = "consent"
    label = _l("Consent (checkbox)")

    def form_field(self, spec):
        validators = (
            [InputRequired(spec.required_message or _l("Your agreement is needed."))]
            if spec.required
            else [Optional()]
        )
        return BooleanField(spec.label, validators=validators)

    def to_value(self, data):
        return "yes" if data else ""

    def to_form(self, value):
        return value == "yes"

    def display(self, spec, value, lang):
        return str(_l("Given")) if value == "yes" else ""

    def from_text(self, spec, text):
        word = fold(text or "").strip()
        if not word or word in NO_WORDS:
            return ""
        if word in YES_WORDS:
            return "yes"
        raise ValueError(_l("Answer yes or no."))


class Heading(FieldType):
    name = "heading"
    label = _l("Section heading")
    has_answer = False


class StaticText(FieldType):
    name = "text"
    label = _l("Text (no answer)")
    has_answer = False


TYPES: dict[str, FieldType] = {
    t.name: t
    for t in (
        ShortText(),
        LongText(),
        Number(),
        YesNo(),
        Choice(),
        MultiChoice(),
        DateType(),
        Country(),
        Phone(),
        Email(),
        Url(),
        File(),
        Consent(),
        Heading(),
        StaticText(),
    )
}
