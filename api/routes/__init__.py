"""One router per domain concept."""
