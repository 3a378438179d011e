"""The catalogue's filter form (GET, no CSRF: it changes nothing)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SearchField, SelectChoice, SelectField
from wtforms.validators import Length, Optional

from eventapp.models import EventKind, Region

# Tour stages are listed on their tour's page, not as catalogue cards.
CATALOGUE_KINDS = [kind for kind in EventKind if kind != EventKind.STAGE]


def choices(blank_label, pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms choices, after an empty "all" option."""
    return [SelectChoice("", blank_label)] + [SelectChoice(v, label) for v, label in pairs]


class CatalogueFilterForm(FlaskForm):
    class Meta:
        csrf = False

    q = SearchField(_l("Search in titles"), validators=[Optional(), Length(max=100)])
    # Left out of the query string = all. Optional() alone would also take whitespace (" ") for
    # "left out" and clear the "not a valid choice" error, letting it reach the query.
    kind = SelectField(_l("Type"), validators=[Optional(strip_whitespace=False)])
    region = SelectField(_l("Region"), validators=[Optional(strip_whitespace=False)])
    organisation = SelectField(_l("Organiser"), validators=[Optional(strip_whitespace=False)])
    when = SelectField(
        _l("When"),
        choices=[SelectChoice("upcoming", _l("Upcoming")), SelectChoice("past", _l("Past"))],
        default="upcoming",
        validators=[Optional()],
    )

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices(_l("All types"), [(k.value, k.label) for k in CATALOGUE_KINDS])
        self.region.choices = choices(_l("All regions"), Region.choices())
        self.organisation.choices = choices(
            _l("All organisers"), [(org.slug, org.short_name) for org in organisations]
        )
