"""User-facing messages (zh-CN, en) for the audit sample's error codes."""

from waste_tracker.i18n import register

register(
    {
        "audit_invalid_period": {
            "zh-CN": "抽查期间无效：结束日期 {period_to} 早于开始日期 {period_from}。",
            "en": "The audit period is invalid: it ends on {period_to}, before it starts on {period_from}.",
        },
        "audit_invalid_seed": {
            "zh-CN": "随机种子只能由 1 至 64 个字母、数字、“-”或“_”组成。",
            "en": "The random seed must be 1 to 64 letters, digits, '-' or '_'.",
        },
        "audit_invalid_bands": {
            "zh-CN": "规模分档无效：小型上限 {small_t} 吨应大于 0 且小于大型下限 {large_t} 吨；抽样比例应在 0 到 1 之间。",
            "en": "The size bands are invalid: the small limit {small_t} t must be above 0 and below the large limit "
            "{large_t} t; the rate must be between 0 and 1.",
        },
        "audit_jurisdiction_required": {
            "zh-CN": "请指定抽查的行政区（管理员须选择县或市）。",
            "en": "Name the jurisdiction to sample (an administrator chooses a county or the city).",
        },
        "audit_exclusion_reason_missing": {
            "zh-CN": "排除企业必须写明理由。",
            "en": "Every excluded enterprise needs a written reason.",
        },
        "audit_exclusion_not_in_frame": {
            "zh-CN": "排除的企业不在本次抽样范围（本辖区重点管理单位）内。",
            "en": "The excluded enterprise is not in this draw's frame (the key units of the jurisdiction).",
        },
        "audit_sample_closed": {
            "zh-CN": "该抽查样本已关闭，不能再指派审核人员。",
            "en": "This audit sample is closed: no more auditors can be assigned.",
        },
        "audit_not_auditor": {
            "zh-CN": "只能指派第三方审核人员账号。",
            "en": "Only a third-party auditor's account can be assigned.",
        },
        "audit_invalid_validity": {
            "zh-CN": "指派有效期无效：结束日期 {valid_to} 早于开始日期 {valid_from}。",
            "en": "The assignment's validity is invalid: it ends on {valid_to}, before it starts on {valid_from}.",
        },
        "audit_outside_assignment": {
            "zh-CN": "该企业不在您当前有效的抽查指派范围内。",
            "en": "This enterprise is not within an audit assignment of yours that is valid now.",
        },
        "audit_finding_empty": {
            "zh-CN": "请填写审核发现的内容。",
            "en": "Write what the finding is.",
        },
        "audit_attachment_type": {
            "zh-CN": "附件只能是 PDF 或图片（JPEG、PNG、WebP）。",
            "en": "An attachment must be a PDF or an image (JPEG, PNG, WebP).",
        },
        "audit_attachment_too_large": {
            "zh-CN": "附件不能超过 {max_mb} MB。",
            "en": "An attachment must not exceed {max_mb} MB.",
        },
    }
)
