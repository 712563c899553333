"""User-facing messages (zh-CN, en) of the cradle's error codes: ledger, plans, declarations."""

from waste_tracker.i18n import register

register(
    {
        # --- the container ledger ---
        "site_not_yours": {"zh-CN": "该厂区不属于您的单位。", "en": "This site does not belong to your organisation."},
        "container_not_registered": {
            "zh-CN": "没有找到该容器：它尚未在台账中登记（或不属于您可查看的范围）。",
            "en": "No such container: it has not been registered in the ledger (or is not yours to see).",
        },
        "container_not_yours": {"zh-CN": "该容器不属于您的单位。", "en": "This container does not belong to your organisation."},
        "container_of_another_site": {
            "zh-CN": "该容器登记在另一个厂区，不能用于本厂区的联单。",
            "en": "This container is registered at another site and cannot go on this site's manifest.",
        },
        "container_not_in_storage": {
            "zh-CN": "容器 {identification_code} 不在库中（当前状态：{status}）。",
            "en": "Container {identification_code} is not in storage (status: {status}).",
        },
        "invalid_container_step": {
            "zh-CN": "容器 {identification_code} 当前状态为“{status}”，不能进行此操作。",
            "en": "Container {identification_code} is {status}: this step is not allowed now.",
        },
        "container_on_manifest": {
            "zh-CN": "容器 {identification_code} 已列入联单，请先将其移出联单再修改重量。",
            "en": "Container {identification_code} is on a manifest: take it off the manifest before changing its weight.",
        },
        "container_sequence_exhausted": {
            "zh-CN": "同一单位同一天同一种废物最多登记 {max} 个容器。",
            "en": "At most {max} containers of one waste can be registered per unit and day.",
        },
        "weight_out_of_range": {
            "zh-CN": "重量不合理：净重须大于 0 且不超过 {max_kg} 千克，毛重不得小于净重。",
            "en": "Implausible weight: the net weight must be above 0 and at most {max_kg} kg, and the gross weight at "
            "least the net weight.",
        },
        "generated_in_future": {
            "zh-CN": "产生日期 {generated_on} 晚于今天（{today}）。",
            "en": "The generation date {generated_on} is after today ({today}).",
        },
        "generated_too_long_ago": {
            "zh-CN": "产生日期 {generated_on} 过早：补录最多追溯 {max_days} 天。",
            "en": "The generation date {generated_on} is too long ago: late entries go back at most {max_days} days.",
        },
        "batch_not_allowed": {
            "zh-CN": "危险废物须按容器逐个登记，不能按批次登记。",
            "en": "Hazardous waste is recorded per container, not as a batch.",
        },
        "container_check_required": {
            "zh-CN": "这张联单的废物按容器登记：请逐个扫描 {expected} 个容器的标签，或扫描联单后确认容器数量。",
            "en": "This manifest was filled from containers: scan the labels of all {expected}, or scan the manifest "
            "and confirm the count.",
        },
        "container_count_mismatch": {
            "zh-CN": "确认的容器数量（{confirmed}）与联单上的数量（{expected}）不符。",
            "en": "The confirmed number of containers ({confirmed}) differs from the manifest's ({expected}).",
        },
        "container_check_failed": {
            "zh-CN": "容器核对不通过：不在本联单上 {not_on_manifest}，已出库 {not_in_storage}，未扫描 {missing}。",
            "en": "Container check failed: not on this manifest {not_on_manifest}, already out of storage "
            "{not_in_storage}, not scanned {missing}.",
        },
        "manifest_lines_from_containers": {
            "zh-CN": "这张联单的废物明细来自台账容器，不能直接修改；请取消后重新选择容器。",
            "en": "This manifest's lines come from ledger containers and cannot be edited; cancel it and choose again.",
        },
        # --- management plans ---
        "plan_exists": {
            "zh-CN": "该厂区 {year} 年的管理计划已存在，请修改原计划。",
            "en": "This site already has a plan for {year}: revise it instead.",
        },
        "plan_year_out_of_range": {"zh-CN": "计划年度 {year} 不在允许范围内。", "en": "Plan year {year} is out of range."},
        "plan_without_wastes": {"zh-CN": "管理计划至少要列一种废物。", "en": "A plan lists at least one waste."},
        "duplicate_waste_code": {"zh-CN": "废物代码重复：{codes}。", "en": "Waste codes listed twice: {codes}."},
        "waste_kind_mismatch": {
            "zh-CN": "这些代码不属于本计划的废物类别：{codes}。",
            "en": "These codes are not of the plan's kind of waste: {codes}.",
        },
        "transfer_code_not_in_plan": {
            "zh-CN": "转移计划中的废物 {codes} 不在本计划的废物清单中。",
            "en": "The transfer names wastes {codes} that the plan does not list.",
        },
        "own_handling_code_not_in_plan": {
            "zh-CN": "自行利用处置的废物 {code} 不在本计划的废物清单中。",
            "en": "Own handling names waste {code}, which the plan does not list.",
        },
        "unknown_receiver_site": {"zh-CN": "接受人厂区不存在。", "en": "The receiver site does not exist."},
        "licence_not_of_receiver": {
            "zh-CN": "许可证 {licence_number} 不属于所填的接受人。",
            "en": "Licence {licence_number} is not the named receiver's.",
        },
        "plan_not_yours": {
            "zh-CN": "只有计划所属单位可以修改或提交。",
            "en": "Only the plan's own unit may change or submit it.",
        },
        "plan_not_editable": {
            "zh-CN": "计划当前状态为“{status}”，不能修改。",
            "en": "The plan is {status}: it cannot be changed now.",
        },
        "plan_not_submittable": {
            "zh-CN": "计划当前状态为“{status}”，不能提交。",
            "en": "The plan is {status}: it cannot be submitted.",
        },
        "plan_not_submitted": {
            "zh-CN": "计划当前状态为“{status}”，尚未提交，不能审核。",
            "en": "The plan is {status}, not submitted: nothing to review.",
        },
        "county_regulator_required": {
            "zh-CN": "只有该厂区所在区县的生态环境部门可以审核。",
            "en": "Only the bureau of the site's county may review it.",
        },
        "no_filed_management_plan": {
            "zh-CN": "该厂区 {year} 年没有已备案的管理计划，不能提交联单（本市要求先备案）。",
            "en": "This site has no filed management plan for {year}: the city requires one before manifests.",
        },
        "outside_management_plan": {
            "zh-CN": "联单不在已备案的管理计划（备案号 {filing_number}）内：{lines}。请先变更管理计划。",
            "en": "The manifest is outside the filed management plan (filing no. {filing_number}): {lines}. "
            "Amend the plan first.",
        },
        # --- declarations ---
        "period_not_finished": {
            "zh-CN": "申报期间（{period_start} 至 {period_end}）尚未结束，结束后才能申报。",
            "en": "The period ({period_start} to {period_end}) has not ended: declare it once it has.",
        },
        "period_not_aligned": {
            "zh-CN": "申报期间的起始日 {period_start} 不是月、季或年的第一天。",
            "en": "The period start {period_start} is not the first day of a month, quarter or year.",
        },
    }
)
