"""The web interface's message catalogue: ``messages.json`` holds every user-facing string of the
pages and scripts, each key with its zh-CN and en text side by side (so a missing translation is
visible in review, and ``tests/web/test_i18n.py`` fails on it).

Keys starting with ``js.`` are also sent to the page's scripts (embedded as JSON in the page).
Domain texts (error messages, rule titles) come from ``waste_tracker.i18n`` and the rule registry.
"""

from __future__ import annotations

import json
import string
from functools import cache
from pathlib import Path
from typing import Any

from waste_tracker.i18n import DEFAULT_LANG, LANGS

CATALOGUE = Path(__file__).resolve().parent / "messages.json"


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@cache
def messages() -> dict[str, dict[str, str]]:
    return json.loads(CATALOGUE.read_text(encoding="utf-8"))


def gettext(lang: str, key: str, **kw: Any) -> str:
    """The text for ``key`` in ``lang``; an unknown key shows itself (visible in review, never a crash)."""
    entry = messages().get(key)
    if entry is None:
        return key
    text = entry.get(lang) or entry[DEFAULT_LANG]
    return string.Formatter().vformat(text, (), _Safe(kw)) if kw else text


def js_messages(lang: str) -> dict[str, str]:
    """The subset the scripts need, in one language."""
    lang = lang if lang in LANGS else DEFAULT_LANG
    return {k[3:]: v.get(lang) or v[DEFAULT_LANG] for k, v in messages().items() if k.startswith("js.")}
