"""The history pages show every audit action of an event as a sentence in the reader's
language, never as its internal key."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask_babel import force_locale

from eventapp.organiser.history.display import audit_text

ROOT = Path(__file__).resolve().parents[2]
EVENT_LEVEL = ("registration.", "event.", "stage.", "attendees.", "mailing.", "privacy.")


def recorded_actions() -> set[str]:
    """Every action name the code passes to audit.record(...)."""
    pattern = re.compile(r'audit\.record\(\s*"([a-z_.]+)"')
    found = set()
    for path in (ROOT / "eventapp").rglob("*.py"):
        found.update(pattern.findall(path.read_text(encoding="utf-8")))
    return found


def test_the_code_records_the_actions_this_test_knows():
    actions = recorded_actions()
    assert {"registration.moved", "registration.checked_in", "privacy.event_purged"} <= actions


@pytest.mark.parametrize(
    "action", sorted(a for a in recorded_actions() if a.startswith(EVENT_LEVEL))
)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_event_action_has_its_sentence(app, action, lang):
    entry = SimpleNamespace(action=action, details={"status": "confirmed", "desk": "Accueil 2"})
    with app.test_request_context("/"), force_locale(lang):
        text = audit_text(entry)
    assert text and text != action
    assert "." not in text.split()[0]  # not a key like "registration.x"
