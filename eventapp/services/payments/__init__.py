"""The payment engine: pure modules with no database models.

- references: the bank-transfer reference of a booking (EV-XXXX-XXXX, with a check character)
  and the finder that recovers it from a bank's remittance text.
- providers: the provider interface (checkout, webhooks, refunds), its normalised values and
  errors, and the manual provider (bank transfer, payment on site).
- stripe_provider: the Stripe adapter (official `stripe` package, imported when first used).
- bank_statements: bank statement import (CSV with a column mapping, CAMT.053 XML) into
  normalised BankTransaction values; bank_csv and bank_camt hold the two parsers.
- matching: classifies the credits of a statement against the bookings awaiting payment.

Money is integer cents everywhere. Nothing here reads the request, the session or the
database: the integration stores what these functions return.
"""
