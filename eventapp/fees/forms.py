"""Forms of fees and payment. Amounts are typed in euros and parsed exactly into cents; dates
in Paris time, stored in UTC."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from eventapp.models import PriceKind, Verification, VoucherKind
from eventapp.organiser.forms import DATETIME_FORMAT, MultiCheckboxField, choices, one_line
from eventapp.services.fees.formatting import parse_euros
from eventapp.validators import REQUIRED, DataRequired, FileRequired, InputRequired


class Euros:
    """An amount in euros ("390", "390,50"): the field's `cents` is set, exact."""

    def __init__(self, allow_zero: bool = True):
        self.allow_zero = allow_zero

    def __call__(self, form, field):
        cents = parse_euros(field.data)
        if cents is None or (cents == 0 and not self.allow_zero):
            raise ValidationError(_l("Enter an amount in euros, like 390 or 390.50."))
        field.cents = cents


class Percent:
    def __call__(self, form, field):
        raw = (field.data or "").replace(",", ".").replace("%", "").strip()
        try:
            whole, _dot, part = raw.partition(".")
            if not whole.isdigit() or (part and (not part.isdigit() or len(part) > 2)):
                raise ValueError
            basis = int(whole) * 100 + int((part + "00")[:2] or 0)
        except ValueError:
            basis = -1
        if not 0 <= basis <= 10000:
            raise ValidationError(_l("Enter a rate between 0 and 100, like 20 or 5.5."))
        field.basis_points = basis


class PriceForm(FlaskForm):
    kind = SelectField(_l("Kind of rate"), choices=choices(PriceKind.choices()))
    name_fr = StringField(
        _l("Name (French)"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    name_en = StringField(
        _l("Name (English)"),
        filters=[one_line],
        validators=[Optional(), Length(max=120)],
        render_kw={"maxlength": 120},
    )
    price = StringField(
        _l("Price excluding VAT (€)"),
        validators=[DataRequired(REQUIRED), Euros()],
        render_kw={"inputmode": "decimal", "maxlength": 12},
    )
    vat = StringField(
        _l("VAT rate (percent)"),
        default="20",
        validators=[DataRequired(REQUIRED), Percent()],
        render_kw={"inputmode": "decimal", "maxlength": 6},
    )
    verification = SelectField(_l("Who may choose it"), choices=choices(Verification.choices()))
    valid_from = DateTimeLocalField(
        _l("Valid from (Paris time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    valid_until = DateTimeLocalField(
        _l("Valid until (Paris time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    quota = IntegerField(
        _l("Places at this rate"),
        validators=[Optional(), NumberRange(min=0, max=1_000_000)],
    )
    includes_fr = StringField(
        _l("What it includes (French)"),
        filters=[one_line],
        validators=[Optional(), Length(max=300)],
    )
    includes_en = StringField(
        _l("What it includes (English)"),
        filters=[one_line],
        validators=[Optional(), Length(max=300)],
    )
    active = BooleanField(_l("Offered to registrants"), default=True)
    # A tour's rate: a pass (one price per person, whatever the number of stages) or a price
    # per stage booked. Not shown for an event on its own.
    per_stage = RadioField(
        _l("How the tour is priced"),
        choices=[
            SelectChoice("0", _l("A pass: one price for every stage booked")),
            SelectChoice("1", _l("Per stage: the price for each stage booked")),
        ],
        default="0",
        coerce=lambda v: v in (True, "1", 1),
    )
    submit = SubmitField(_l("Save the rate"))


class SettingsForm(FlaskForm):
    transfer_days = IntegerField(
        _l("Days to pay by transfer"),
        default=10,
        validators=[InputRequired(REQUIRED), NumberRange(min=1, max=90)],
    )
    card_minutes = IntegerField(
        _l("Minutes to finish a card payment"),
        default=30,
        validators=[InputRequired(REQUIRED), NumberRange(min=30, max=1440)],
    )
    full_refund_until = DateTimeLocalField(
        _l("Full refund on cancellation until (Paris time)"),
        format=DATETIME_FORMAT,
        validators=[Optional()],
    )
    late_refund_percent = IntegerField(
        _l("Refund after that date (percentage of what was paid)"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=100)],
    )
    submit = SubmitField(_l("Save the settings"))


class VoucherForm(FlaskForm):
    code = StringField(
        _l("Code"),
        filters=[lambda v: "".join((v or "").split()).upper()],
        validators=[Optional(), Length(min=3, max=30)],
        render_kw={"maxlength": 30, "autocomplete": "off", "spellcheck": "false"},
    )
    count = IntegerField(
        _l("Or generate this many single-use codes"),
        validators=[Optional(), NumberRange(min=1, max=500)],
    )
    kind = SelectField(_l("Discount"), choices=choices(VoucherKind.choices()))
    value = StringField(
        _l("Value (percent, or euros excluding VAT)"),
        default="0",
        validators=[Length(max=12)],
        render_kw={"inputmode": "decimal", "maxlength": 12},
    )
    max_uses = IntegerField(
        _l("Number of uses"), validators=[Optional(), NumberRange(min=1, max=100000)]
    )
    valid_from = DateTimeLocalField(
        _l("Valid from (Paris time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    valid_until = DateTimeLocalField(
        _l("Valid until (Paris time)"), format=DATETIME_FORMAT, validators=[Optional()]
    )
    categories = MultiCheckboxField(_l("Rates it applies to (none: all)"), coerce=int)
    partner = StringField(
        _l("For (partner)"), filters=[one_line], validators=[Optional(), Length(max=200)]
    )
    submit = SubmitField(_l("Create the voucher"))

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.categories.choices = [SelectChoice(v, label) for v, label in category_choices]

    def validate_value(self, field):
        kind = self.kind.data
        raw = (field.data or "").strip()
        if kind == VoucherKind.FREE:
            field.amount = 0
            return
        if kind == VoucherKind.PERCENT:
            if not raw.isdigit() or not 1 <= int(raw) <= 100:
                raise ValidationError(_l("Enter a percentage between 1 and 100."))
            field.amount = int(raw)
            return
        cents = parse_euros(raw)
        if cents is None:
            raise ValidationError(_l("Enter an amount in euros, like 390 or 390.50."))
        field.amount = cents

    def validate_count(self, field):
        if not field.data and not self.code.data:
            raise ValidationError(_l("Type a code, or the number of codes to generate."))


def proof_file(form, field):
    """An optional proof for a checked rate: PDF, JPEG or PNG by its content (never its name
    or the browser's word), at most PROOF_MAX_BYTES; `field.data` becomes an Upload."""
    from flask import current_app
    from flask_babel import format_decimal
    from wtforms.validators import StopValidation

    from eventapp.questions.types import Upload, sniff, upload_name

    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        field.data = None
        raise StopValidation()
    limit = current_app.config.get("PROOF_MAX_BYTES", 5 * 1024 * 1024)
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
        field.data = None
        raise StopValidation(str(_l("Only PDF, JPEG or PNG files are accepted.")))
    field.data = Upload(name=upload_name(storage.filename), mimetype=mimetype, data=data)


class CheckoutFields(FlaskForm):
    """The rate, voucher and justification on the registration form (prefix "fee"); the
    registration form's own token covers the submission."""

    class Meta:
        csrf = False

    category = RadioField(_l("Your rate"), coerce=int, validate_choice=False)
    voucher = StringField(
        _l("Voucher code"),
        validators=[Optional(), Length(max=40)],
        render_kw={"maxlength": 40, "autocomplete": "off", "spellcheck": "false"},
    )
    justification = TextAreaField(
        _l("Why this rate applies to you"),
        validators=[Optional(), Length(max=2000)],
        render_kw={"maxlength": 2000, "rows": 3},
    )
    proof = FileField(
        _l("Proof (PDF, JPEG or PNG)"),
        validators=[proof_file],
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"},
    )

    def __init__(self, *args, category_choices=(), **kwargs):
        super().__init__(*args, prefix="fee", **kwargs)
        self.category.choices = [SelectChoice(v, label) for v, label in category_choices]

    def validate_category(self, field):
        if not field.data:
            raise ValidationError(_l("Choose your rate."))


class AmountForm(FlaskForm):
    # Drawn when the page is shown: the same form sent twice (a double click) counts once.
    key = HiddenField(validators=[Optional(), Length(max=40)])
    amount = StringField(
        _l("Amount (€)"),
        validators=[DataRequired(REQUIRED), Euros(allow_zero=False)],
        render_kw={"inputmode": "decimal", "maxlength": 12},
    )


class BankUploadForm(FlaskForm):
    file = FileField(_l("Bank statement (CSV or CAMT.053 XML)"), validators=[FileRequired()])
    date_column = StringField(_l("Date column"), validators=[Optional(), Length(max=100)])
    amount_column = StringField(_l("Amount column"), validators=[Optional(), Length(max=100)])
    text_column = StringField(
        _l("Remittance text column"), validators=[Optional(), Length(max=100)]
    )
    submit = SubmitField(_l("Import the statement"))


class MemberForm(FlaskForm):
    name = StringField(
        _l("Company or institution"),
        filters=[one_line],
        validators=[DataRequired(REQUIRED), Length(max=200)],
    )
    siren = StringField(_l("SIREN"), validators=[Optional(), Length(min=9, max=11)])
    domains = StringField(
        _l("E-mail domains"),
        validators=[DataRequired(REQUIRED), Length(max=1000)],
        render_kw={"spellcheck": "false"},
    )
    submit = SubmitField(_l("Add the member"))


class MemberImportForm(FlaskForm):
    file = FileField(_l("CSV file: name;SIREN;domains"), validators=[FileRequired()])
    submit = SubmitField(_l("Import the members"))


class PaymentFilterForm(FlaskForm):
    class Meta:
        csrf = False

    state = SelectField(_l("Show"), validators=[Optional()])


class CategoryForm(FlaskForm):
    category = SelectField(_l("Rate"), coerce=int)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [SelectChoice(v, label) for v, label in choices]
