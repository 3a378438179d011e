"""Programme (issue 16): the organiser's timetable, the public programme, sign-ups and agenda,
session doors and certificates. The blueprint is in blueprint.py, its views listed in views.py."""
