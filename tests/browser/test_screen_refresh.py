"""The lobby screen reloads itself by script (no <meta http-equiv="refresh">, which fails WCAG 2.2.1),
and only when the server answers, so a network hiccup never leaves Chromium's error page on the wall."""

from __future__ import annotations

import pytest

from tests.browser.conftest import DEMO_ORG

pytestmark = pytest.mark.browser

REFRESH_MS = 300_000  # web.public.router.SCREEN_REFRESH_SECONDS
RETRY_MS = 60_000


@pytest.fixture
def screen(browser, demo_server):
    base, _ = demo_server
    context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
    page = context.new_page()
    page.clock.install()
    url = f"{base}/screen/{DEMO_ORG}"
    page.goto(url)
    yield page, url
    context.close()


def test_screen_has_no_meta_refresh_and_reloads_itself(screen):
    page, _ = screen
    assert page.locator('meta[http-equiv="refresh" i]').count() == 0
    page.evaluate("window.__before_reload = true")
    page.clock.run_for(REFRESH_MS - 1000)
    assert page.evaluate("window.__before_reload === true")  # not yet
    with page.expect_event("load"):
        page.clock.run_for(1000)
    assert page.evaluate("window.__before_reload === undefined")  # a fresh document
    assert page.locator(".slide.active").count() == 1


def test_screen_keeps_its_slides_while_the_server_is_unreachable(screen):
    page, url = screen
    page.evaluate("window.__before_reload = true")
    page.route(url, lambda route: route.abort("internetdisconnected"))
    with page.expect_event("requestfailed") as probe:
        page.clock.run_for(REFRESH_MS)
    assert probe.value.url == url
    page.wait_for_selector("body[data-refresh=retry]", state="attached")  # the next try is scheduled
    assert page.evaluate("window.__before_reload === true") and page.url == url
    assert page.locator(".slide.active").count() == 1  # still showing the news, not an error page
    page.unroute(url)
    with page.expect_event("load"):
        page.clock.run_for(RETRY_MS)  # tried again a minute later, and reloads now the server answers
    assert page.evaluate("window.__before_reload === undefined")
