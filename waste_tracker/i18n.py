"""The message catalogue for user-facing text: zh-CN first, English available.

Messages are keyed by the stable error/finding code and formatted with the error's details.
A missing placeholder never raises: the template is returned with the gap left visible.
"""

from __future__ import annotations

import string
from typing import Any

DEFAULT_LANG = "zh-CN"
LANGS = ("zh-CN", "en")

MESSAGES: dict[str, dict[str, str]] = {
    # --- generic --------------------------------------------------------------------------------
    "unauthenticated": {
        "zh-CN": "您还没有登录，或登录已过期：请重新登录。",
        "en": "You are not logged in, or your session has expired: log in again (API clients: send a valid bearer token or API key).",
    },
    "token_expired": {"zh-CN": "登录已过期，请重新登录。", "en": "Your session has expired; log in again."},
    "invalid_token": {"zh-CN": "登录信息无效，请重新登录。", "en": "The session is not valid; log in again."},
    "invalid_api_key": {"zh-CN": "系统对接密钥无效或已被吊销。", "en": "The API key is invalid or has been revoked."},
    "invalid_credentials": {"zh-CN": "用户名或密码错误。", "en": "Wrong username or password."},
    "account_disabled": {"zh-CN": "该账号已停用。", "en": "This account is disabled."},
    "session_ended": {
        "zh-CN": "此次登录已结束（已退出或密码已修改），请重新登录。",
        "en": "This session has ended (logged out, or the password was changed); log in again.",
    },
    "weak_password": {
        "zh-CN": "密码不符合要求：至少 {min_length} 个字符，不能是常见密码、不能包含用户名、不能是同一字符重复。",
        "en": "Password not allowed: at least {min_length} characters, not a common password, not the username, "
        "not one character repeated.",
    },
    "wrong_password": {"zh-CN": "当前密码不正确。", "en": "The current password is wrong."},
    "second_factor_required": {
        "zh-CN": "请输入手机验证器 App 上的 6 位动态码（或一个备用恢复码）。",
        "en": "Enter the 6-digit code from your authenticator app (or a recovery code).",
    },
    "invalid_second_factor": {
        "zh-CN": "动态码或恢复码不正确。",
        "en": "The code or recovery code is wrong.",
    },
    "second_factor_enrollment_required": {
        "zh-CN": "您的账号须先开启两步验证，才能继续使用。",
        "en": "Your account must turn on two-step verification before going on.",
    },
    "second_factor_already_enabled": {
        "zh-CN": "两步验证已开启。",
        "en": "Two-step verification is already on.",
    },
    "second_factor_not_pending": {
        "zh-CN": "请先开始设置两步验证。",
        "en": "Start setting up two-step verification first.",
    },
    "second_factor_mandatory": {
        "zh-CN": "您的角色必须使用两步验证，不能关闭。",
        "en": "Your role requires two-step verification; it cannot be turned off.",
    },
    "demo_account_refused": {"zh-CN": "生产环境禁止使用演示账号。", "en": "Demo accounts are refused in production."},
    "too_many_requests": {
        "zh-CN": "尝试次数过多，请在 {retry_after} 秒后重试。",
        "en": "Too many attempts; retry after {retry_after} seconds.",
    },
    "csrf_failed": {"zh-CN": "安全校验失败，请刷新页面后重试。", "en": "Security check failed; reload the page and retry."},
    "forbidden": {"zh-CN": "您无权执行此操作。", "en": "You are not allowed to do this."},
    "not_found": {"zh-CN": "未找到{resource}（{id}）。", "en": "{resource} {id} not found."},
    "validation_error": {
        "zh-CN": "请求数据不符合要求，请检查标出的字段。",
        "en": "The request data is invalid; check the fields listed.",
    },
    "malformed_json": {"zh-CN": "请求体不是有效的 JSON。", "en": "The request body is not valid JSON."},
    "unsupported_media_type": {
        "zh-CN": "不支持的内容类型，请使用 application/json。",
        "en": "Unsupported content type; use application/json.",
    },
    "payload_too_large": {
        "zh-CN": "请求体过大（上限 {limit} 字节）。",
        "en": "The request body is too large (limit {limit} bytes).",
    },
    "method_not_allowed": {"zh-CN": "不支持该请求方法。", "en": "Method not allowed."},
    "internal_error": {"zh-CN": "服务器内部错误，已记录。", "en": "Internal server error; it has been logged."},
    "conflict": {"zh-CN": "与现有数据冲突：{reason}", "en": "Conflicts with existing data: {reason}"},
    "database_unavailable": {
        "zh-CN": "数据库暂时不可用，请稍后重试。",
        "en": "The database is temporarily unavailable; retry shortly.",
    },
    "unreadable_body": {
        "zh-CN": "无法读取请求体：请发送 UTF-8 编码、嵌套层数合理的 JSON。",
        "en": "The request body cannot be read: send JSON encoded as UTF-8 and not nested too deeply.",
    },
    "date_out_of_range": {
        "zh-CN": "日期 {value} 超出可受理范围（{min} 至 {max}）。",
        "en": "The date {value} is outside the accepted range ({min} to {max}).",
    },
    "invalid_expiry": {
        "zh-CN": "有效期必须晚于现在，且不超过 {max_days} 天。",
        "en": "The expiry must be in the future and at most {max_days} days away.",
    },
    # --- registry -------------------------------------------------------------------------------
    "legal_identity_change": {
        "zh-CN": "单位名称和统一社会信用代码须由属地监管部门变更（请提交工商变更材料）。",
        "en": "The legal name and unified social credit code are changed by the local regulator (bring the registration change).",
    },
    "identity_unchanged": {"zh-CN": "名称和统一社会信用代码均未变化。", "en": "Neither the name nor the credit code changes."},
    "duplicate_name": {
        "zh-CN": "名称“{name}”已是另一家单位的法定名称。",
        "en": "“{name}” is already another organisation's legal name.",
    },
    "already_revoked": {"zh-CN": "{number} 已于 {revoked_at} 吊销。", "en": "{number} was revoked at {revoked_at}."},
    "generator_site_required": {
        "zh-CN": "该单位有多个厂区：请指明废物从哪个厂区转出。",
        "en": "The organisation has several sites: name the site the waste leaves.",
    },
    "invalid_uscc": {"zh-CN": "统一社会信用代码无效：{reason}", "en": "Invalid unified social credit code: {reason}"},
    "duplicate_uscc": {
        "zh-CN": "统一社会信用代码 {uscc} 已登记。",
        "en": "Unified social credit code {uscc} is already registered.",
    },
    "location_outside_jurisdictions": {
        "zh-CN": "位置（经度 {lon}，纬度 {lat}）不在任何已登记的县级行政区内。",
        "en": "The location (lon {lon}, lat {lat}) is outside every registered county.",
    },
    "county_mismatch": {
        "zh-CN": "申报的区县 {declared} 与位置所在区县 {actual} 不一致。",
        "en": "The declared county {declared} contradicts the location's county {actual}.",
    },
    "organisation_role_missing": {
        "zh-CN": "单位不具备所需角色：{role}。",
        "en": "The organisation lacks the required role: {role}.",
    },
    "unknown_waste_code": {"zh-CN": "废物代码 {code} 不在名录中。", "en": "Waste code {code} is not in the catalogue."},
    "unknown_method_code": {
        "zh-CN": "利用/处置方式代码 {code} 无效。",
        "en": "Unknown utilisation/disposal method code {code}.",
    },
    "invalid_validity_window": {
        "zh-CN": "有效期起始日期须早于截止日期。",
        "en": "The validity window must start before it ends.",
    },
    "duplicate_username": {"zh-CN": "用户名 {username} 已存在。", "en": "Username {username} already exists."},
    "duplicate_number": {"zh-CN": "编号 {number} 已存在。", "en": "Number {number} already exists."},
    "duplicate_plate": {"zh-CN": "车牌号 {plate} 已登记。", "en": "Plate number {plate} is already registered."},
    "invalid_user_binding": {
        "zh-CN": "用户角色与绑定不符：{reason}",
        "en": "The user's role does not match its binding: {reason}",
    },
    "unknown_jurisdiction": {
        "zh-CN": "行政区划代码 {adcode} 未登记。",
        "en": "Administrative code {adcode} is not registered.",
    },
}


class _Safe(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def pick_lang(accept_language: str | None) -> str:
    """``en`` when the caller prefers English over Chinese, else zh-CN."""
    if not accept_language:
        return DEFAULT_LANG
    best, best_q = DEFAULT_LANG, -1.0
    for part in accept_language.split(","):
        bits = part.strip().split(";")
        tag = bits[0].strip().lower()
        q = 1.0
        for b in bits[1:]:
            if b.strip().startswith("q="):
                try:
                    q = float(b.strip()[2:])
                except ValueError:
                    q = 0.0
        lang = "en" if tag.startswith("en") else "zh-CN" if tag.startswith("zh") else None
        if lang and q > best_q:
            best, best_q = lang, q
    return best


# What a ``not_found`` names, in words (``NotFound("manifest", id)`` → "未找到联单（…）").
RESOURCES: dict[str, dict[str, str]] = {
    "manifest": {"zh-CN": "联单", "en": "Manifest"},
    "alert": {"zh-CN": "预警", "en": "Alert"},
    "organisation": {"zh-CN": "单位", "en": "Organisation"},
    "site": {"zh-CN": "厂区或场所", "en": "Site"},
    "licence": {"zh-CN": "经营许可证", "en": "Licence"},
    "transport_permit": {"zh-CN": "道路运输许可", "en": "Transport permit"},
    "vehicle": {"zh-CN": "车辆", "en": "Vehicle"},
    "exemption": {"zh-CN": "豁免", "en": "Exemption"},
    "exemption_request": {"zh-CN": "豁免申请", "en": "Exemption request"},
    "jurisdiction": {"zh-CN": "行政区", "en": "Jurisdiction"},
    "waste_code": {"zh-CN": "废物代码", "en": "Waste code"},
    "management_plan": {"zh-CN": "管理计划", "en": "Management plan"},
    "declaration": {"zh-CN": "申报", "en": "Declaration"},
    "container": {"zh-CN": "容器", "en": "Container"},
    "protected_zone": {"zh-CN": "保护区", "en": "Protected zone"},
    "approved_route": {"zh-CN": "批准路线", "en": "Approved route"},
    "ticket_photo": {"zh-CN": "磅单照片", "en": "Ticket photo"},
    "user": {"zh-CN": "用户", "en": "User"},
    "api_key": {"zh-CN": "系统对接密钥", "en": "API key"},
}


def translate(msg_code: str, lang: str = DEFAULT_LANG, details: dict[str, Any] | None = None, /, **kw: Any) -> str:
    """The message for ``msg_code`` in ``lang``, formatted with ``details`` (and keywords)."""
    entry = MESSAGES.get(msg_code)
    if not entry:
        return msg_code
    template = entry.get(lang) or entry[DEFAULT_LANG]
    values = {**(details or {}), **kw}
    name = RESOURCES.get(str(values.get("resource", ""))) if msg_code == "not_found" else None
    if name:
        values["resource"] = name.get(lang) or name[DEFAULT_LANG]
    return string.Formatter().vformat(template, (), _Safe(values))


def register(messages: dict[str, dict[str, str]]) -> None:
    """Domain packages add their own messages at import time."""
    for code, texts in messages.items():
        if code in MESSAGES and MESSAGES[code] != texts:
            raise ValueError(f"message {code!r} registered twice with different texts")
        MESSAGES[code] = texts
