"""The web message catalogue is complete: every key has zh-CN and English, every key the
templates and scripts use exists, and every status, event and finding has a label."""

from __future__ import annotations

import re
from pathlib import Path

from api.web.i18n import gettext, js_messages, messages
from waste_tracker.manifest.lifecycle import Status
from waste_tracker.models.alert import ALERT_STATUSES

WEB = Path(__file__).resolve().parents[2] / "api" / "web"
EVENT_TYPES = [
    "created", "draft_updated", "draft_deleted", "submitted", "cancelled", "picked_up", "dropped_off", "received", "disposed",
    "return_requested", "return_picked_up", "returned", "redirected", "remainder_returned", "remainder_redirected",
]  # fmt: skip


def test_every_key_has_both_languages() -> None:
    for key, texts in messages().items():
        assert set(texts) == {"zh-CN", "en"}, key
        assert texts["zh-CN"].strip() and texts["en"].strip(), key
        # the same placeholders in both languages
        assert set(re.findall(r"\{(\w+)\}", texts["zh-CN"])) == set(re.findall(r"\{(\w+)\}", texts["en"])), key


def test_templates_use_only_known_keys() -> None:
    known = messages()
    used: set[str] = set()
    for path in (WEB / "templates").glob("*.html"):
        used |= set(re.findall(r"\bt\('([a-z0-9_.]+)'", path.read_text(encoding="utf-8")))
    static = {k for k in used if not k.endswith(".")}
    assert static, "no keys found"
    assert not static - set(known), sorted(static - set(known))
    from api.web.render import nav_for  # navigation labels are keys too
    from waste_tracker.auth.principal import Principal

    for role, org_roles in (("enterprise", {"generator", "receiver"}), ("driver", set()), ("regulator", set())):
        p = Principal(user_id=None, username="x", role=role, organisation_id=None, org_roles=frozenset(org_roles))  # type: ignore[arg-type]
        for _, key in nav_for(p):
            assert key in known, key


def test_scripts_use_only_known_keys() -> None:
    js = js_messages("en")
    used: set[str] = set()
    for path in (WEB / "static" / "js").glob("*.js"):
        for line in path.read_text(encoding="utf-8").splitlines():
            used |= {k for k in re.findall(r'\bT\("([a-z0-9_]+)"', line) if not k.endswith("_")}  # "status_" + x: families below
            if "T(" in line:  # T(cond ? "a" : "b")
                used |= {k for pair in re.findall(r'\?\s*"([a-z0-9_]+)"\s*:\s*"([a-z0-9_]+)"', line) for k in pair}
    assert {"action_pickup", "confirm_dropoff", "done_pickup"} <= used
    assert not used - set(js), sorted(used - set(js))


def test_families_are_complete() -> None:
    known = messages()
    for s in Status:
        assert f"status.{s.value}" in known and f"js.status_{s.value}" in known, s
    for e in EVENT_TYPES:
        assert f"event.{e}" in known and f"js.event_{e}" in known, e
    for s in ALERT_STATUSES:
        assert f"alert_status.{s}" in known, s
    for code in ("scan_outside_geofence", "scan_without_location", "vehicle_changed"):
        assert f"finding.{code}" in known and f"js.finding_{code}" in known
    for outcome in ("allowed", "exempted", "needs_exemption"):
        assert f"js.outcome_{outcome}" in known


def test_gettext_falls_back_visibly() -> None:
    assert gettext("en", "flows.summary", total="1 t", out="0 t").startswith("In the period: 1 t")
    assert gettext("zh-CN", "no.such.key") == "no.such.key"
    assert gettext("fr", "login.title") == "登录"


def test_one_set_of_party_terms() -> None:
    """The 2021 national manifest's words for the three parties, and only those: 移出人, 承运人,
    接受人 (not 产生单位/运输单位/接收单位, nor a mix of the two), on every page and message."""
    others = re.compile("移出单位|产生单位|承运单位|运输单位|接受单位|接收单位")
    pages = [k for k, v in messages().items() if others.search(v["zh-CN"])]
    assert not pages, pages
    root = WEB.parents[1]
    sources = [
        str(p.relative_to(root))
        for folder in ("waste_tracker", "api")
        for p in (root / folder).rglob("*")
        if p.suffix in (".py", ".html", ".js") and others.search(p.read_text(encoding="utf-8"))
    ]
    assert not sources, sources
    assert messages()["m.generator"]["zh-CN"] == "移出人" and messages()["m.receiver"]["zh-CN"] == "接受人"
