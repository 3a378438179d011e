"""The organiser workspace (/organiser), one package per feature:

- events/: an event's overview, create and edit (and a tour's stages), publish, cancel;
- attendees/: the list (query.py builds its SQL), a person's page and actions, adding, moving;
- imports_exports/: exports of the list, imports of people with a preview;
- mailings/: messages to the filtered list and their delivery log;
- checkin/: the desk and badges;
- statistics/: the dashboard and an event's charts;
- history/: an event's audit log.

Each view declares its guard (eventapp.permissions.guard). views.py imports every view module
(the workspace's table of contents) and registers the blueprint.
"""
