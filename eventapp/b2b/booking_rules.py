"""The organiser's booking rules of an event's B2B meetings (issue 18): the slot mode, who may
request whom by category, and meetings per category."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from eventapp.b2b.blueprint import bp
from eventapp.b2b.forms import rules_form
from eventapp.b2b.organiser import _page, _submit
from eventapp.permissions import Perm, guard
from eventapp.services.b2b import profiles, rules


@bp.route("/organiser/events/<id:event_id>/b2b/rules", methods=["GET", "POST"])
@guard.event(Perm.B2B)
def booking_rules(event):
    settings = profiles.settings_of(event, create=True)
    form = rules_form()
    if request.method == "GET":
        denied = {tuple(pair) for pair in settings.denied_pairs or []}
        data = {"slot_mode": settings.slot_mode or rules.ORGANISER}
        for category in rules.CATEGORIES:
            data[f"may_{category}"] = [
                to for to in rules.CATEGORIES if (category, to) not in denied
            ]
            data[f"cap_{category}"] = (settings.category_caps or {}).get(category)
        form.process(data=data)

    def change():
        rules.save(
            settings,
            slot_mode=form.slot_mode.data,
            allowed={c: set(form[f"may_{c}"].data or ()) for c in rules.CATEGORIES},
            caps={c: form[f"cap_{c}"].data for c in rules.CATEGORIES},
        )

    return _submit(
        event,
        form,
        _page(event, "b2b/organiser/rules.html", form=form, categories=rules.CATEGORIES),
        change,
        lambda _result: _("The booking rules are saved."),
        url_for("b2b.dashboard", event_id=event.id),
        "b2b.rules_changed",
    )
