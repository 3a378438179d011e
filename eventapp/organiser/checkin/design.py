"""The badge designer: the event's managers choose the format, which elements a badge shows
and in which order, and the name's and organisation's sizes; a preview PDF (sample people,
among them a very long name) shows the choice before it is saved for the event."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField

from eventapp.i18n import current_language
from eventapp.models import ActorCategory, Registration
from eventapp.organiser.blueprint import bp
from eventapp.organiser.forms import choices
from eventapp.permissions import Perm, guard
from eventapp.services import badges as badges_service

LAYOUT_CHOICES = [
    ("a4", _l("A4 sheets of 8 badges (90 × 60 mm), with cut marks")),
    ("a4x4", _l("A4 sheets of 4 A6 badges (105 × 148 mm)")),
    ("a6", _l("A6, one badge per page (pouches, badge printers)")),
    ("labels", _l("A4 label sheets of 14 labels (99.1 × 38.1 mm, 2 × 7)")),
]
ELEMENT_LABELS = {
    "band": _l("Actor category (coloured band with its name)"),
    "logo": _l("Organisation's logo"),
    "event": _l("Event title"),
    "name": _l("First name and LAST NAME"),
    "organisation": _l("Attendee's organisation"),
    "qr": _l("QR code of the ticket (check-in)"),
}
SIZE_CHOICES = [("s", _l("Small")), ("m", _l("Medium")), ("l", _l("Large"))]
HIDDEN = "0"


def _position_choices():
    return choices(
        [(HIDDEN, _l("Not shown"))]
        + [
            (str(n), _l("Position %(num)s", num=n))
            for n in range(1, len(badges_service.ELEMENTS) + 1)
        ]
    )


class BadgeDesignForm(FlaskForm):
    layout = RadioField(_l("Format"), choices=choices(LAYOUT_CHOICES), default="a4")
    pos_band = SelectField(ELEMENT_LABELS["band"], choices=_position_choices(), default="1")
    pos_logo = SelectField(ELEMENT_LABELS["logo"], choices=_position_choices(), default=HIDDEN)
    pos_event = SelectField(ELEMENT_LABELS["event"], choices=_position_choices(), default="2")
    pos_name = SelectField(ELEMENT_LABELS["name"], choices=_position_choices(), default="3")
    pos_organisation = SelectField(
        ELEMENT_LABELS["organisation"], choices=_position_choices(), default="4"
    )
    pos_qr = SelectField(ELEMENT_LABELS["qr"], choices=_position_choices(), default="5")
    name_size = RadioField(_l("Size of the name"), choices=choices(SIZE_CHOICES), default="m")
    organisation_size = RadioField(
        _l("Size of the organisation"), choices=choices(SIZE_CHOICES), default="m"
    )

    def position_fields(self):
        return [self[f"pos_{element}"] for element in badges_service.ELEMENTS]

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.pos_name.data == HIDDEN:
            self.pos_name.errors.append(_("A badge always shows the name."))
            return False
        taken: dict[str, str] = {}
        for element in badges_service.ELEMENTS:
            field = self[f"pos_{element}"]
            if field.data == HIDDEN:
                continue
            if field.data in taken:
                field.errors.append(
                    _(
                        "Position %(num)s is already given to: %(other)s.",
                        num=field.data,
                        other=ELEMENT_LABELS[taken[field.data]],
                    )
                )
                return False
            taken[field.data] = element
        return True

    def design(self) -> badges_service.Design:
        shown = sorted(
            (int(self[f"pos_{e}"].data), e)
            for e in badges_service.ELEMENTS
            if self[f"pos_{e}"].data != HIDDEN
        )
        return badges_service.Design(
            layout=self.layout.data,
            elements=tuple(element for _n, element in shown),
            name_size=self.name_size.data,
            organisation_size=self.organisation_size.data,
        )

    @classmethod
    def of(cls, design: badges_service.Design, **kwargs) -> BadgeDesignForm:
        positions = {
            f"pos_{element}": str(design.elements.index(element) + 1)
            if element in design.elements
            else HIDDEN
            for element in badges_service.ELEMENTS
        }
        return cls(
            formdata=None,
            layout=design.layout,
            name_size=design.name_size,
            organisation_size=design.organisation_size,
            **positions,
            **kwargs,
        )


class PreviewForm(BadgeDesignForm):
    """The same choices, read from a GET (the preview button of the designer's form)."""

    class Meta:
        csrf = False


@bp.route("/events/<id:event_id>/badges/design", methods=["GET", "POST"])
@guard.event(Perm.EVENT_SETTINGS)
def badge_design(event):
    """The designer: the saved design (or the default), saved for the event on POST."""
    if request.method == "POST":
        form = BadgeDesignForm()
        if form.validate_on_submit():
            badges_service.save_design(event, current_user, form.design())
            flash(_("The badge design is saved: every badge of this event uses it."), "success")
            return redirect(url_for("organiser.badge_design", event_id=event.id))
        return _page(event, form, 400)
    return _page(event, BadgeDesignForm.of(badges_service.design_for(event)))


# Fictional people for the preview (no attendee's data on a design page): the long name is the
# one the badges must fit without cutting it.
SAMPLES = [
    ("Marie-Charlotte-Éléonore", "de La Rochefoucauld-Montbrun-Saint-Exupéry", "Yposkesi"),
    ("Léa", "Durand", "Laboratoires Pierre Fabre — site de production de Toulouse"),
    ("Hugo", "Bernard", "Sanofi Pasteur"),
    ("Inès", "Petit", "Genopole"),
]


@bp.get("/events/<id:event_id>/badges/preview.pdf")
@guard.event(Perm.EVENT_SETTINGS)
def badge_preview(event):
    """One sheet of sample badges drawn with the design in the query (the designer's form)."""
    form = PreviewForm(request.args)
    if not form.validate():
        return _page(event, form, 400)
    categories = list(ActorCategory)
    people = [
        Registration(
            event_id=event.id,
            first_name=first,
            last_name=last,
            organisation_name=organisation,
            category=categories[n % len(categories)],
            status="confirmed",
            ticket_code=f"preview{n:04d}",
        )
        for n, (first, last, organisation) in enumerate(SAMPLES * 4)
    ]
    design = form.design()
    people = people[: badges_service.LAYOUTS[design.layout].per_page]
    data = badges_service.build_badges_pdf(
        event,
        people,
        design=design,
        lang=current_language(),
        logo=badges_service.event_logo(event) if "logo" in design.elements else None,
    )
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="badges-preview-{event.slug}.pdf"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _page(event, form, status=200):
    return (
        render_template(
            "organiser/checkin/badge_design.html",
            event=event,
            title=event.title(current_language()),
            form=form,
            has_logo=badges_service.event_logo(event) is not None,
        ),
        status,
    )
