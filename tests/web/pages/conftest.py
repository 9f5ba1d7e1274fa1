"""Fixtures for the web UI tests: an app on the test engine and logged-in TestClients."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.factory import create_app
from content.settings import Settings

HTML = {"accept": "text/html"}


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html) or re.search(
        r'<meta name="csrf-token" content="([^"]+)"', html)
    assert m, "page carries no CSRF token"
    return m.group(1)


class WebClient(TestClient):
    """A TestClient that remembers the CSRF token of the last page it loaded."""

    csrf: str = ""

    def page(self, url: str, **kw):
        r = self.get(url, headers=HTML, **kw)
        if "csrf" in r.text:
            self.csrf = csrf_of(r.text)
        return r

    def submit(self, url: str, data: dict | None = None, **kw):
        payload = {"csrf_token": self.csrf, **(data or {})}
        return self.post(url, data=payload, headers=HTML, follow_redirects=False, **kw)


@pytest.fixture
def web_app(engine, tmp_path):
    settings = Settings(database_url=str(engine.url), secret_key="test-secret-key-for-web",
                        files_dir=str(tmp_path / "files"))
    return create_app(settings, engine=engine)


@pytest.fixture
def client_for(web_app, world):
    """client_for("drafter") → a WebClient logged in as that world user."""
    clients = []

    def make(login: str | None = None) -> WebClient:
        c = WebClient(web_app, raise_server_exceptions=False)
        clients.append(c)
        c.page("/login")
        if login:
            r = c.submit("/login", {"login": login, "password": world.password, "next": "/"})
            assert r.status_code == 303, r.text
            c.page("/")
        return c

    yield make
    for c in clients:
        c.close()
