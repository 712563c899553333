"""Domain errors: plain exceptions with a stable machine-readable ``code``.

The API maps each kind to an HTTP status in one place (``api/errors.py``); the message text is
looked up in the message catalogue (``waste_tracker.i18n``) in the caller's language.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error the domain reports to a user."""

    kind = "invalid"  # invalid | not_found | forbidden | conflict | unauthenticated | too_many

    def __init__(self, code: str, details: dict[str, Any] | None = None, message: str | None = None) -> None:
        self.code = code
        self.details = details or {}
        self.message = message
        super().__init__(message or code)


class Invalid(DomainError):
    """The request is well-formed but breaks a business rule (422)."""


class NotFound(DomainError):
    kind = "not_found"

    def __init__(self, what: str, key: Any) -> None:
        super().__init__("not_found", {"resource": what, "id": str(key)})


class Forbidden(DomainError):
    kind = "forbidden"

    def __init__(self, code: str = "forbidden", details: dict[str, Any] | None = None) -> None:
        super().__init__(code, details)


class Conflict(DomainError):
    kind = "conflict"


class Unauthenticated(DomainError):
    kind = "unauthenticated"

    def __init__(self, code: str = "unauthenticated", details: dict[str, Any] | None = None) -> None:
        super().__init__(code, details)


class TooManyRequests(DomainError):
    kind = "too_many"

    def __init__(self, retry_after: int, details: dict[str, Any] | None = None) -> None:
        super().__init__("too_many_requests", {"retry_after": retry_after, **(details or {})})
        self.retry_after = retry_after


class Missing(DomainError):
    """Not found, with a code of its own (e.g. a label for a container never registered)."""

    kind = "not_found"
