"""Check-in on site: the desk (scan, search, walk-ins, undo, live counts) and badges."""
