"""Registration questions (issue 12): the one field model (fields.py, types.py), the forms
built from it (forms.py), the answers (answers.py) and the organiser's form builder (views)."""
