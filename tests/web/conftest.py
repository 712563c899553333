"""Browser-test fixtures: a real uvicorn server on the test database (demo data committed), and
Debian's headless Chromium driven by Playwright. Chromium is required: `make test` installs it
(scripts/setup-system.sh --web); without it these tests fail with the command to run."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import TEST_SECRET
from waste_tracker.rules.settings import seed_rule_settings
from waste_tracker.seed.demo import seed

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = Path(os.environ.get("WASTE_TRACKER_CHROMIUM", "/usr/bin/chromium"))
# The fake camera: Chromium plays this Y4M file as the video device (tests write the label into it).
CAMERA_FILE = ARTIFACTS / "camera.y4m"
CAMERA_SIZE = (640, 480)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    f"--use-file-for-fake-video-capture={CAMERA_FILE}",
]


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 40.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the web server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the web server did not answer within {timeout:.0f} s:\n{log.read_text(errors='replace')[-4000:]}")


@pytest.fixture
async def live_server(committed: AsyncEngine, db_url: str) -> AsyncIterator[LiveServer]:
    """uvicorn (api.main:app) in a subprocess on the run's test database, with the Jiaxing demo data
    and the rule settings committed; the `committed` fixture truncates everything afterwards."""
    async with AsyncSession(committed, expire_on_commit=False) as s:
        await seed(s)
        await seed_rule_settings(s)
        await s.commit()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "WASTE_TRACKER_ENV": "test",
        "WASTE_TRACKER_SECRET_KEY": TEST_SECRET,
        "WASTE_TRACKER_PUBLIC_BASE_URL": url,
        "WASTE_TRACKER_SWEEP_INTERVAL_SECONDS": "0",
        "WASTE_TRACKER_ANCHOR_INTERVAL_SECONDS": "0",
        "WASTE_TRACKER_LOGIN_MAX_ATTEMPTS": "10000",
        "WASTE_TRACKER_TRACK_RECORD_INTERVAL_SECONDS": "1",  # the phone records its track every second
    }
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        await asyncio.to_thread(_wait_ready, url, proc, log)
        yield LiveServer(url, proc, log)
    finally:
        proc.terminate()
        try:
            await asyncio.to_thread(proc.wait, 10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package. "
            "Run `sudo scripts/setup-system.sh --web` (or `sudo apt-get install -y chromium`); "
            "never `playwright install`.",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture
async def browser(chromium_path: Path):  # type: ignore[no-untyped-def]
    from playwright.async_api import async_playwright

    from tests.web.browser import write_camera_video

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    write_camera_video(None)  # an empty desk until a test puts a label in front of the camera
    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()
