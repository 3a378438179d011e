"""Fill French translations into translations/fr/LC_MESSAGES/messages.po from a JSON file
{msgid: msgstr or [singular, plural]}; a message with a context is keyed
"context\u0004msgid". A helper for translators; `make translations` keeps the
catalogues in step with the code.

Usage: python scripts/po_fill.py translations.json
"""

import json
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

PO = Path(__file__).resolve().parent.parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def main(path: str) -> None:
    updates = json.loads(Path(path).read_text(encoding="utf-8"))
    with PO.open("rb") as fh:
        catalog = read_po(fh, locale="fr")
    missing = []
    for key, msgstr in updates.items():
        # "context\u0004msgid" for pgettext messages (the gettext convention).
        context, _sep, msgid = key.rpartition("\x04")
        message = catalog.get(msgid, context=context or None)
        if message is None:
            # plural entries are keyed by their singular
            message = next(
                (m for m in catalog if isinstance(m.id, tuple) and m.id[0] == msgid), None
            )
        if message is None:
            missing.append(msgid)
            continue
        message.string = tuple(msgstr) if isinstance(message.id, tuple) else msgstr
        message.flags.discard("fuzzy")
    with PO.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True)
    untranslated = [
        m.id
        for m in catalog
        if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
    ]
    print(
        f"{len(updates) - len(missing)} filled; {len(missing)} unknown ids; "
        f"{len(untranslated)} still untranslated"
    )
    for msgid in missing:
        print("  unknown:", msgid)
    for msgid in untranslated:
        print("  untranslated:", msgid)


if __name__ == "__main__":
    main(sys.argv[1])
