"""The JSON API (/api): public event availability, organiser live counts. Errors are JSON."""
