"""Helpers for the browser tests: contexts that record anything loaded from outside the app and
every console error (a CSP violation is one), screenshots, and checks run on each main page:
labels on inputs, WCAG AA text contrast, no horizontal overflow, keyboard reachability."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.web.conftest import ARTIFACTS, CAMERA_FILE, CAMERA_SIZE

PASSWORD = "jiaxing2026"
# Failed requests the tests provoke on purpose: a refused scan (4xx), offline, a lost response.
EXPECTED_CONSOLE = ("the server responded with a status of 4", "net::ERR_INTERNET_DISCONNECTED", "net::ERR_CONNECTION_RESET")

# Runs in the page: inputs without a label, buttons/links without a name, text below WCAG AA
# contrast (4.5:1, or 3:1 for large text) against its effective (alpha-blended) background.
AUDIT_JS = """
() => {
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const problems = {unlabelled: [], contrast: []};
  document.querySelectorAll('input, select, textarea').forEach(el => {
    if (el.type === 'hidden' || !visible(el)) return;
    const named = (el.id && document.querySelector('label[for="' + CSS.escape(el.id) + '"]')) || el.closest('label')
      || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!named) problems.unlabelled.push(el.outerHTML.slice(0, 160));
  });
  document.querySelectorAll('button, a[href], [role=button]').forEach(el => {
    if (visible(el) && !(el.textContent.trim() || el.getAttribute('aria-label') || el.getAttribute('title')))
      problems.unlabelled.push(el.outerHTML.slice(0, 160));
  });
  const parse = c => {
    const m = /rgba?\\(([^)]+)\\)/.exec(c);
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const blend = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = el => {
    const layers = [];
    for (let n = el; n; n = n.parentElement) {
      const c = parse(getComputedStyle(n).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let color = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) color = blend(layers[i], color);
    return color;
  };
  const lum = c => {
    const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const seen = new Set();
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const text = walk.currentNode.textContent.trim();
    const el = walk.currentNode.parentElement;
    if (!text || !el || seen.has(el)) continue;
    seen.add(el);
    if (!visible(el) || el.closest('[disabled], option, .leaflet-container, svg')) continue;
    const s = getComputedStyle(el);
    const fg = parse(s.color);
    if (!fg) continue;
    const bg = background(el);
    const r = ratio(blend(fg, bg), bg);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (r < need) problems.contrast.push(r.toFixed(2) + ' ' + el.tagName + '.' + el.className + ': ' + text.slice(0, 40));
  }
  return problems;
}
"""


@dataclass
class Watch:
    """What a context did that it must not: requests outside the app, console errors."""

    base: str
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, ctx: BrowserContext) -> None:
        def on_request(req: Any) -> None:
            if not req.url.startswith((self.base, "data:", "blob:")):
                self.outside.append(req.url)

        ctx.on("request", on_request)
        ctx.on("page", self._page)

    def _page(self, page: Page) -> None:
        def on_error(e: Any) -> None:
            self.errors.append(f"{page.url}: {e}")
            print("page error:", page.url, e)  # shown with a failing test's output

        page.on("pageerror", on_error)

        def on_console(msg: Any) -> None:
            if msg.type == "error" and not any(x in msg.text for x in EXPECTED_CONSOLE):
                self.errors.append(f"{page.url}: {msg.text}")
                print("console error:", page.url, msg.text)

        page.on("console", on_console)


async def new_context(
    browser: Browser, watch: Watch, *, narrow: bool = False, at: tuple[float, float] | None = None
) -> BrowserContext:
    ctx = await browser.new_context(
        base_url=watch.base,
        viewport={"width": 360, "height": 740} if narrow else {"width": 1440, "height": 900},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        geolocation={"longitude": at[0], "latitude": at[1], "accuracy": 12} if at else None,
        permissions=["geolocation"] if at else [],
    )
    ctx.set_default_timeout(15_000)
    watch.attach(ctx)
    return ctx


async def login(page: Page, username: str) -> None:
    """Log in with the keyboard: type the username, Tab, the password, Enter."""
    await page.goto("/login")
    await page.locator("#username").focus()
    await page.keyboard.type(username)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: "/login" not in url)


async def start_a_load(page: Page, kg: str, code: str = "SW17") -> None:
    """The new-manifest form with one line: the code picked from the list with the keyboard, its
    quantity in kg; returns once the nearest allowed receiver is chosen."""
    await page.goto("/manifests/new")
    box = page.locator("#l1-code")
    await box.fill(code)
    await expect(page.locator("#l1-codes [role=option]").first).to_contain_text(code)
    await box.press("ArrowDown")
    await box.press("Enter")
    await page.locator("#l1-qty").fill(kg)
    await expect(page.locator(".cand-row").first.locator("input")).to_be_checked()


async def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def audit(page: Page, name: str) -> None:
    """Labels, contrast and layout (no horizontal scrolling at the context's width)."""
    problems = await page.evaluate(AUDIT_JS)
    assert not problems["unlabelled"], (name, problems["unlabelled"])
    assert not problems["contrast"], (name, problems["contrast"])
    width = page.viewport_size["width"] if page.viewport_size else 0
    scroll = await page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width + 1, f"{name}: the page is {scroll} px wide in a {width} px viewport"


async def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab from the top of the page until ``selector`` has focus: it is keyboard reachable."""
    await page.evaluate("document.activeElement && document.activeElement.blur()")
    target = page.locator(selector)
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{selector} was not reached with {limit} Tab presses on {page.url}")


def write_camera_video(label_png: Path | None, out: Path = CAMERA_FILE, frames: int = 5) -> None:
    """A Y4M clip (what Chromium's fake camera plays) showing the label on a grey desk, or only the
    desk. Same size every time: Chromium reads the header once, the frames at each capture."""
    w, h = CAMERA_SIZE
    img = Image.new("RGB", (w, h), (180, 180, 180))
    if label_png is not None:
        label = Image.open(label_png).convert("RGB")
        label.thumbnail((h - 40, h - 40))
        img.paste(label, ((w - label.width) // 2, (h - label.height) // 2))
    y, cb, cr = img.convert("YCbCr").split()
    half = (w // 2, h // 2)
    frame = b"FRAME\n" + y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    out.write_bytes(f"YUV4MPEG2 W{w} H{h} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * frames)
