"""The container ledger (台账, HJ 1259-2022 §6): one record per container, generation → storage
→ out (onto a manifest, or handled on site), every step a hash-linked event."""

from waste_tracker.ledger import messages as _messages  # noqa: F401 - registers user-facing texts
