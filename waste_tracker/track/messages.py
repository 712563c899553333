"""User-facing messages (zh-CN, en) of the tracks' error codes."""

from waste_tracker.i18n import register

register(
    {
        "not_your_load": {
            "zh-CN": "这张联单不是贵单位承运的，不能上传它的行驶轨迹。",
            "en": "Your organisation does not carry this manifest: you cannot send its track.",
        },
        "manifest_not_in_transit": {
            "zh-CN": "联单当前状态为“{status}”，尚未起运，不能上传轨迹。",
            "en": "The manifest is {status}: it has not been picked up, so it has no track yet.",
        },
        "track_closed": {
            "zh-CN": "联单已于 {delivered_at} 卸货，超过 {max_days} 天后不再接收轨迹补传。",
            "en": "The manifest was dropped off at {delivered_at}; late track uploads close after {max_days} days.",
        },
        "point_in_future": {
            "zh-CN": "第 {index} 个定位点的时间 {recorded_at} 晚于服务器时间，请检查手机或终端时钟。",
            "en": "Point {index} is dated {recorded_at}, later than the server's time: check the phone's or terminal's clock.",
        },
        "point_too_old": {
            "zh-CN": "第 {index} 个定位点的时间 {recorded_at} 早于 {max_days} 天前，不再接收。",
            "en": "Point {index} is dated {recorded_at}, more than {max_days} days ago: it is no longer accepted.",
        },
        "invalid_geojson": {"zh-CN": "文件不是有效的 GeoJSON：{reason}。", "en": "Not valid GeoJSON: {reason}."},
        "zone_not_polygon": {
            "zh-CN": "第 {index} 个要素不是面（Polygon / MultiPolygon），保护区必须是面。",
            "en": "Feature {index} is not a polygon (Polygon / MultiPolygon): a zone must be an area.",
        },
        "invalid_polygon": {"zh-CN": "第 {index} 个面不合法：{reason}。", "en": "Polygon {index} is invalid: {reason}."},
        "zone_out_of_range": {
            "zh-CN": "第 {index} 个面的坐标不在中国范围内（{bounds}）：请使用 WGS-84 经纬度（经度在前）。",
            "en": "Polygon {index} lies outside China ({bounds}): use WGS-84 longitude/latitude (longitude first).",
        },
        "route_not_linestring": {
            "zh-CN": "路线必须是一条线（GeoJSON LineString），至少两个不同的点。",
            "en": "A route must be one line (a GeoJSON LineString) of at least two distinct positions.",
        },
        "route_out_of_range": {
            "zh-CN": "路线坐标不在中国范围内（{bounds}）：请使用 WGS-84 经纬度（经度在前）。",
            "en": "The route lies outside China ({bounds}): use WGS-84 longitude/latitude (longitude first).",
        },
        "route_far_from_site": {
            "zh-CN": "路线的{end}离对应厂区 {distance_km} 公里（最多 {max_km} 公里）：这条路线可能是别的起讫点的。",
            "en": "The route's {end} is {distance_km} km from its site (at most {max_km} km): it may belong to another pair.",
        },
        "invalid_site": {"zh-CN": "找不到所选厂区（{field}）。", "en": "The site chosen ({field}) does not exist."},
        "invalid_ticket_photo": {
            "zh-CN": "第 {row} 张磅单的照片无效：{reason}（JPEG、PNG 或 WebP，最大 512 KB）。",
            "en": "The photo of ticket {row} is not accepted: {reason} (JPEG, PNG or WebP, at most 512 KB).",
        },
        "net_not_gross_minus_tare": {
            "zh-CN": "净重 {net_kg} 千克不等于毛重 {gross_kg} 减皮重 {tare_kg}。",
            "en": "The net weight {net_kg} kg is not the gross {gross_kg} minus the tare {tare_kg}.",
        },
        "weighed_at_out_of_range": {
            "zh-CN": "过磅时间 {weighed_at} 不合理（不能晚于现在，也不能早于 {max_days} 天前）。",
            "en": "The weighing time {weighed_at} is implausible (not after now, not more than {max_days} days ago).",
        },
        "invalid_csv": {
            "zh-CN": "CSV 文件有误（第 {row} 行）：{reason}。应有列：{expected}。",
            "en": "The CSV file is wrong (row {row}): {reason}. Columns expected: {expected}.",
        },
        "zone_name_required": {"zh-CN": "第 {index} 个保护区缺少名称。", "en": "Zone {index} has no name."},
    }
)
