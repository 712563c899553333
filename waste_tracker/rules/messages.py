"""User-facing messages of the rules' settings."""

from waste_tracker.i18n import register

register(
    {
        "unknown_rule": {"zh-CN": "规则 {rule_id} 不存在。", "en": "Rule {rule_id} does not exist."},
        "invalid_thresholds": {"zh-CN": "阈值无效：{reason}", "en": "Invalid thresholds: {reason}"},
    }
)
