"""The catalogue of rules: ids, triggers, default severities and thresholds, and plain-language
titles and explanations (zh-CN and en).

Defaults live here; the live values are rows of ``rule_setting`` (seeded from these, editable by
a city regulator, every change audited). docs/rules.md explains each default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

SEVERITY_RANK = {"critical": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Rule:
    id: str
    trigger: Literal["event", "sweep"]  # in the event's transaction, or time-based (the sweep)
    severity: str
    defaults: dict[str, Any] = field(default_factory=dict)
    title: dict[str, str] = field(default_factory=dict)
    explanation: dict[str, str] = field(default_factory=dict)


RULES: dict[str, Rule] = {
    r.id: r
    for r in [
        Rule(
            "solid_waste_left_county",
            "event",
            "critical",
            {},
            {"zh-CN": "一般工业固废出县", "en": "General solid waste left its county"},
            {
                "zh-CN": "一般工业固体废物实际卸货地点（以扫码定位为准）不在移出人所在县，且没有覆盖该去向的豁免。",
                "en": "General industrial solid waste was actually dropped off (by the scan's location) outside the "
                "generator's county, and no exemption covers that destination.",
            },
        ),
        Rule(
            "hazardous_left_city",
            "event",
            "critical",
            {},
            {"zh-CN": "危险废物出市", "en": "Hazardous waste left the city"},
            {
                "zh-CN": "危险废物实际卸货地点（以扫码定位为准）不在移出人所在市，且没有覆盖该去向的豁免。",
                "en": "Hazardous waste was actually dropped off (by the scan's location) outside the generator's city, "
                "and no exemption covers that destination.",
            },
        ),
        Rule(
            "long_distance",
            "event",
            "warning",
            {"hazardous_km": 60, "general_km": 30},
            {"zh-CN": "长距离转移", "en": "Long-distance transfer"},
            {
                "zh-CN": "移出人到接受人的直线距离超过阈值（危险废物 {hazardous_km} 公里，一般固废 {general_km} 公里），应严格控制。",
                "en": "The straight-line distance from generator to receiver exceeds the threshold (hazardous "
                "{hazardous_km} km, general {general_km} km): long-distance transport is strictly controlled.",
            },
        ),
        Rule(
            "nearer_capacity_ignored",
            "event",
            "warning",
            {"ratio": 2.0, "extra_km": 20},
            {"zh-CN": "舍近求远", "en": "Nearer capacity ignored"},
            {
                "zh-CN": "有持有同类废物和处置方式许可证、且年度余量充足的接受人明显更近（所选距离超过最近者的 {ratio} 倍且多出 {extra_km} 公里以上），违反就近原则。",
                "en": "A licensed receiver for the same wastes and method, with annual capacity left, is much nearer "
                "(the chosen one is more than {ratio}x as far and over {extra_km} km further): the nearest-first "
                "principle is not followed.",
            },
        ),
        Rule(
            "not_picked_up",
            "sweep",
            "warning",
            {"days": 30},
            {"zh-CN": "提交后长期未起运", "en": "Submitted but not picked up"},
            {"zh-CN": "联单提交后超过 {days} 天仍未起运。", "en": "Submitted more than {days} days ago and not picked up."},
        ),
        Rule(
            "in_transit_too_long",
            "sweep",
            "critical",
            {"hours": 24},
            {"zh-CN": "在途时间过长", "en": "In transit too long"},
            {
                "zh-CN": "起运后超过 {hours} 小时仍未卸货，可能存在非法转移或倾倒。",
                "en": "Picked up more than {hours} hours ago and not dropped off: possible illegal transfer or dumping.",
            },
        ),
        Rule(
            "delivered_not_received",
            "sweep",
            "warning",
            {"working_days": 5},
            {"zh-CN": "到货未确认接收", "en": "Delivered but not received"},
            {
                "zh-CN": "卸货后超过 {working_days} 个工作日接受人仍未确认接收（《危险废物转移管理办法》第十八条）。",
                "en": "Dropped off more than {working_days} working days ago and not confirmed by the receiver "
                "(Transfer Measures Art. 18).",
            },
        ),
        Rule(
            "received_not_disposed",
            "sweep",
            "warning",
            {"days": 90},
            {"zh-CN": "接收后未利用处置", "en": "Received but not disposed"},
            {
                "zh-CN": "接收后超过 {days} 天未登记利用/处置。",
                "en": "Received more than {days} days ago with no utilisation/disposal recorded.",
            },
        ),
        Rule(
            "quantity_discrepancy",
            "event",
            "warning",
            {"percent": 5, "kg": 50},
            {"zh-CN": "重量差异", "en": "Quantity discrepancy"},
            {
                "zh-CN": "申报、起运称重与接收称重之间的差异同时超过 {percent}% 和 {kg} 千克。",
                "en": "Declared, picked-up and received quantities differ by more than both {percent} % and {kg} kg.",
            },
        ),
        Rule(
            "handover_quantity_gap",
            "event",
            "warning",
            {"percent": 3, "kg": 50},
            {"zh-CN": "交接数量不符", "en": "Quantity changed at a handover"},
            {
                "zh-CN": "承运人交接时清点的数量与上一段（起运称重或上一次交接）相差同时超过 {percent}% 和 {kg} 千克："
                "货物可能在途中被卸下或掺入。",
                "en": "The quantity the next carrier checked at a handover differs from the previous leg's (the pickup "
                "weighing or the last handover) by more than both {percent} % and {kg} kg: waste may have been unloaded "
                "or added on the way.",
            },
        ),
        Rule(
            "receipt_exception",
            "event",
            "warning",
            {},
            {"zh-CN": "接收时发现异常", "en": "Problem found at receipt"},
            {
                "zh-CN": "接受人拒收、部分接收，或接收称重与申报、起运数量不符（超出重量差异的容差）。"
                "依《危险废物转移管理办法》第十八条，接受人应立即告知移出人，并同时报告接收地生态环境主管部门：本预警即为该报告。",
                "en": "The receiver rejected or partly accepted the load, or its weighing differs from the declared or picked-up "
                "quantity beyond the quantity tolerance. Under Art. 18 of the Measures for the Transfer of Hazardous Waste the "
                "receiver tells the generator at once and reports to the bureau where it sits at the same time: this alert is "
                "that report.",
            },
        ),
        Rule(
            "scan_outside_geofence",
            "event",
            "warning",
            {},
            {"zh-CN": "扫码位置不在厂区", "en": "Scan outside the site"},
            {
                "zh-CN": "起运或卸货扫码的定位离应在的厂区超过地理围栏半径。",
                "en": "A pickup or drop-off scan was located beyond the geofence radius of the site where it should happen.",
            },
        ),
        Rule(
            "scan_without_location",
            "event",
            "warning",
            {},
            {"zh-CN": "扫码无定位", "en": "Scan without location"},
            {
                "zh-CN": "起运或卸货扫码没有定位信息，无法核实交接地点。",
                "en": "A pickup or drop-off scan carried no location, so where the handover happened cannot be checked.",
            },
        ),
        Rule(
            "dropoff_not_at_receiver",
            "event",
            "critical",
            {"far_m": 2000},
            {"zh-CN": "卸货地点不是接受人", "en": "Drop-off not at the receiver"},
            {
                "zh-CN": "卸货扫码离联单上的接受人超过 {far_m} 米，或离另一家登记单位更近。",
                "en": "The drop-off scan is more than {far_m} m from the named receiver, or nearer to another registered site.",
            },
        ),
        Rule(
            "receiver_over_capacity",
            "event",
            "critical",
            {},
            {"zh-CN": "超许可能力接收", "en": "Receiver over licensed capacity"},
            {
                "zh-CN": "许可证本年度累计接收量超过核准的年经营规模。",
                "en": "A licence's tonnage received this calendar year exceeds its annual capacity.",
            },
        ),
        Rule(
            "licence_expired_in_use",
            "event",
            "critical",
            {},
            {"zh-CN": "许可证过期仍在使用", "en": "Expired licence or permit in use"},
            {
                "zh-CN": "联单事件发生时，接受人许可证或承运人运输许可已过期。",
                "en": "An event happened while the receiver's licence or the carrier's permit had expired.",
            },
        ),
        Rule(
            "rejected_not_resolved",
            "sweep",
            "critical",
            {"days": 7},
            {"zh-CN": "拒收后未处理", "en": "Rejection not resolved"},
            {
                "zh-CN": "拒收（或部分拒收）后超过 {days} 天仍未退回或改送。",
                "en": "Rejected (or partly rejected) more than {days} days ago with no return or redirect.",
            },
        ),
        # --- the road: what the track says (docs/road.md) ---
        Rule(
            "track_gap",
            "event",
            "warning",
            {"minutes": 15},
            {"zh-CN": "轨迹中断", "en": "Track gap"},
            {
                "zh-CN": "运输途中超过 {minutes} 分钟没有定位点（含起运后、卸货前），这段时间车辆去向不明。",
                "en": "More than {minutes} minutes without a position while in transit (after the pickup or before the "
                "drop-off included): where the truck was is unknown.",
            },
        ),
        Rule(
            "stop_away_from_site",
            "event",
            "warning",
            {"minutes": 20, "radius_m": 150},
            {"zh-CN": "途中在非登记地点停留", "en": "Stop away from any registered site"},
            {
                "zh-CN": "车辆在 {radius_m} 米范围内停留超过 {minutes} 分钟，而附近没有移出人、接受人或登记的停车场/中转场所：可能在此倾倒或转移。",
                "en": "The truck stood within {radius_m} m for more than {minutes} minutes where there is no generator, "
                "receiver or registered parking or transit site: waste may have been dumped or moved there.",
            },
        ),
        Rule(
            "off_corridor",
            "event",
            "warning",
            {"km": 10, "factor": 2.0},
            {"zh-CN": "偏离运输路线", "en": "Off the corridor"},
            {
                "zh-CN": "轨迹偏离经批准的运输路线（未登记路线时为起运地到卸货地的直线，多家承运时经各交接地点）超过 {km} 公里，"
                "或行驶里程超过该路线长度的 {factor} 倍。",
                "en": "The track went more than {km} km from the approved route (without one: the straight line from "
                "pickup to drop-off, through the handover sites when several carriers take part), or the distance "
                "driven was more than {factor} times that route's length.",
            },
        ),
        Rule(
            "impossible_movement",
            "event",
            "critical",
            {"kmh": 150},
            {"zh-CN": "不可能的移动速度", "en": "Impossible movement"},
            {
                "zh-CN": "相邻两个定位点或扫码之间的距离和时间推算出的速度超过 {kmh} 公里/小时，货车不可能做到：扫码或定位可能是伪造的。",
                "en": "Two consecutive positions or scans imply a speed above {kmh} km/h, which no truck makes: a scan or "
                "a position may be forged.",
            },
        ),
        Rule(
            "protected_zone_entered",
            "event",
            "critical",
            {"near_m": 200, "stop_minutes": 10},
            {"zh-CN": "进入或停靠生态保护区域", "en": "Protected zone entered"},
            {
                "zh-CN": "运输轨迹进入饮用水水源保护区、生态保护红线等保护区域，或在其 {near_m} 米范围内停留超过 {stop_minutes} 分钟（《危险废物转移管理办法》第八条）。",
                "en": "The track entered a protected zone (drinking-water source protection area, ecological red line, ...) "
                "or stopped within {near_m} m of one for more than {stop_minutes} minutes (Transfer Measures Art. 8).",
            },
        ),
        Rule(
            "weight_mismatch",
            "sweep",
            "warning",
            {"percent": 3, "kg": 100},
            {"zh-CN": "两端过磅重量不符", "en": "Weighbridge weights do not match"},
            {
                "zh-CN": "移出人出厂过磅、接受人进厂过磅与联单申报量之间相差超过 {percent}% 且超过 {kg} 千克。",
                "en": "The generator's ticket (out), the receiver's ticket (in) and the manifest's declared quantity "
                "differ by more than {percent} % and {kg} kg.",
            },
        ),
        Rule(
            "unmatched_ticket",
            "sweep",
            "critical",
            {"hours": 6},
            {"zh-CN": "进厂过磅无对应联单", "en": "Weighbridge ticket without a manifest"},
            {
                "zh-CN": "接受人过磅的车辆在前后 6 小时内没有任何在该单位卸货的联单（超过 {hours} 小时仍未匹配）：废物可能无单进厂。",
                "en": "A truck weighed in at a receiver matches no manifest dropped off there within six hours (still "
                "unmatched after {hours} hours): waste may have arrived without papers.",
            },
        ),
        Rule(
            "track_silent",
            "sweep",
            "warning",
            {"minutes": 30},
            {"zh-CN": "在途轨迹长时间无更新", "en": "Track silent in transit"},
            {
                "zh-CN": "联单在途，轨迹此前有定位点，但已超过 {minutes} 分钟没有新的定位。",
                "en": "The load is in transit and its track had positions, but none for more than {minutes} minutes.",
            },
        ),
        # --- the cradle: plans, the container ledger, declarations, the mass balance (docs/ledger.md) ---
        Rule(
            "stored_too_long",
            "sweep",
            "critical",
            {"days": 365, "general_days": 365},
            {"zh-CN": "贮存超期（产生后未转移）", "en": "Stored too long (generated, never shipped)"},
            {
                "zh-CN": "容器自产生之日起在厂内贮存超过 {days} 天（危险废物，《固体废物污染环境防治法》第八十一条）"
                "或 {general_days} 天（一般工业固废，市级设置），仍未转移或自行利用处置。",
                "en": "Containers have been in storage at the site for more than {days} days since generation (hazardous "
                "waste, Solid Waste Law Art. 81) or {general_days} days (general waste, a city setting), neither shipped "
                "nor handled on site.",
            },
        ),
        Rule(
            "stored_beyond_plan",
            "sweep",
            "warning",
            {"plan_months": 3},
            {"zh-CN": "库存超出计划转移节奏", "en": "Storage beyond the plan's pace"},
            {
                "zh-CN": "某废物的在库量超过管理计划中 {plan_months} 个月的预计产生量：废物没有按计划及时转移或利用处置。",
                "en": "A waste's quantity in storage exceeds {plan_months} months of the plan's expected generation: it is "
                "not being shipped or handled at the pace the plan sets.",
            },
        ),
        Rule(
            "shipped_more_than_stored",
            "event",
            "critical",
            {"percent": 5, "kg": 50},
            {"zh-CN": "转移量超过台账库存", "en": "Shipped more than the ledger holds"},
            {
                "zh-CN": "联单某一废物代码的申报量超过该单位台账中该代码的在库量（超出 {percent}% 且超过 {kg} 千克）："
                "废物可能来自别处，或只有单据没有废物。仅对已使用台账的单位判断。",
                "en": "A manifest declares more of a waste code than the site's ledger holds in storage for that code "
                "(by more than {percent} % and {kg} kg): the waste may come from elsewhere, or there is paper without "
                "waste. Judged for sites that keep the ledger.",
            },
        ),
        Rule(
            "generation_below_plan",
            "sweep",
            "warning",
            {"plan_share_percent": 30, "trailing_percent": 30, "trailing_months": 6},
            {"zh-CN": "产生量远低于计划或历史", "en": "Generation far below plan or history"},
            {
                "zh-CN": "重点管理单位上月某废物的产生量低于管理计划月均量的 {plan_share_percent}%，"
                "或低于其前 {trailing_months} 个月月均量的 {trailing_percent}%，而该单位当月仍有其他产废记录（仍在生产）：废物可能去向不明。",
                "en": "Last month a key unit generated less of a waste than {plan_share_percent} % of its plan's monthly "
                "share, or than {trailing_percent} % of its own average over the previous {trailing_months} months, while "
                "it still recorded other waste that month (it is producing): the waste may be going somewhere unrecorded.",
            },
        ),
        Rule(
            "ledger_silent",
            "sweep",
            "warning",
            {"days": 30},
            {"zh-CN": "台账长期无产生记录", "en": "Ledger silent"},
            {
                "zh-CN": "重点管理单位已超过 {days} 天没有任何危险废物产生记录。",
                "en": "A key unit has recorded no hazardous waste generation for more than {days} days.",
            },
        ),
        Rule(
            "manifest_outside_plan",
            "event",
            "warning",
            {"block": 0},
            {"zh-CN": "联单不在管理计划内", "en": "Manifest outside the management plan"},
            {
                "zh-CN": "联单的废物代码、接受人或利用处置方式不在本年度已备案的管理计划中（《危险废物转移管理办法》第十四条）。"
                "阈值 block=1 时直接拒绝提交，block=0 时允许提交并预警。",
                "en": "The manifest's waste code, receiver or method is not in the year's filed management plan (Transfer "
                "Measures Art. 14). With block=1 the submission is refused; with block=0 it goes through with this alert.",
            },
        ),
        Rule(
            "plan_quantity_exceeded",
            "sweep",
            "warning",
            {"percent": 100},
            {"zh-CN": "转移量超过管理计划", "en": "Shipments beyond the plan"},
            {
                "zh-CN": "本年度某废物已转移量超过管理计划预计量的 {percent}%（计划页自 80% 起提示）。",
                "en": "This year's shipments of a waste exceed {percent} % of the plan's expected quantity (the plan page "
                "warns from 80 %).",
            },
        ),
        Rule(
            "plan_not_filed",
            "sweep",
            "warning",
            {"remind_days": 30},
            {"zh-CN": "管理计划未备案", "en": "Management plan not filed"},
            {
                "zh-CN": "产生危险废物的单位本年度管理计划尚未提交备案（应于 3 月 31 日前完成，截止前 {remind_days} 天起提醒）。",
                "en": "A unit generating hazardous waste has not submitted this year's management plan (due by 31 March; "
                "reminders from {remind_days} days before).",
            },
        ),
        Rule(
            "declaration_overdue",
            "sweep",
            "warning",
            {},
            {"zh-CN": "申报逾期", "en": "Declaration overdue"},
            {
                "zh-CN": "应申报期间已过截止日仍未申报：重点管理单位按月（次月 15 日前）、简化管理单位按季（下季首月 15 日前）、"
                "所有单位按年（次年 3 月 31 日前）。",
                "en": "A declaration is past its due date: key units monthly (by the 15th of the next month), simplified "
                "units quarterly (by the 15th of the next quarter's first month), every unit yearly (by 31 March).",
            },
        ),
        Rule(
            "receiver_intake_unbalanced",
            "sweep",
            "warning",
            {"percent": 5, "kg": 1000},
            {"zh-CN": "接收量与利用处置量不平衡", "en": "Receiver intake does not balance"},
            {
                "zh-CN": "接受人某月联单接收量，与其自报的利用量、处置量及库存变化之和相差超过 {percent}% 且超过 {kg} 千克。",
                "en": "A receiver's tonnage received on manifests in a month differs from what it reports as utilised, "
                "disposed of and added to storage by more than {percent} % and {kg} kg.",
            },
        ),
        # The money (issue #15): rules.money.
        Rule(
            "fee_to_carrier_or_person",
            "event",
            "critical",
            {},
            {"zh-CN": "处置费付给承运人或个人", "en": "Disposal fee paid to a carrier or a person"},
            {
                "zh-CN": "一笔处置费的收款方不是持证接受人：是承运人、其他无经营许可证的单位或个人。"
                "把处置费交给承运人或个人“包办”，是非法倾倒的典型信号，应定向检查。",
                "en": "A disposal fee was paid to someone who is not a licensed receiver: the carrier, another "
                "organisation without a waste licence, or a natural person. Paying a transport firm or an individual "
                'to "take care of everything" is the classic sign of dumping and calls for a targeted inspection.',
            },
        ),
        Rule(
            "no_contract",
            "event",
            "warning",
            {"block": 0},
            {"zh-CN": "无书面合同", "en": "No written contract"},
            {
                "zh-CN": "联单提交时，移出人与接受人之间没有当日有效、覆盖所有废物代码的书面合同；或一笔付款的双方之间没有有效合同"
                "（《固体废物污染环境防治法》第三十七条）。阈值 block=1 时直接拒绝提交联单，block=0 时允许提交并预警。",
                "en": "At submission there was no written contract between the generator and the receiver in force that "
                "day and covering every waste code; or a payment was made with no contract in force between payer and "
                "payee (Solid Waste Law Art. 37). With block=1 the manifest is refused; with block=0 it goes through "
                "with this alert.",
            },
        ),
        Rule(
            "price_far_below_market",
            "sweep",
            "warning",
            {"percent": 50, "trailing_months": 12, "min_count": 3},
            {"zh-CN": "价格远低于市场", "en": "Price far below the market"},
            {
                "zh-CN": "某废物代码的合同单价或实付单价低于全市近 {trailing_months} 个月同代码中位价的 {percent}%"
                "（样本不少于 {min_count} 个）。处置价格异常低廉是非法倾倒的典型信号。",
                "en": "The price per tonne contracted or paid for a waste code is below {percent} % of the city's median "
                "for that code over the last {trailing_months} months (at least {min_count} prices). Cheap disposal is "
                "the classic sign of dumping.",
            },
        ),
        Rule(
            "money_without_waste",
            "sweep",
            "warning",
            {"ratio": 1.5, "trailing_months": 12, "days": 60},
            {"zh-CN": "有钱无货或有货无钱", "en": "Money without waste, or waste without money"},
            {
                "zh-CN": "近 {trailing_months} 个月移出人付给接受人的款项所对应的吨数，超过联单实际接收量的 {ratio} 倍；"
                "或接受人已接收的联单超过 {days} 天仍没有关联任何付款或发票。",
                "en": "Over the last {trailing_months} months a generator's payments to a receiver cover more than "
                "{ratio}x the tonnage the receiver accepted on manifests; or manifests received more than {days} days ago "
                "have no payment or invoice linked to them.",
            },
        ),
        # Third-party audit sampling (issue #15): waste_tracker/audit/service.py raises one per finding.
        Rule(
            "audit_finding",
            "event",
            "warning",
            {},
            {"zh-CN": "第三方审核发现", "en": "Third-party audit finding"},
            {
                "zh-CN": "受委托的第三方审核人员在抽查中对一家重点管理单位记录了审核发现（严重程度由审核人员确定），"
                "交由该单位所在县的监管部门处理。",
                "en": "A commissioned third-party auditor recorded a finding on a sampled key unit (the auditor sets its "
                "severity); it goes to the regulator of the unit's county.",
            },
        ),
    ]
}


def title(rule_id: str, lang: str) -> str:
    """The rule's title in ``lang``; an alert of a rule no longer in the catalogue shows its id."""
    return RULES[rule_id].title.get(lang, rule_id) if rule_id in RULES else rule_id


def explain(rule_id: str, lang: str, thresholds: dict[str, Any] | None = None) -> str:
    from waste_tracker.i18n import _Safe

    rule = RULES[rule_id]
    text = rule.explanation.get(lang) or rule.explanation["zh-CN"]
    return text.format_map(_Safe({**rule.defaults, **(thresholds or {})}))
