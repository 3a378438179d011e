"""The public site: catalogue, event and tour pages, calendars, the language switch."""
