"""Template filters that show registrations: delivery states of their e-mails, categories,
regions, short dates."""

from flask_babel import format_date
from flask_babel import gettext as _

from eventapp.models import ActorCategory, Region
from eventapp.organiser.blueprint import bp


@bp.app_template_filter("outbox_status")
def outbox_status(value) -> str:
    return {
        "pending": _("Waiting to be sent"),
        "sending": _("Being sent"),
        "sent": _("Sent"),
        "failed": _("Not delivered yet (will be retried)"),
        "bounced": _("Refused by the recipient's mail server: correct the address and resend"),
    }.get(str(value), str(value))


@bp.app_template_filter("format_day")
def format_day(value) -> str:
    return format_date(value, "d MMM yyyy") if value else ""


@bp.app_template_filter("category_label")
def category_label(value) -> str:
    try:
        return ActorCategory(value).label
    except ValueError:
        return str(value)


@bp.app_template_filter("region_label")
def region_label(value) -> str:
    if value == "none":
        return _("region not given")
    try:
        return Region(value).label
    except ValueError:
        return str(value)
