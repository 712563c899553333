"""HJ 1276-2022 labels for containers: the texts, the hazard pictograms, the size by container
volume, and the label as SVG (full label) and PNG (QR code with the identification code).

The QR code carries the 37-character identification code itself (upper-case letters and
digits: the QR alphanumeric mode), which is printed on the label anyway, so the driver's phone
reads the same code a person reads.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from html import escape

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

from waste_tracker.models import Organisation, WasteContainer


@dataclass(frozen=True)
class LabelSize:
    """HJ 1276-2022 Table: minimum label size and text height by the container's volume."""

    width_mm: int
    min_text_mm: int
    both_sides: bool


def size_for(volume_l: Decimal | None) -> LabelSize:
    if volume_l is None or volume_l <= 50:
        return LabelSize(100, 3, False)
    if volume_l <= 450:
        return LabelSize(150, 5, False)
    return LabelSize(200, 6, True)  # over 450 L: a label on two opposite sides


HAZARDS: dict[str, dict[str, str]] = {
    "T": {"zh-CN": "毒性", "en": "Toxic"},
    "C": {"zh-CN": "腐蚀性", "en": "Corrosive"},
    "I": {"zh-CN": "易燃性", "en": "Ignitable"},
    "R": {"zh-CN": "反应性", "en": "Reactive"},
    "In": {"zh-CN": "感染性", "en": "Infectious"},
}

# The pictograms: a red-bordered diamond with a black symbol (HJ 1276 Annex A uses the hazard
# pictograms of GB 30000 / GHS); drawn here as simple vector paths in a 100 x 100 box.
_SYMBOL = {
    "T": '<circle cx="50" cy="42" r="14"/><rect x="42" y="52" width="16" height="10"/>'
    '<path d="M28 66 L72 78 M28 78 L72 66" stroke="#000" stroke-width="5"/>'
    '<circle cx="44" cy="41" r="4" fill="#fff"/><circle cx="56" cy="41" r="4" fill="#fff"/>',
    "C": '<path d="M30 30 h14 l-4 10 h-6z M52 30 h14 l-4 10 h-6z"/><path d="M36 44 q-3 8 0 12 M60 44 q-3 8 0 12" '
    'stroke="#000" stroke-width="3" fill="none"/><rect x="26" y="62" width="22" height="8"/>'
    '<path d="M56 70 h20 v-6 l-8 -4 h-12z"/>',
    "I": '<path d="M50 22 C62 40 70 48 64 64 C60 74 40 74 36 64 C32 52 42 46 44 34 C48 42 52 44 50 22z"/>'
    '<rect x="30" y="72" width="40" height="5"/>',
    "R": '<circle cx="50" cy="56" r="14"/><path d="M50 20 l4 16 l12 -10 l-6 14 l16 0 l-14 8 M50 20 l-4 16 l-12 -10 '
    'l6 14 l-16 0 l14 8" stroke="#000" stroke-width="3" fill="none"/>',
    "In": '<circle cx="50" cy="36" r="11" fill="none" stroke="#000" stroke-width="6"/>'
    '<circle cx="38" cy="58" r="11" fill="none" stroke="#000" stroke-width="6"/>'
    '<circle cx="62" cy="58" r="11" fill="none" stroke="#000" stroke-width="6"/><circle cx="50" cy="50" r="5"/>',
}


def pictogram_svg(code: str, size_px: int = 64) -> str:
    sym = _SYMBOL.get(code, "")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100" width="{size_px}" height="{size_px}" '
        f'role="img" aria-label="{escape(HAZARDS.get(code, {}).get("zh-CN", code))}">'
        '<path d="M50 3 L97 50 L50 97 L3 50 Z" fill="#fff" stroke="#d00" stroke-width="6"/>'
        f'<g fill="#000">{sym}</g></svg>'
    )


TEXT = {
    "zh-CN": {
        "title": "危险废物",
        "title_general": "一般工业固体废物",
        "name": "废物名称",
        "code": "废物代码",
        "category": "废物类别",
        "form": "废物形态",
        "components": "主要成分",
        "hazards": "危险特性",
        "date": "产生日期",
        "generator": "移出人",
        "contact": "联系人及电话",
        "weight": "净重",
        "ident": "数字识别码",
        "note": "注意：按危险废物管理，禁止随意倾倒、丢弃。",
    },
    "en": {
        "title": "HAZARDOUS WASTE",
        "title_general": "GENERAL INDUSTRIAL SOLID WASTE",
        "name": "Waste",
        "code": "Code",
        "category": "Category",
        "form": "Form",
        "components": "Main components",
        "hazards": "Hazards",
        "date": "Generated on",
        "generator": "Generator",
        "contact": "Contact",
        "weight": "Net weight",
        "ident": "Identification code",
        "note": "Managed as hazardous waste: never dump or discard.",
    },
}
FORMS = {
    "zh-CN": {"solid": "固态", "semi_solid": "半固态", "liquid": "液态", "gas": "气态"},
    "en": {"solid": "solid", "semi_solid": "semi-solid", "liquid": "liquid", "gas": "gas"},
}


def _qr(data: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=2)
    qr.add_data(qrcode.util.QRData(data.encode("ascii"), mode=qrcode.util.MODE_ALPHA_NUM))
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=2048)
def qr_path(code: str) -> tuple[int, str]:
    """(modules per side, an SVG path of the dark modules in module units)."""
    matrix = _qr(code).get_matrix()
    d = "".join(f"M{x} {y}h1v1h-1z" for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark)
    return len(matrix), d


def qr_svg(code: str) -> str:
    """The QR code alone as an SVG document."""
    n, d = qr_path(code)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{n * 8}" height="{n * 8}">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{d}" fill="#000"/></svg>'
    )


@lru_cache(maxsize=2048)
def label_png(code: str) -> bytes:
    """The QR code with the identification code printed under it (ASCII: no font needed)."""
    matrix = _qr(code).get_matrix()
    n, box = len(matrix), 8
    img = Image.frombytes("L", (n, n), bytes(0 if dark else 255 for row in matrix for dark in row)).resize(
        (n * box, n * box), Image.Resampling.NEAREST
    )
    font = ImageFont.load_default(size=14)
    w, h = img.size
    width = max(w, 360)
    canvas = Image.new("L", (width, h + 28), 255)
    canvas.paste(img, ((width - w) // 2, 0))
    draw = ImageDraw.Draw(canvas)
    draw.text(((width - draw.textlength(code, font=font)) / 2, h + 4), code, fill=0, font=font)
    buf = io.BytesIO()
    canvas.save(buf, format="PNG")
    return buf.getvalue()


def _wrap(text: str, width: float, size: float, max_lines: int) -> list[str]:
    """``text`` in lines of at most ``width``; the last line ends in an ellipsis if it was cut."""
    lines, cur = [], ""
    for ch in text:
        if _text_width(cur + ch, size) > width:
            lines.append(cur)
            cur = ""
        cur += ch
    lines.append(cur)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines


def _text_width(text: str, size: float) -> float:
    """About how wide ``text`` is at ``size`` (CJK characters a full em, others about half)."""
    return sum(size if ord(ch) > 0x2E80 else size * 0.55 for ch in text)


def label_svg(c: WasteContainer, generator: Organisation, lang: str = "zh-CN") -> str:
    """The whole label, at its HJ 1276 size in millimetres, as one SVG document."""
    t = TEXT.get(lang, TEXT["zh-CN"])
    size = size_for(c.volume_l)
    hazardous = c.kind == "hazardous"
    title = t["title"] if hazardous else t["title_general"]
    colour = "#ffa500" if hazardous else "#2e7d32"
    forms = FORMS.get(lang, FORMS["zh-CN"])
    rows = [
        (t["name"], c.waste_name),
        (t["code"], f"{c.waste_code}（{c.category_code}）" if lang == "zh-CN" else f"{c.waste_code} ({c.category_code})"),
        (t["form"], forms.get(c.physical_form, c.physical_form)),
        (t["components"], c.main_components or "—"),
        (t["hazards"], "、".join(HAZARDS.get(h, {}).get(lang, h) for h in c.hazard_characteristics) or "—"),
        (t["date"], c.generated_on.isoformat()),
        (t["weight"], f"{c.net_kg.normalize():f} kg"),
        (t["generator"], generator.name),
        (t["contact"], f"{generator.contact_name} {generator.contact_phone}".strip() or "—"),
    ]
    body = []
    y = 25.0
    right_bottom = 52 + 14 * ((len(c.hazard_characteristics) + 1) // 2)  # the QR code and pictograms
    for label, value in rows:
        head = _text_width(label + "：", 4.2)
        width = (66.0 if y < right_bottom + 3 else 93.0) - head
        lines = _wrap(str(value), width, 4.2, max_lines=2 if label == t["name"] else 1)
        body.append(
            f'<text x="4" y="{y}" font-size="4.2"><tspan font-weight="bold">{escape(label)}：</tspan>{escape(lines[0])}</text>'
        )
        for extra in lines[1:]:
            y += 5.0
            body.append(f'<text x="{4 + head:.1f}" y="{y}" font-size="4.2">{escape(extra)}</text>')
        y += 6.0
    picts = "".join(
        f'<g transform="translate({70 + (i % 2) * 14} {52 + (i // 2) * 14}) scale(0.13)">{pictogram_svg(h, 100)}</g>'
        for i, h in enumerate(c.hazard_characteristics)
    )
    n, qr_d = qr_path(c.identification_code)
    qr = f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{qr_d}" fill="#000"/>'
    segs = [c.identification_code[:18], c.identification_code[18:26], c.identification_code[26:34], c.identification_code[34:]]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size.width_mm}mm" height="{size.width_mm}mm" viewBox="0 0 100 100" '
        f'font-family="Noto Sans CJK SC, Source Han Sans SC, sans-serif" data-code="{c.identification_code}">'
        f'<rect x="0.5" y="0.5" width="99" height="99" fill="{colour}" stroke="#000" stroke-width="1"/>'
        f'<text x="50" y="13" font-size="9" font-weight="bold" text-anchor="middle">{escape(title)}</text>'
        f'<line x1="2" y1="18" x2="98" y2="18" stroke="#000" stroke-width="0.5"/>'
        + "".join(body)
        + picts
        + f'<g transform="translate(70 20) scale({26 / n:.4f})">{qr}</g>'
        f'<text x="4" y="94" font-size="3"><tspan font-weight="bold">{escape(t["ident"])}：</tspan>{" ".join(segs)}</text>'
        + (f'<text x="4" y="98" font-size="2.8">{escape(t["note"])}</text>' if hazardous else "")
        + "</svg>"
    )
