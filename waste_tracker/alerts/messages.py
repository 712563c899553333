"""User-facing messages for the alerts workflow."""

from waste_tracker.i18n import register

register(
    {
        "invalid_alert_transition": {
            "zh-CN": "预警当前状态为“{status}”，不能执行“{action}”。",
            "en": "The alert is {status}: '{action}' is not allowed.",
        },
        "note_required": {"zh-CN": "请填写说明。", "en": "A note is required."},
        "invalid_assignee": {
            "zh-CN": "只能指派给管辖该预警的监管人员。",
            "en": "Alerts can only be assigned to a regulator whose jurisdiction covers them.",
        },
    }
)
