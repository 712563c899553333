"""Each role's main pages at desktop (1366×900) and phone (390×844) size, on the Jiaxing demo
data (issue #14, "done when"): every page opens, passes the audit (labels, WCAG AA contrast, no
sideways scrolling) and is saved as a screenshot under test-artifacts/web/screens/ (git-ignored),
for review. A page that fails the audit at one size is named with the size in the failure."""

from __future__ import annotations

from dataclasses import dataclass

from PIL import Image
from playwright.async_api import Browser, Page
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.web.browser import Watch, audit, login
from tests.web.conftest import ARTIFACTS, LiveServer
from waste_tracker.rules.sweep import run_sweep
from waste_tracker.seed.cradle import seed_cradle
from waste_tracker.seed.money import seed_money
from waste_tracker.seed.road import seed_road

SCREENS = ARTIFACTS / "screens"
# Words people should not meet (issue #14): say what they mean instead.
JARGON = ("令牌", "接口", "API 密钥", "事件链", "GCJ-02 已转", "token", "payload")  # a file format (GeoJSON) is not jargon
SIZES = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}


@dataclass(frozen=True)
class Role:
    name: str
    username: str
    pages: tuple[str, ...]
    first: str | None = None  # a link on the first page to also open (a manifest, an alert)


ROLES = (
    Role(
        "generator",
        "nanhu-chem",
        ("/manifests", "/manifests/new", "/ledger", "/plans", "/declarations", "/exemptions", "/tickets", "/money")
        + ("/notifications",),
        first="#manifest-list a[href^='/m/'], table.data a[href^='/m/']",
    ),
    Role("receiver", "jiaxing-incinerator", ("/r", "/r/balance", "/manifests", "/tickets", "/money", "/notifications")),
    Role("driver", "driver-lvtong", ("/d", "/scan", "/notifications")),
    Role(
        "city-regulator",
        "jiaxing-regulator",
        ("/reg/alerts", "/reg/flows", "/reg/kpis", "/reg/balance", "/reg/plans", "/reg/declarations", "/reg/zones")
        + ("/reg/routes", "/reg/exemptions", "/reg/money", "/manifests", "/notifications"),
        first="#alert-table a[href^='/reg/alerts/']",
    ),
    Role("county-regulator", "haining-regulator", ("/reg/alerts", "/reg/kpis", "/manifests")),
)


async def _visit(page: Page, path: str, name: str, problems: list[str]) -> None:
    r = await page.goto(path)
    if r is None or r.status >= 400:
        problems.append(f"{name}: HTTP {r.status if r else '—'}")
        return
    await page.wait_for_load_state("networkidle")
    text = await page.locator("body").inner_text()
    said = [w for w in JARGON if w in text]
    if said:
        problems.append(f"{name}: jargon on a people's page: {said}")
    try:
        await audit(page, name)
    except AssertionError as e:
        problems.append(str(e)[:600])
    await page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)


async def test_main_pages_of_every_role_at_two_sizes(live_server: LiveServer, browser: Browser, committed: AsyncEngine) -> None:
    async with AsyncSession(committed, expire_on_commit=False) as s:  # the whole demo, as `make run` loads it
        await seed_cradle(s)
        await s.commit()
        await seed_road(s)
        await s.commit()
        await seed_money(s)
        await s.commit()
        await run_sweep(s)
        await s.commit()
    SCREENS.mkdir(parents=True, exist_ok=True)
    watch = Watch(live_server.url)
    problems: list[str] = []
    written = 0
    for size, viewport in SIZES.items():
        for role in ROLES:
            ctx = await browser.new_context(
                base_url=live_server.url, viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai"
            )
            ctx.set_default_timeout(15_000)
            watch.attach(ctx)
            page = await ctx.new_page()
            await login(page, role.username)
            for path in role.pages:
                slug = path.strip("/").replace("/", "-") or "home"
                await _visit(page, path, f"{role.name}-{slug}-{size}", problems)
                written += 1
                if role.first and path == role.pages[0]:
                    link = page.locator(role.first).first
                    href = await link.get_attribute("href") if await link.count() else None
                    assert href, f"{role.name}: no item to open on {path}"
                    await _visit(page, href, f"{role.name}-{path.strip('/').split('/')[-1]}-item-{size}", problems)
                    written += 1
            await ctx.close()
    assert not problems, "\n".join(problems)
    assert watch.errors == [], watch.errors
    assert watch.outside == [], watch.outside
    shots = sorted(SCREENS.glob("*.png"))
    assert len(shots) >= written
    phone = Image.open(SCREENS / "driver-d-phone.png")
    assert phone.width == 390  # the phone screenshots are phone-sized
