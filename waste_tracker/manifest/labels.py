"""Label rendering: the QR code (PNG/SVG) that carries the scan URL with the signed token.

Rendering is deterministic for a manifest number and URL, so results are cached in memory.
"""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M


def _qr(url: str) -> qrcode.QRCode:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=8, border=4)
    qr.add_data(url)
    qr.make(fit=True)
    return qr


@lru_cache(maxsize=2048)
def label_png(url: str, number: str) -> bytes:
    """The QR code with the manifest number printed underneath (ASCII only: no font needed)."""
    img = _qr(url).make_image(fill_color="black", back_color="white").get_image().convert("RGB")
    font = ImageFont.load_default(size=28) if hasattr(ImageFont, "load_default") else None
    w, h = img.size
    canvas = Image.new("RGB", (w, h + 44), "white")
    canvas.paste(img, (0, 0))
    draw = ImageDraw.Draw(canvas)
    text_w = draw.textlength(number, font=font)
    draw.text(((w - text_w) / 2, h - 6), number, fill="black", font=font)
    buf = io.BytesIO()
    canvas.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


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
