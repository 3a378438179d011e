"""Messages to attendees: write to the filtered list, preview, send; the log of each."""
