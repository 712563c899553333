"""Labels: the QR code (PNG/SVG) that carries the scan URL with the signed token, and the label's
printed texts in both languages (the API's label page and the web app's print the same card).

Rendering is deterministic for a manifest number and URL, so results are cached in memory.
"""

from __future__ import annotations

import io
import uuid
from functools import lru_cache
from typing import Any

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M
from sqlalchemy.ext.asyncio import AsyncSession

from waste_tracker.auth.principal import Principal
from waste_tracker.config import Settings
from waste_tracker.errors import Conflict
from waste_tracker.i18n import DEFAULT_LANG
from waste_tracker.manifest.queries import describe, get_manifest
from waste_tracker.models import Manifest
from waste_tracker.scan.tokens import check_code, make_token, scan_url

TEXT: dict[str, dict[str, str]] = {
    "zh-CN": {
        "title": "危险废物转移联单标签",
        "title_general": "一般工业固体废物转移联单标签",
        "kind_hazardous": "危险废物",
        "kind_general": "一般工业固体废物",
        "qr": "扫码交接",
        "number": "联单编号",
        "check_code": "核验码（无法扫码时与编号一起输入）",
        "generator": "移出人",
        "receiver": "接受人",
        "carrier": "承运人",
        "pickup_date": "计划转移日期",
        "emergency": "应急措施",
        "code": "废物代码",
        "description": "废物名称",
        "hazards": "危险特性",
        "quantity": "数量",
        "containers": "包装",
    },
    "en": {
        "title": "Hazardous waste transfer manifest label",
        "title_general": "General solid waste transfer manifest label",
        "kind_hazardous": "HAZARDOUS WASTE",
        "kind_general": "General industrial solid waste",
        "qr": "Scan to hand over",
        "number": "Manifest no.",
        "check_code": "Check code (type it with the number when the QR cannot be scanned)",
        "generator": "Consignor",
        "receiver": "Receiver",
        "carrier": "Carrier",
        "pickup_date": "Planned pickup",
        "emergency": "Emergency measures",
        "code": "Code",
        "description": "Waste",
        "hazards": "Hazards",
        "quantity": "Quantity",
        "containers": "Packaging",
    },
}


def label_text(lang: str) -> dict[str, str]:
    return TEXT.get(lang, TEXT[DEFAULT_LANG])


async def labelled(session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, settings: Settings) -> tuple[Manifest, str]:
    """A manifest the actor may read, with the scan URL its label's QR carries; only a submitted
    manifest (one with a number) has a label."""
    m = await get_manifest(session, actor, manifest_id)
    if not m.number:
        raise Conflict("manifest_not_submitted", {"status": m.status})
    return m, scan_url(settings.public_base_url, m.number, make_token(settings.secret_key, m.id, m.number))


async def label_card(
    session: AsyncSession, actor: Principal, manifest_id: uuid.UUID, settings: Settings, lang: str
) -> dict[str, Any]:
    """What the printed label shows, in ``lang``: the context of the ``_label_card.html`` template
    (the API's label page and the web app's print the same card)."""
    m, url = await labelled(session, actor, manifest_id, settings)
    d = await describe(session, m)
    code = check_code(settings.secret_key, m.id, m.number or "")
    return {
        "m": m,
        "d": d,
        "lines": d["lines"],
        "qr_svg": qr_svg_inline(url),
        "scan_url": url,
        "lt": label_text(lang),
        "check_code": f"{code[:3]}-{code[3:]}",
    }


BOX = 8  # pixels per module
BORDER = 4  # quiet zone, in modules (the standard's minimum)
# A fixed data mask: letting the library choose "the best" of the eight means rendering and scoring
# all eight in pure Python (about 30 ms of a 35 ms render). Any mask decodes; the score only nudges
# away from patterns that look like finder marks, which a 14-digit URL on a printed label does not
# need. Rendering stays deterministic.
MASK = 4


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=BOX, border=BORDER, mask_pattern=MASK)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


def _qr_image(url: str) -> Image.Image:
    """The QR as an 8-bit grey image, built from the module matrix in one go (the library's PIL
    factory draws one rectangle per dark module)."""
    matrix = _qr(url).get_matrix()  # includes the quiet zone
    n = len(matrix)
    modules = Image.frombytes("L", (n, n), bytes(0 if dark else 255 for row in matrix for dark in row))
    return modules.resize((n * BOX, n * BOX), Image.Resampling.NEAREST)


@lru_cache(maxsize=2048)
def label_png(url: str, number: str) -> bytes:
    """The QR code with the manifest number printed underneath (ASCII only: no font needed)."""
    img = _qr_image(url)
    font = _font()
    w, h = img.size
    canvas = Image.new("L", (w, h + 44), 255)
    canvas.paste(img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    text_w = draw.textlength(number, font=font)
    draw.text(((w - text_w) / 2, h - 6), number, fill=0, font=font)
    buf = io.BytesIO()
    canvas.save(buf, format="PNG")  # greyscale, default compression: a few KB, a few ms
    return buf.getvalue()


@lru_cache(maxsize=1)
def _font() -> ImageFont.ImageFont | ImageFont.FreeTypeFont | None:
    return ImageFont.load_default(size=28) if hasattr(ImageFont, "load_default") else None


@lru_cache(maxsize=2048)
def label_svg(url: str) -> bytes:
    img = _qr(url).make_image(image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    img.save(buf)
    return buf.getvalue()


@lru_cache(maxsize=2048)
def qr_svg_inline(url: str) -> str:
    """SVG markup for embedding in the HTML label (no XML declaration)."""
    svg = label_svg(url).decode()
    return svg[svg.index("<svg") :]
