"""docs/architecture.md "Where things live" lists every source file of the layers, and no file that
is gone: the map is kept true by this test, not by memory."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("api", "schemas", "waste_tracker", "migrations")


def _map() -> dict[str, set[str]]:
    text = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    block = text.split("## Where things live", 1)[1].split("```", 2)[1]
    listed: dict[str, set[str]] = {}
    top = None
    for line in block.splitlines():
        if re.match(r"^[a-z_]+/", line):
            top = line.split("/")[0]
            listed.setdefault(top, set())
        elif line.startswith("  ") and top is not None:
            entry = line.split()[0].rstrip(",")
            if not entry.endswith("/"):
                listed[top].add(entry)
    return listed


def _tree(top: str) -> set[str]:
    base = ROOT / top
    files = {p for p in base.rglob("*.py") if p.name != "__init__.py" and "__pycache__" not in p.parts}
    files |= set(base.rglob("*.mako"))
    return {str(p.relative_to(base)) for p in files}


def test_the_map_lists_every_source_file_and_nothing_else() -> None:
    listed = _map()
    for top in LAYERS:
        assert listed.get(top, set()) == _tree(top), top
