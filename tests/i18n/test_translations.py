"""Every user-facing string has a French translation (French is the default language)."""

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]


def _source_ids() -> set:
    with (ROOT / "babel.cfg").open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = {
        "_": None,
        "gettext": None,
        "ngettext": (1, 2),
        "_l": None,
        "lazy_gettext": None,
        "lazy_ngettext": (1, 2),
        "pgettext": ((1, "c"), 2),
        "lazy_pgettext": ((1, "c"), 2),
    }
    ids = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        ids.add((message[0] if isinstance(message, tuple) else message, context))
    return ids


def test_every_source_string_has_a_french_translation():
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    translated = {}
    for message in catalog:
        if not message.id:
            continue
        key = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        translated[(key, message.context)] = all(strings) and "fuzzy" not in message.flags
    missing = sorted(
        f"{msgid} (context: {context})" if context else msgid
        for msgid, context in _source_ids()
        if not translated.get((msgid, context))
    )
    assert not missing, "untranslated (run `make translations`, then translate):\n" + "\n".join(
        missing
    )


def test_french_catalogue_has_no_format_errors():
    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems


def test_french_catalogue_follows_french_typography():
    """’ for the apostrophe; a no-break space before « : », a narrow one before « ; ! ? »
    Checked on every msgstr, so that new entries follow it too."""
    import re

    with (ROOT / "translations/fr/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    rules = [
        (re.compile(r"[A-Za-zÀ-ÿ]'[A-Za-zÀ-ÿ]"), "straight apostrophe (use ’)"),
        (re.compile(r"[^\s\u00a0\u202f][ ]?[;!?](\s|$)"), "no narrow no-break space before ; ! ?"),
        (re.compile(r"[A-Za-zÀ-ÿ)»] ?:(\s|$)"), "no no-break space before :"),
    ]
    problems = []
    for message in catalog:
        if not message.id:
            continue
        for text in message.string if isinstance(message.string, tuple) else (message.string,):
            problems += [f"{text!r}: {why}" for pattern, why in rules if pattern.search(text or "")]
    assert not problems, "\n".join(problems)
