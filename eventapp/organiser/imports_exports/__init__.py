"""Files in and out: exports of the attendee list, imports of people with a preview."""
