from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import URL, Email, Length, Optional, ValidationError

from eventapp.models import MembershipRole, OrganisationKind, Region
from eventapp.organisations import identifiers, logo, services
from eventapp.organiser.forms import MultiCheckboxField, choices
from eventapp.validators import DataRequired


def _checked(check):
    def validator(_form, field):
        if field.data and field.data.strip():
            try:
                field.data = check(field.data)
            except ValueError as error:
                raise ValidationError(str(error)) from error

    return validator


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[DataRequired(), Length(max=60)])
    kind = SelectField(_l("Kind"), choices=[], validators=[DataRequired()])
    regions = MultiCheckboxField(_l("Regions"), choices=[], validators=[Optional()])
    website = StringField(
        _l("Website"),
        validators=[
            Optional(),
            Length(max=300),
            URL(message=_l("Enter a full address: https://…")),
        ],
    )
    contact_email = EmailField(
        _l("Contact e-mail"), validators=[Optional(), Length(max=254), Email()]
    )
    logo = FileField(_l("Logo (PNG, JPEG, GIF or WebP, at most 2 MB)"))
    legal_name = StringField(_l("Legal name"), validators=[Optional(), Length(max=200)])
    legal_address = TextAreaField(
        _l("Registered address"), validators=[Optional(), Length(max=500)]
    )
    siret = StringField(
        _l("SIREN or SIRET"),
        validators=[Optional(), Length(max=20), _checked(identifiers.siren_or_siret)],
    )
    vat_number = StringField(
        _l("VAT number"),
        validators=[Optional(), Length(max=20), _checked(identifiers.vat_number)],
    )
    iban = StringField(
        _l("IBAN"), validators=[Optional(), Length(max=42), _checked(identifiers.iban)]
    )
    bic = StringField(_l("BIC"), validators=[Optional(), Length(max=14), _checked(identifiers.bic)])
    legal_form = StringField(_l("Legal form"), validators=[Optional(), Length(max=120)])
    require_2fa = BooleanField(_l("Members must use two-factor login"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(OrganisationKind.choices())
        self.regions.choices = choices(Region.choices())
        self.logo_png = None

    def validate_logo(self, field):
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read(logo.MAX_BYTES + 1)
        try:
            self.logo_png = logo.reencode(data)
        except logo.LogoRejected as error:
            if error.args[0] == "too_big":
                raise ValidationError(_l("The logo is too large: at most 2 MB.")) from error
            raise ValidationError(
                _l("This file is not an image we can read (PNG, JPEG, GIF or WebP).")
            ) from error

    def to_data(self) -> dict:
        data = {name: getattr(self, name).data for name in services.PROFILE_FIELDS}
        data["logo_png"] = self.logo_png
        return data

    def fill_from(self, org) -> None:
        for name in (
            "name",
            "short_name",
            "website",
            "contact_email",
            "legal_name",
            "legal_address",
            "siret",
            "vat_number",
            "iban",
            "bic",
            "legal_form",
            "require_2fa",
        ):
            getattr(self, name).data = getattr(org, name)
        self.kind.data = str(org.kind)
        self.regions.data = list(org.regions or [])


def role_choices():
    return choices(MembershipRole.choices())


class InvitationForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email()])
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    valid_from = DateField(_l("First day (optional)"), validators=[Optional()])
    valid_until = DateField(_l("Last day (optional)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ActionForm(FlaskForm):
    """A button (revoke, re-send, remove): the CSRF token only."""


class AcceptNewAccountForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Choose a password"), validators=[DataRequired(), Length(min=10, max=200)]
    )


class GrantForm(FlaskForm):
    organisation_id = SelectField(_l("Organisation"), choices=[], validators=[Optional()])
    email = EmailField(
        _l("Or one person (the e-mail of their account)"),
        validators=[Optional(), Length(max=254), Email()],
    )
    role = SelectField(_l("Role"), choices=[], validators=[DataRequired()])
    valid_from = DateField(_l("First day (optional)"), validators=[Optional()])
    valid_until = DateField(_l("Last day (optional)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = choices(
            (value, label) for value, label in MembershipRole.choices() if value != "owner"
        )

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if bool(self.organisation_id.data) == bool(self.email.data):
            self.email.errors.append(_l("Choose an organisation or give one person's e-mail."))
            return False
        return True
