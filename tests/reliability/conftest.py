"""A real server process (uvicorn) on the run's test database, for crash, fuzz and load tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from tests.conftest import TEST_SECRET
from tests.manifest.conftest import World, build_world, flow, world  # noqa: F401
from waste_tracker.config import PROJECT_ROOT
from waste_tracker.rules.settings import seed_rule_settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    port: int
    env: dict[str, str]
    proc: subprocess.Popen | None = None
    log_path: Path | None = None

    def start(self, workers: int = 1) -> None:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "api.main:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        # The server's log goes to a file: an unread pipe would fill up and block the server.
        log_dir = PROJECT_ROOT / "test-artifacts"
        log_dir.mkdir(exist_ok=True)
        self.log_path = log_dir / f"server-{self.port}.log"
        self.proc = subprocess.Popen(
            cmd, cwd=PROJECT_ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=self.log_path.open("ab")
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log_path.read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.kill()  # SIGKILL: no graceful shutdown
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def server_env(db_url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": db_url,
        "WASTE_TRACKER_SECRET_KEY": TEST_SECRET,
        "WASTE_TRACKER_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "WASTE_TRACKER_SWEEP_INTERVAL_SECONDS": "0",
        "WASTE_TRACKER_ANCHOR_INTERVAL_SECONDS": "0",
        "WASTE_TRACKER_ENV": "test",
        "WASTE_TRACKER_LOGIN_MAX_ATTEMPTS": "100000",
    }


@pytest.fixture
async def live(committed: AsyncEngine, db_url: str) -> Iterator[tuple[Server, World]]:  # type: ignore[misc]
    async with AsyncSession(committed, expire_on_commit=False) as s:
        world = await build_world(s)
        await seed_rule_settings(s)
        await s.commit()
    port = free_port()
    server = Server(url=f"http://127.0.0.1:{port}", port=port, env=server_env(db_url, port))
    server.start()
    try:
        yield server, world
    finally:
        server.stop()
