"""The lobby screen in headless Chromium at 1920×1080: it fits the screen, rotates, and is saved as a
screenshot artifact in test-artifacts/ for people to look at."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sandbox.server import LoopbackServer
from tests.channels.helpers import publish

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium_page():
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("/usr/bin/chromium missing (tests.setup_system installs it)", pytrace=False)
        pytest.skip("/usr/bin/chromium missing: run `python -m tests.setup_system`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1920, "height": 1080})
        yield page
        browser.close()


@pytest.fixture
def live_app(sqlite_engine):
    from app.factory import create_app
    from content.settings import Settings

    settings = Settings(database_url=str(sqlite_engine.url), public_url="http://gov.test")
    server = LoopbackServer(create_app(settings, engine=sqlite_engine)).start()
    yield server.url
    server.stop()


def test_lobby_screen_at_1920x1080(sqlite_engine, live_app, chromium_page):
    from tests.conftest import build_world

    world = build_world(sqlite_engine)
    page = chromium_page
    page.goto(f"{live_app}/screen/test-town")
    assert page.locator(".slide.empty").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "lobby-screen-empty-1920x1080.png"))

    publish(sqlite_engine, world, title="关于2026年春季森林防火的通告", topic="其他",
            digest="即日起至5月31日为森林防火期，严禁一切野外用火。")
    publish(sqlite_engine, world, title="东村道路硬化工程公示", topic="国土资源城乡建设环保能源")
    page.goto(f"{live_app}/screen/test-town")
    active = page.locator(".slide.active")
    assert active.count() == 1 and "东村道路硬化工程公示" in active.inner_text()
    # readable from a distance: the headline is at least 70 px high and nothing scrolls
    size = page.eval_on_selector(".slide.active h2", "e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 70
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080
    assert page.evaluate("document.documentElement.scrollWidth") <= 1920
    page.screenshot(path=str(ARTIFACTS / "lobby-screen-1920x1080.png"))
    # rotation: the next slide is shown without reloading (the clock is advanced, not waited for)
    page.clock.install()
    page.goto(f"{live_app}/screen/test-town")
    page.clock.run_for(12_000)
    assert "森林防火" in page.locator(".slide.active").inner_text()
    page.clock.run_for(12_000)
    assert "年政务公开数据" in page.locator(".slide.active").inner_text()
    page.screenshot(path=str(ARTIFACTS / "lobby-screen-figures-1920x1080.png"))
