"""User-facing messages (zh-CN, en) for the manifest, scan and idempotency error codes."""

from waste_tracker.i18n import register

register(
    {
        "invalid_transition": {
            "zh-CN": "联单当前状态为“{status}”，不能执行“{action}”。现在允许的操作：{allowed}。",
            "en": "The manifest is {status}: '{action}' is not allowed now. Allowed now: {allowed}.",
        },
        "concurrent_update": {
            "zh-CN": "联单刚被其他操作更新，请刷新后重试。",
            "en": "The manifest was just changed by another action; reload and retry.",
        },
        "receiver_not_licensed": {
            "zh-CN": "接受人在计划转移日期 {date} 没有覆盖这些废物代码及处置方式 {method} 的有效许可证（未覆盖：{uncovered_codes}）。",
            "en": "The receiver holds no licence valid on {date} covering these wastes and method {method} "
            "(not covered: {uncovered_codes}).",
        },
        "carrier_not_permitted": {
            "zh-CN": "承运人在 {date} 没有有效的道路运输许可（或不允许运输危险货物）。",
            "en": "The carrier has no transport permit valid on {date} (or it does not allow hazardous goods).",
        },
        "hazardous_leaves_city": {
            "zh-CN": "危险废物不出市：移出人位于{from_name}，接受人位于{to_name}。"
            "跨市转移须经市级生态环境部门批准豁免后方可提交。",
            "en": "Hazardous waste must not leave its city: the generator is in {from_name}, the receiver in {to_name}. "
            "A cross-city exemption granted by the city ecology bureau would allow it.",
        },
        "solid_waste_leaves_county": {
            "zh-CN": "一般工业固体废物不出县：移出人位于{from_name}，接受人位于{to_name}。"
            "跨县转移须经生态环境部门批准豁免后方可提交。",
            "en": "General industrial solid waste must not leave its county: the generator is in {from_name}, the receiver "
            "in {to_name}. A cross-county exemption granted by the ecology bureau would allow it.",
        },
        "mixed_waste_kinds": {
            "zh-CN": "同一联单不能同时包含危险废物和一般工业固体废物。",
            "en": "One manifest cannot mix hazardous and general industrial solid waste.",
        },
        "accepted_out_of_range": {
            "zh-CN": "第 {line_no} 行接受的数量 {accepted_kg} 千克须在 0 到过磅数量 {received_kg} 千克之间。",
            "en": "Line {line_no}: the accepted quantity {accepted_kg} kg must be between 0 and the weighed {received_kg} kg.",
        },
        "quantity_out_of_range": {
            "zh-CN": "数量超出合理范围（须大于 0 且不超过 {max_kg} 千克）。",
            "en": "Quantity out of range (must be above 0 and at most {max_kg} kg).",
        },
        "invalid_generator_site": {
            "zh-CN": "产生地点不属于本单位。",
            "en": "The generator site is not one of your organisation's.",
        },
        "too_many_carriers": {
            "zh-CN": "一张联单最多 {max_carriers} 家承运人（现为 {given} 家）。",
            "en": "A manifest lists at most {max_carriers} carriers ({given} given).",
        },
        "handover_to_same_carrier": {
            "zh-CN": "第 {position} 家承运人与上一家相同：同一单位内部换车不是交接。",
            "en": "Carrier {position} is the same as the one before it: a change of truck within one carrier is no handover.",
        },
        "invalid_handover_site": {
            "zh-CN": "第 {position} 家承运人的交接地点不是已登记的场所。",
            "en": "The handover site of carrier {position} is not a registered site.",
        },
        "carrier_out_of_order": {
            "zh-CN": "联单 {number} 的这一步（{action}）应由第 {expected_position} 家承运人的驾驶员扫码。",
            "en": "This step of manifest {number} ({action}) is for a driver of carrier {expected_position}.",
        },
        "handover_quantity_required": {
            "zh-CN": "交接时请填写清点或称重的数量。",
            "en": "Enter the quantity counted or weighed at the handover.",
        },
        "invalid_check_code": {
            "zh-CN": "联单编号与核验码对不上：请对照标签上二维码旁印的编号和 6 位核验码重新输入。",
            "en": "The manifest number and check code do not match: type them again as printed beside the label's QR code.",
        },
        "exemption_not_needed": {
            "zh-CN": "这批废物运往该接受人不出县（一般固废）或不出市（危险废物），不需要豁免。",
            "en": "This waste going to this receiver stays in its county (general) or city (hazardous): no exemption is needed.",
        },
        "exemption_request_decided": {
            "zh-CN": "这份豁免申请已处理（{status}），不能再更改。",
            "en": "This exemption request has already been decided ({status}).",
        },
        "invalid_carrier": {
            "zh-CN": "所选单位不是登记的承运人。",
            "en": "The chosen organisation is not a registered carrier.",
        },
        "invalid_receiver": {
            "zh-CN": "所选地点不属于登记的接受人。",
            "en": "The chosen site does not belong to a registered receiver.",
        },
        "planned_vehicle_not_carriers": {
            "zh-CN": "车辆 {plate} 不是所选承运人的登记车辆。",
            "en": "Vehicle {plate} is not registered to the chosen carrier.",
        },
        "planned_driver_not_carriers": {
            "zh-CN": "所选驾驶员不是该承运人的在岗驾驶员。",
            "en": "The chosen driver is not an active driver of this carrier.",
        },
        "invalid_pickup_date": {
            "zh-CN": "计划转移日期 {planned_pickup_date} 不可用：不能早于昨天，也不能晚于一年以后（今天是 {today}）。",
            "en": "Planned pickup date {planned_pickup_date} cannot be used: not before yesterday, not more than a year "
            "ahead (today is {today}).",
        },
        "reason_required": {"zh-CN": "请填写原因。", "en": "A reason is required."},
        "lines_mismatch": {
            "zh-CN": "须逐行填写称重数量（联单行：{expected}）。",
            "en": "Give a weighed quantity for every line (lines: {expected}).",
        },
        "duplicate_line_no": {
            "zh-CN": "第 {line_no} 行填写了不止一次，每行只能填写一次。",
            "en": "Line {line_no} is given more than once; give each line once.",
        },
        "partial_acceptance_invalid": {
            "zh-CN": "部分接收须接收一部分并拒收一部分。",
            "en": "A partial acceptance must accept some and reject some.",
        },
        "method_not_licensed": {
            "zh-CN": "处置方式 {method} 不在许可证 {licence} 范围内。",
            "en": "Method {method} is not covered by licence {licence}.",
        },
        "quantity_exceeds_accepted": {
            "zh-CN": "处置数量 {quantity_kg} 千克超过接收数量 {accepted_kg} 千克。",
            "en": "Disposed quantity {quantity_kg} kg exceeds the accepted {accepted_kg} kg.",
        },
        "invalid_disposal_date": {
            "zh-CN": "处置日期 {disposed_on} 不可用：须在接收日期 {received_on} 与今天 {today} 之间（不能早于接收，也不能是将来）。",
            "en": "Disposal date {disposed_on} cannot be used: it must lie between the day of receipt ({received_on}) "
            "and today ({today}) — not before receipt, not in the future.",
        },
        "manifest_not_submitted": {"zh-CN": "联单尚未提交，没有标签。", "en": "The manifest is not submitted yet: no label."},
        "manifest_serial_exhausted": {"zh-CN": "本年度联单流水号已用尽。", "en": "This year's manifest serials are exhausted."},
        "invalid_cursor": {"zh-CN": "分页游标无效。", "en": "Invalid pagination cursor."},
        "outside_jurisdiction": {"zh-CN": "超出您的管辖范围。", "en": "Outside your jurisdiction."},
        "city_regulator_required": {
            "zh-CN": "跨市豁免须由市级生态环境部门批准。",
            "en": "Cross-city exemptions are granted by the city bureau.",
        },
        "invalid_qr_token": {"zh-CN": "二维码无效或已被篡改。", "en": "The QR code is invalid or has been tampered with."},
        "manifest_cancelled": {"zh-CN": "联单 {number} 已撤销，不能交接。", "en": "Manifest {number} is cancelled."},
        "manifest_closed": {
            "zh-CN": "联单 {number} 已办结，二维码失效。",
            "en": "Manifest {number} is closed; its QR code no longer works.",
        },
        "wrong_carrier": {
            "zh-CN": "您不是联单 {number} 的承运人驾驶员。",
            "en": "You are not a driver of manifest {number}'s carrier.",
        },
        "vehicle_required": {"zh-CN": "起运时须填写车牌号。", "en": "A vehicle plate is required at pickup."},
        "unknown_vehicle": {
            "zh-CN": "车辆 {plate} 未登记在承运人名下。",
            "en": "Vehicle {plate} is not registered to the carrier.",
        },
        "timestamp_without_zone": {"zh-CN": "时间须带时区。", "en": "Timestamps must carry a time zone."},
        "device_time_out_of_range": {
            "zh-CN": "设备时间与服务器时间相差过大。",
            "en": "The device time is too far from the server time.",
        },
        "idempotency_key_reused": {
            "zh-CN": "幂等键已用于另一个不同的请求。",
            "en": "This Idempotency-Key was already used for a different request.",
        },
        "idempotency_in_progress": {
            "zh-CN": "相同幂等键的请求正在处理中，请稍后重试。",
            "en": "A request with this Idempotency-Key is still being processed; retry shortly.",
        },
        "day_not_finished": {"zh-CN": "{day} 尚未结束，不能锚定。", "en": "{day} is not over yet; it cannot be anchored."},
        "already_anchored": {"zh-CN": "{day} 已锚定。", "en": "{day} is already anchored."},
        "invalid_idempotency_key": {
            "zh-CN": "幂等键无效（最长 {max_length} 个可打印字符）。",
            "en": "Invalid Idempotency-Key (at most {max_length} printable characters).",
        },
    }
)
