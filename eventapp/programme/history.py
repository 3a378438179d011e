"""The history's wording of the programme's actions (organiser/history/display.py)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext


def texts(d: dict) -> dict:
    return {
        "programme.session_created": lambda: _("Programme: session added"),
        "programme.session_updated": lambda: _("Programme: session edited"),
        "programme.session_cancelled": lambda: _("Programme: session cancelled"),
        "programme.session_restored": lambda: _("Programme: session restored"),
        "programme.session_deleted": lambda: _("Programme: session deleted"),
        "programme.published": lambda: ngettext(
            "Programme published: %(num)s participant told of changes",
            "Programme published: %(num)s participants told of changes",
            d.get("notified", 0),
        ),
        "programme.certificates_sent": lambda: ngettext(
            "Attendance certificates e-mailed to %(num)s participant",
            "Attendance certificates e-mailed to %(num)s participants",
            d.get("recipients", 0),
        ),
        "programme.speaker_deleted": lambda: _("Programme: speaker deleted"),
        "programme.signed_up": lambda: _("Signed up for a session"),
        "programme.withdrawn": lambda: _("Withdrew from a session"),
    }
