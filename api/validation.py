"""Field errors in people's words: each of pydantic's error types as a sentence in the request's
language, and the field by its name on the form ("第 1 行 · 数量：不能大于 1000000").

The machine-readable parts (``loc``, ``type``, pydantic's own ``msg``) stay in every error for API
clients; ``field`` and ``message`` are what the pages show."""

from __future__ import annotations

from typing import Any

from waste_tracker.i18n import MESSAGES, translate

# What each of pydantic's error types means, with its context values ({le}, {max_length}, ...).
_TYPES: dict[str, dict[str, str]] = {
    "missing": {"zh-CN": "必须填写", "en": "is required"},
    "less_than_equal": {"zh-CN": "不能大于 {le}", "en": "must be at most {le}"},
    "less_than": {"zh-CN": "必须小于 {lt}", "en": "must be less than {lt}"},
    "greater_than": {"zh-CN": "必须大于 {gt}", "en": "must be more than {gt}"},
    "greater_than_equal": {"zh-CN": "不能小于 {ge}", "en": "must be at least {ge}"},
    "string_too_short": {"zh-CN": "至少 {min_length} 个字", "en": "needs at least {min_length} characters"},
    "string_too_long": {"zh-CN": "最多 {max_length} 个字", "en": "takes at most {max_length} characters"},
    "too_short": {"zh-CN": "至少 {min_length} 项", "en": "needs at least {min_length} items"},
    "too_long": {"zh-CN": "最多 {max_length} 项", "en": "takes at most {max_length} items"},
    "decimal_max_digits": {"zh-CN": "数字太长（最多 {max_digits} 位）", "en": "has too many digits (at most {max_digits})"},
    "decimal_max_places": {"zh-CN": "小数最多 {decimal_places} 位", "en": "takes at most {decimal_places} decimals"},
    "decimal_whole_digits": {"zh-CN": "整数部分太长", "en": "has too many whole digits"},
    "decimal_parsing": {"zh-CN": "须为数字", "en": "must be a number"},
    "decimal_type": {"zh-CN": "须为数字", "en": "must be a number"},
    "float_parsing": {"zh-CN": "须为数字", "en": "must be a number"},
    "int_parsing": {"zh-CN": "须为整数", "en": "must be a whole number"},
    "int_from_float": {"zh-CN": "须为整数", "en": "must be a whole number"},
    "finite_number": {"zh-CN": "须为有限的数字", "en": "must be a finite number"},
    "string_pattern_mismatch": {"zh-CN": "格式不正确", "en": "is not in the expected format"},
    "literal_error": {"zh-CN": "须为以下之一：{expected}", "en": "must be one of: {expected}"},
    "enum": {"zh-CN": "须为以下之一：{expected}", "en": "must be one of: {expected}"},
    "date_parsing": {"zh-CN": "须为日期（年-月-日）", "en": "must be a date (YYYY-MM-DD)"},
    "date_from_datetime_parsing": {"zh-CN": "须为日期（年-月-日）", "en": "must be a date (YYYY-MM-DD)"},
    "datetime_parsing": {"zh-CN": "须为日期和时间", "en": "must be a date and time"},
    "timezone_aware": {"zh-CN": "须带时区", "en": "must include its time zone"},
    "uuid_parsing": {"zh-CN": "不是有效的编号", "en": "is not a valid identifier"},
    "uuid_type": {"zh-CN": "不是有效的编号", "en": "is not a valid identifier"},
    "extra_forbidden": {"zh-CN": "不是可填写的项目", "en": "is not a field that can be sent"},
    "string_type": {"zh-CN": "须为文字", "en": "must be text"},
    "bool_parsing": {"zh-CN": "须为是或否", "en": "must be yes or no"},
    "list_type": {"zh-CN": "须为列表", "en": "must be a list"},
    "json_invalid": {"zh-CN": "不是有效的 JSON", "en": "is not valid JSON"},
}
_OTHER = {"zh-CN": "不符合要求", "en": "is not valid"}

# Fields by the names the forms give them.
FIELDS: dict[str, dict[str, str]] = {
    "quantity": {"zh-CN": "数量", "en": "quantity"},
    "accepted_quantity": {"zh-CN": "接受数量", "en": "accepted quantity"},
    "quantity_cap": {"zh-CN": "数量上限", "en": "quantity cap"},
    "lines": {"zh-CN": "废物明细", "en": "waste lines"},
    "line_no": {"zh-CN": "序号", "en": "line number"},
    "waste_code": {"zh-CN": "废物代码", "en": "waste code"},
    "waste_codes": {"zh-CN": "废物代码", "en": "waste codes"},
    "physical_form": {"zh-CN": "形态", "en": "physical form"},
    "container_type": {"zh-CN": "包装方式", "en": "container type"},
    "container_count": {"zh-CN": "包装数量", "en": "number of containers"},
    "unit": {"zh-CN": "单位", "en": "unit"},
    "planned_pickup_date": {"zh-CN": "计划转移日期", "en": "planned pickup date"},
    "planned_method_code": {"zh-CN": "利用处置方式", "en": "disposal method"},
    "method_code": {"zh-CN": "利用处置方式", "en": "disposal method"},
    "disposed_on": {"zh-CN": "处置日期", "en": "disposal date"},
    "emergency_measures": {"zh-CN": "应急措施", "en": "emergency measures"},
    "emergency_contact": {"zh-CN": "应急联系人", "en": "emergency contact"},
    "emergency_phone": {"zh-CN": "应急电话", "en": "emergency phone"},
    "contact_phone": {"zh-CN": "联系电话", "en": "contact phone"},
    "notes": {"zh-CN": "备注", "en": "notes"},
    "reason": {"zh-CN": "原因", "en": "reason"},
    "note": {"zh-CN": "说明", "en": "note"},
    "decision": {"zh-CN": "接受决定", "en": "decision"},
    "generator_site_id": {"zh-CN": "移出地点", "en": "generator site"},
    "receiver_site_id": {"zh-CN": "接受人", "en": "receiver"},
    "carrier_org_id": {"zh-CN": "承运人", "en": "carrier"},
    "handovers": {"zh-CN": "交接", "en": "handovers"},
    "vehicle_plate": {"zh-CN": "车牌", "en": "plate"},
    "valid_from": {"zh-CN": "生效日期", "en": "valid from"},
    "valid_to": {"zh-CN": "有效期至", "en": "valid to"},
    "password": {"zh-CN": "密码", "en": "password"},
    "username": {"zh-CN": "用户名", "en": "username"},
}
_ROW = {"zh-CN": "第 {n} 行", "en": "line {n}"}
_SEP = {"zh-CN": " · ", "en": " · "}


def _plain(v: Any) -> Any:
    """A Decimal bound as people write it: 1E+6 → 1000000, 0.500 → 0.5."""
    if not hasattr(v, "as_tuple"):
        return v
    text = f"{v:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _ctx(e: dict[str, Any]) -> dict[str, Any]:
    ctx = {k: _plain(v) for k, v in (e.get("ctx") or {}).items()}
    if isinstance(ctx.get("expected"), str):
        ctx["expected"] = ctx["expected"].replace("'", "")
    return ctx


def field_name(loc: list[str], lang: str) -> str:
    """``["body", "lines", "0", "quantity"]`` → "第 1 行 · 数量"; the source (body, query) left out."""
    parts: list[str] = []
    path = loc[1:] if loc and loc[0] in ("body", "query", "path", "header", "cookie") else loc
    for i, x in enumerate(path):
        if x == "lines" and i + 1 < len(path) and path[i + 1].isdigit():
            continue  # "第 1 行" says it: the form's lines are its rows
        if x.isdigit():
            parts.append(_ROW.get(lang, _ROW["en"]).format(n=int(x) + 1))
        elif x in FIELDS:
            parts.append(FIELDS[x].get(lang) or FIELDS[x]["en"])
        else:
            parts.append(x)
    return _SEP.get(lang, " · ").join(parts)


def readable(e: dict[str, Any], lang: str) -> dict[str, Any]:
    """One pydantic error as sent: loc, type, pydantic's msg, and the field and message for people."""
    loc = [str(x) for x in e.get("loc", ())]
    kind = str(e.get("type", ""))
    template = _TYPES.get(kind, _OTHER)
    text = template.get(lang) or template["en"]
    try:
        message = text.format(**_ctx(e))
    except (KeyError, IndexError, ValueError):
        message = text
    if kind == "value_error" and str(e.get("msg", "")).startswith("Value error, "):
        reason = str(e["msg"])[len("Value error, ") :]
        message = translate(reason, lang) if reason in MESSAGES else message
    return {"loc": loc, "type": kind, "msg": str(e.get("msg", ""))[:300], "field": field_name(loc, lang), "message": message}


__all__ = ["FIELDS", "field_name", "readable"]
