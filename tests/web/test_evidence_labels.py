"""Every field a rule writes into an alert's evidence has a label in both languages, and the
alert page shows evidence as sentences for people: no raw ids, no JSON, units on numbers
(issue #14: "an untranslated evidence row `between ["declared","received"]` and raw ids")."""

from __future__ import annotations

import ast
import re
import uuid
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.web.evidence import HIDDEN, evidence_lines
from api.web.i18n import messages
from tests import factories

RULES = Path(__file__).resolve().parents[2] / "waste_tracker" / "rules"
_JSONB_KEY = re.compile(r"(?:jsonb_build_object\(|,)\s*'([a-z_]+)'\s*,")
EVIDENCE_NAMES = {"evidence", "e", "basis"}


def _dict_keys(node: ast.AST) -> set[str]:
    return {
        k.value
        for d in ast.walk(node)
        if isinstance(d, ast.Dict)
        for k in d.keys
        if isinstance(k, ast.Constant) and isinstance(k.value, str)
    }


def evidence_keys() -> dict[str, str]:
    """The keys of every evidence the rules build: dicts passed to ``fire``, assigned to an
    evidence variable, returned by the checks, and the ``jsonb_build_object`` keys of the sweeps."""
    found: dict[str, str] = {}
    for path in sorted(RULES.glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "fire":
                if len(node.args) >= 2:
                    found |= dict.fromkeys(_dict_keys(node.args[1]), path.name)
            elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                if any(isinstance(t, ast.Name) and t.id in EVIDENCE_NAMES for t in targets) and node.value is not None:
                    found |= dict.fromkeys(_dict_keys(node.value), path.name)
            elif path.name == "checks.py" and isinstance(node, ast.Return) and node.value is not None:
                found |= dict.fromkeys(_dict_keys(node.value), path.name)
        for sql in re.findall(r"jsonb_build_object\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)", source):
            found |= dict.fromkeys(_JSONB_KEY.findall(sql), path.name)
    return found


def test_every_evidence_key_has_a_label_in_both_languages() -> None:
    keys = evidence_keys()
    assert {"between", "found", "gaps", "stops", "zones", "identification_codes"} <= set(keys)  # the scan sees them
    known = messages()
    labelled = {k for k, v in known.items() if k.startswith("evidence.") and v.get("zh-CN") and v.get("en")}
    missing = sorted(
        f"{k} ({where})"
        for k, where in keys.items()
        if k not in HIDDEN and k not in ("type", "coordinates") and f"evidence.{k}" not in labelled
    )
    assert not missing, missing


async def test_evidence_reads_as_text(session: AsyncSession) -> None:
    org = await factories.organisation(session, roles=["carrier"], name="嘉兴安运物流有限公司")
    evidence: dict[str, Any] = {
        "number": "20263304000001",
        "event_seq": 4,
        "between": ["declared", "received"],
        "found": ["partial", "quantity"],
        "difference_kg": "1250.000",
        "to_carrier_org_id": str(org.id),
        "nearest_site_id": str(uuid.uuid4()),
        "nearest_site_name": "嘉兴固废处置中心",
        "generator_county": 330421,
        "stops": [
            {"place": {"type": "Point", "coordinates": [120.75, 30.75]}, "start": "2026-12-01T02:00:00+00:00", "minutes": "35"}
        ],
        "overdue": True,
        "event_type": "submitted",
    }
    zh = dict(await evidence_lines(session, evidence, "zh-CN"))
    text = repr(zh)
    assert "[" not in "".join(v for vs in zh.values() for v in vs)
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}", text), text  # no raw ids
    assert "declared" not in text and "partial" not in text and "between" not in text
    assert zh["比对的两个数量"] == ["申报量、接收量"]
    assert zh["承运人（接手）"] == ["嘉兴安运物流有限公司"]
    assert zh["差额"] == ["1.250 t"]
    assert zh["最近可用接受人"] == ["嘉兴固废处置中心"]
    assert zh["移出地所在县（市、区）"] == ["嘉善县"]
    assert zh["停车"] == ["位置：东经 120.75000，北纬 30.75000；开始：2026-12-01 10:00；时长：35 分钟"]
    assert zh["已逾期"] == ["是"]
    assert zh["环节"] == ["提交联单"] and "联单编号" not in zh  # the number heads the page already
    en = dict(await evidence_lines(session, evidence, "en"))
    assert en["Stops"] == ["Place: 120.75000 E, 30.75000 N; Start: 2026-12-01 10:00; Duration: 35 min"]
    assert en["Quantities compared"] == ["declared, received"]
