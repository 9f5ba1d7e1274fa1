"""Security headers from the app itself, no inline script or bearer token in any page (issue 14)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.factory import create_app
from bot.models import BindingCode
from content.models import Item
from content.preview import make_preview_token
from content.settings import Settings
from tests.content.helpers import make_item

SECRET = "test-secret-key-for-headers"
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = [ROOT / "web/pages/templates", ROOT / "web/public/templates"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


@pytest.fixture
def app(engine, db_url, tmp_path):
    return create_app(Settings(database_url=db_url, secret_key=SECRET, files_dir=str(tmp_path / "files")),
                      engine=engine)


def _login(client: TestClient, login: str, password: str) -> None:
    page = client.get("/login", headers={"accept": "text/html"})
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = client.post("/login", data={"login": login, "password": password, "csrf_token": csrf, "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def test_every_kind_of_response_carries_the_headers(app, engine, world):
    item_id = make_item(engine, world.drafter)
    with Session(engine) as s:
        rev = s.get(Item, item_id).current_revision_id
    with TestClient(app) as c:
        for path in ("/login", "/api/v1/me", "/healthz", "/feeds/test-town.atom",
                     f"/m/preview/{make_preview_token(SECRET, item_id=item_id, revision_id=rev)}"):
            h = c.get(path).headers
            csp = h["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
            assert "default-src 'self'" in csp and "base-uri 'self'" in csp and "form-action 'self'" in csp
            assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
            assert h["x-content-type-options"] == "nosniff" and h["x-frame-options"] == "DENY"
            assert "camera=()" in h["permissions-policy"]
            assert "strict-transport-security" not in h  # plain http: no HSTS
            expected = "no-referrer" if path.startswith("/m/preview/") else "strict-origin-when-cross-origin"
            assert h["referrer-policy"] == expected, path
    with TestClient(app, base_url="https://gongkai.example") as c:
        assert c.get("/login").headers["strict-transport-security"].startswith("max-age=")


def test_no_template_has_inline_script_or_event_handler():
    found = []
    for base in TEMPLATE_DIRS:
        for path in base.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)]
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in INLINE_HANDLER.finditer(text)]
    assert found == []


def test_binding_page_holds_no_token_and_the_code_needs_cookie_and_csrf(app, engine, world):
    with TestClient(app) as c:
        _login(c, "leader", world.password)
        page = c.get("/me/binding", headers={"accept": "text/html"})
        assert page.status_code == 200 and "Bearer" not in page.text and "data-token" not in page.text
        csrf = re.search(r'data-csrf="([^"]+)"', page.text).group(1)
        assert c.post("/me/binding/code").status_code == 403  # no CSRF header
        with Session(engine) as s:
            assert s.exec(select(BindingCode)).all() == []
        r = c.post("/me/binding/code", headers={"X-CSRF-Token": csrf, "accept": "application/json"})
        assert r.status_code == 200 and re.fullmatch(r"\d{8}", r.json()["code"])
        with Session(engine) as s:
            assert [b.user_id for b in s.exec(select(BindingCode))] == [world.leader]
    with TestClient(app) as anonymous:
        r = anonymous.post("/me/binding/code", headers={"X-CSRF-Token": csrf}, follow_redirects=False)
        assert r.status_code in (303, 401, 403)
