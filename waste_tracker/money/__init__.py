"""The money (issue #15): contracts, payments, invoices, the bank-statement import and matching."""

from waste_tracker.money import messages as _messages  # noqa: F401 - registers user-facing texts
