"""An alert's life as data: one table of every move between statuses, the regulator's (acknowledge,
resolve, dismiss, reopen, comment) and the system's (a finding recurs, a time rule's condition no
longer holds). The service applies the regulator's moves; ``alerts/store.py`` writes the system's
in SQL from the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

OPEN = "open"


@dataclass(frozen=True)
class Move:
    action: str
    applies: tuple[str, ...]  # the statuses it applies to
    to: str | None  # the resulting status; None: unchanged
    by: Literal["regulator", "system"]
    past: str  # the alert history's word for it
    note_required: bool = False
    changed_only: bool = False  # a recurrence that counts only when the finding's signature changed


MOVES: tuple[Move, ...] = (
    Move("acknowledge", ("open",), "acknowledged", "regulator", "acknowledged"),
    Move("resolve", ("open", "acknowledged"), "resolved", "regulator", "resolved", note_required=True),
    Move("dismiss", ("open", "acknowledged"), "dismissed", "regulator", "dismissed", note_required=True),
    Move("reopen", ("resolved", "dismissed", "auto_resolved"), OPEN, "regulator", "reopened", note_required=True),
    Move("comment", ("open", "acknowledged", "resolved", "dismissed", "auto_resolved"), None, "regulator", "commented", True),
    # The same finding again: an auto-resolved alert reopens; a dismissed or resolved one only if the
    # finding changed (recurring unchanged, it stays dismissed); an open one just gets the evidence.
    Move("recur", ("auto_resolved",), OPEN, "system", "reopened"),
    Move("recur", ("dismissed", "resolved"), OPEN, "system", "reopened", changed_only=True),
    # A time rule no longer finds its subject.
    Move("auto_resolve", ("open", "acknowledged"), "auto_resolved", "system", "auto_resolved"),
)

WORKFLOW: dict[str, Move] = {m.action: m for m in MOVES if m.by == "regulator"}
RECUR = tuple(m for m in MOVES if m.action == "recur")
AUTO_RESOLVE = next(m for m in MOVES if m.action == "auto_resolve")
# An alert in these is closed (``closed_at`` set).
CLOSED = ("resolved", "dismissed", "auto_resolved")


def allowed(status: str) -> list[str]:
    """The regulator's actions allowed on an alert in ``status``, in table order."""
    return [m.action for m in WORKFLOW.values() if status in m.applies]


def sql_in(statuses: tuple[str, ...]) -> str:
    """``('a', 'b')`` for SQL: the statuses are this module's constants, never input."""
    return "(" + ", ".join(f"'{s}'" for s in statuses) + ")"
