"""The billing details form: on the registration form of a paid event (inside the checkout
step, prefix "fee-billing") and on the booking page until the invoice is issued."""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FormField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from eventapp.fees.forms import CheckoutFields
from eventapp.models import BuyerKind
from eventapp.organisations import identifiers
from eventapp.validators import DataRequired

REQUIRED = _l("This field is required.")


def country_choices() -> list[tuple[str, str]]:
    """Two-letter countries by their name in the reader's language, France first."""
    locale = Locale.parse(str(get_locale() or "fr"))
    names = {
        code: name
        for code, name in locale.territories.items()
        if len(code) == 2 and code.isalpha() and code not in ("EU", "EZ", "UN", "ZZ", "QO")
    }
    rest = sorted((c for c in names if c != "FR"), key=lambda c: names[c])
    return [("FR", names.get("FR", "France")), *((code, names[code]) for code in rest)]


class BillingForm(FlaskForm):
    buyer_kind = RadioField(
        _l("The invoice is for"),
        choices=[],
        default=BuyerKind.INDIVIDUAL.value,
        validators=[DataRequired(REQUIRED)],
    )
    name = StringField(
        _l("Name on the invoice (person, company or institution)"),
        validators=[DataRequired(REQUIRED), Length(max=200)],
        render_kw={"maxlength": 200, "autocomplete": "organization"},
    )
    address = TextAreaField(
        _l("Billing address (street, building, department)"),
        validators=[DataRequired(REQUIRED), Length(max=300)],
        render_kw={"maxlength": 300, "rows": 2, "autocomplete": "street-address"},
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[DataRequired(REQUIRED), Length(max=16)],
        render_kw={"maxlength": 16, "autocomplete": "postal-code"},
    )
    city = StringField(
        _l("City"),
        validators=[DataRequired(REQUIRED), Length(max=100)],
        render_kw={"maxlength": 100, "autocomplete": "address-level2"},
    )
    country_code = SelectField(_l("Country"), choices=[], default="FR")
    vat_number = StringField(
        _l("VAT number (companies and institutions in the EU)"),
        validators=[Optional(), Length(max=20)],
        render_kw={"maxlength": 20, "spellcheck": "false"},
    )
    purchase_order = StringField(
        _l("Purchase order number, if your institution gives one"),
        validators=[Optional(), Length(max=60)],
        render_kw={"maxlength": 60},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.buyer_kind.choices = BuyerKind.choices()
        self.country_code.choices = country_choices()

    def validate_country_code(self, field):
        if field.data not in {code for code, _name in field.choices}:
            raise ValidationError(_l("Choose a country from the list."))

    def validate_vat_number(self, field):
        if not field.data:
            return
        try:
            field.data = identifiers.vat_number(field.data)
        except ValueError as error:
            raise ValidationError(str(error.args[0])) from error

    def details(self) -> dict:
        business = self.buyer_kind.data == BuyerKind.BUSINESS.value
        return {
            "buyer_kind": BuyerKind(self.buyer_kind.data),
            "name": " ".join(self.name.data.split()),
            "address": "\n".join(
                " ".join(line.split()) for line in self.address.data.splitlines() if line.strip()
            ),
            "postcode": self.postcode.data.strip(),
            "city": " ".join(self.city.data.split()),
            "country_code": self.country_code.data,
            "vat_number": (self.vat_number.data or None) if business else None,
            "purchase_order": (self.purchase_order.data or "").strip() or None,
        }

    def fill_from(self, billing) -> None:
        for name in ("name", "address", "postcode", "city", "country_code"):
            getattr(self, name).data = getattr(billing, name)
        self.buyer_kind.data = str(billing.buyer_kind)
        self.vat_number.data = billing.vat_number or ""
        self.purchase_order.data = billing.purchase_order or ""


class EmbeddedBillingForm(BillingForm):
    """Inside the registration form, whose own token covers the submission."""

    class Meta:
        csrf = False


class CheckoutAndBilling(CheckoutFields):
    """The fees checkout step with the billing details asked for a paid event."""

    billing = FormField(EmbeddedBillingForm)

    def billing_details(self) -> dict:
        return self.billing.form.details()


class PurchaseOrderForm(FlaskForm):
    purchase_order = StringField(
        _l("Purchase order number"),
        validators=[Optional(), Length(max=60)],
        render_kw={"maxlength": 60},
    )
