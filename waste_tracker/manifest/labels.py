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
