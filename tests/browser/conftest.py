"""Browser tests: the real app under uvicorn on a free loopback port, driven by Playwright + Chromium.

Debian's Chromium is installed by `python -m tests.setup_system` (run by `make test`). Without it
(or without the playwright package) these tests skip with the reason, except under CI=true where
they fail: the browser suite must never be skipped silently in CI.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, SQLModel  # noqa: F401 - models are registered by tests.conftest

from app.migrate import upgrade
from content.db.db import make_engine
from tests.conftest import IN_CI, build_world

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SECRET_KEY = "browser-test-secret-key"
DEMO_ORG = "default"


def horizontal_overflow(page) -> str | None:
    """Why `page` is wider than its configured viewport, or None when it fits.

    Compared with the width the context was made with, never with `window.innerWidth`: with
    is_mobile=True Chromium widens the layout viewport to fit a too-wide page, so innerWidth grows
    with the page (558 on a 375 px phone) and `scrollWidth <= innerWidth` always holds.
    """
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll <= width:
        return None
    wide = page.evaluate("""w => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > w + 1).slice(-5)
        .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
             (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '')
             + ' right=' + Math.round(e.getBoundingClientRect().right))""", width)
    return f"horizontal overflow at {page.url}: scrollWidth {scroll} > viewport {width}; widest: {wide}"


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def sync_playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        _unavailable("/usr/bin/chromium is missing (run: python -m tests.setup_system)")
    return sync_playwright


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_database(url: str, port: int, log_path: Path):
    """Yield the base URL of the app served by uvicorn (own process) on database `url` and `port`."""
    env = dict(os.environ, GONGKAI_DATABASE_URL=url, GONGKAI_SECRET_KEY=SECRET_KEY,
               GONGKAI_ARGON2_PROFILE="test", GONGKAI_PUBLIC_URL=f"http://127.0.0.1:{port}")
    log = log_path.open("w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "app.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # bounded wait for the server to answer
            if proc.poll() is not None:
                pytest.fail(f"uvicorn exited with {proc.returncode}; see {log.name}", pytrace=False)
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            pytest.fail("uvicorn did not answer in time", pytrace=False)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sync_playwright_api):
    """(base_url, world): the app in its own uvicorn process on a seeded temp SQLite database."""
    db = tmp_path_factory.mktemp("browser-db") / "gongkai.db"
    url = f"sqlite:///{db}"
    engine = make_engine(url)
    upgrade(engine)
    world = build_world(engine)
    engine.dispose()
    with serve_database(url, _free_port(), tmp_path_factory.getbasetemp() / "uvicorn.log") as base:
        yield base, world


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory, sync_playwright_api):
    """(base_url, sqlite_url): the app in its own uvicorn process on the demo town of `gongkai init --demo`."""
    from app.demo import init_demo
    from content.seed import seed_org

    db = tmp_path_factory.mktemp("browser-demo-db") / "gongkai.db"
    url = f"sqlite:///{db}"
    port = _free_port()
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as s:
        seed_org(s, code=DEMO_ORG, name="示例镇人民政府")
        s.commit()
    init_demo(engine, org_code=DEMO_ORG, public_url=f"http://127.0.0.1:{port}")
    engine.dispose()
    with serve_database(url, port, tmp_path_factory.getbasetemp() / "uvicorn-demo.log") as base:
        yield base, url


@pytest.fixture(scope="package")
def browser(sync_playwright_api):
    """Package-scoped: Playwright's sync API allows one running instance per thread, and other
    packages (tests/channels) start their own after this package is done."""
    with sync_playwright_api() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield b
        b.close()


class Visitor:
    """One person's browser context: records console errors and screenshots every page it shows."""

    def __init__(self, browser, base: str, test_name: str, who: str, **context_args):
        self.base = base
        self.context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_args)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15000)
        self.errors: list[str] = []
        self.expected_statuses: list[int] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.prefix = f"{re.sub(r'[^A-Za-z0-9_-]+', '_', test_name)}-{who}"
        self.shots = 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def expect_status(self, status: int) -> None:
        """The next page load answers `status` on purpose (a refused form, a 403 page): Chromium logs
        every 4xx document as a console error, which is then not a JavaScript failure."""
        self.expected_statuses.append(status)

    def _console(self, message) -> None:
        if message.type != "error":
            return
        for status in self.expected_statuses:
            if f"status of {status} " in message.text:
                self.expected_statuses.remove(status)
                return
        self.errors.append(f"console: {message.text}")

    def shot(self, label: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.prefix}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def goto(self, path: str, label: str):
        response = self.page.goto(self.base + path)
        self.page.wait_for_load_state("load")
        self.shot(label)
        return response

    def login(self, login: str, password: str) -> None:
        self.goto("/login", "login")
        self.page.fill("#login", login)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")
        self.page.wait_for_url(self.base + "/")
        self.shot("dashboard")


@pytest.fixture
def visitors(browser, live_server, request):
    """visitors("drafter") → a logged-in Visitor; fails the test on any JavaScript console error."""
    base, world = live_server
    made: list[Visitor] = []

    def make(login: str | None = None, **context_args) -> Visitor:
        v = Visitor(browser, base, request.node.name, login or "anon", **context_args)
        made.append(v)
        if login:
            v.login(login, world.password)
        return v

    yield make
    errors = [f"{v.prefix}: {e}" for v in made for e in v.errors]
    for v in made:
        v.context.close()
    assert not errors, "JavaScript errors in the browser:\n" + "\n".join(errors)
