"""Refused input is explained in the reader's language, field by its name on the form (issue #14:
"English validator text for huge quantities"); the machine-readable parts stay for API clients."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.validation import field_name, readable
from tests import factories as f


def test_huge_quantity_in_both_languages() -> None:
    e: dict[str, Any] = {
        "loc": ("body", "lines", 0, "quantity"),
        "type": "less_than_equal",
        "msg": "Input should be ≤",
        "ctx": {"le": 1000000},
    }
    zh = readable(e, "zh-CN")
    assert zh["field"] == "第 1 行 · 数量" and zh["message"] == "不能大于 1000000"
    assert zh["loc"] == ["body", "lines", "0", "quantity"] and zh["type"] == "less_than_equal"  # for API clients
    en = readable(e, "en")
    assert en["field"] == "line 1 · quantity" and en["message"] == "must be at most 1000000"


def test_unknown_types_and_fields_still_read() -> None:
    e = {"loc": ("query", "mystery"), "type": "some_new_type", "msg": "x"}
    assert readable(e, "zh-CN")["message"] == "不符合要求"
    assert field_name(["query", "mystery"], "zh-CN") == "mystery"


async def test_api_explains_a_refused_manifest(client: httpx.AsyncClient, session: AsyncSession) -> None:
    org = await f.organisation(session, roles=["generator"])
    user = await f.user(session, org=org)
    body = {
        "lines": [{"waste_code": "SW17", "physical_form": "solid", "quantity": "5000000", "unit": "kg"}],
        "emergency_phone": "call-me",
    }
    r = await client.post("/api/v1/manifests", json=body, headers=f.auth(user) | {"Accept-Language": "zh-CN"})
    assert r.status_code == 422, r.text
    errors = {tuple(e["loc"][1:]): e for e in r.json()["details"]["errors"]}
    assert errors[("lines", "0", "quantity")]["message"] == "不能大于 1000000"
    assert errors[("emergency_phone",)]["field"] == "应急电话"
    assert errors[("emergency_phone",)]["message"] == "格式不正确"
    assert errors[("generator_site_id",)]["message"] == "必须填写"
    r = await client.post("/api/v1/manifests", json=body, headers=f.auth(user) | {"Accept-Language": "en"})
    errors = {tuple(e["loc"][1:]): e for e in r.json()["details"]["errors"]}
    assert errors[("lines", "0", "quantity")]["message"] == "must be at most 1000000"
