"""The invoices blueprint (issue 15): the booker's billing details, quotes and downloads on
the booking page; the organisation's list of documents, re-sending, accounting exports."""
