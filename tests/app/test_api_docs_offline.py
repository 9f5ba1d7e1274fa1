"""/api/docs works without internet: it references only local /static/ assets, and those are served."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.factory import create_app
from content.db.db import make_engine
from content.settings import Settings


def _client(tmp_path) -> TestClient:
    engine = make_engine(f"sqlite:///{tmp_path / 'docs.db'}")
    return TestClient(create_app(Settings(database_url=str(engine.url), secret_key="docs-test-secret"),
                                 engine=engine))


def test_docs_page_uses_only_local_assets_that_are_served(tmp_path):
    with _client(tmp_path) as client:
        r = client.get("/api/docs")
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        page = r.text
        refs = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert refs, page
        assert all(ref.startswith("/static/") for ref in refs), refs  # no CDN (cdn.jsdelivr.net before)
        assert "swagger-ui-bundle.js" in page and "swagger-ui.css" in page
        for ref in refs:
            asset = client.get(ref)
            assert asset.status_code == 200, ref
            assert len(asset.content) > 100, ref
        # every script is a file: the app's CSP (script-src 'self') would block an inline one
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", page)
        # the page points Swagger UI at the app's own OpenAPI document, which is served
        openapi = re.search(r'data-openapi-url="([^"]+)"', page).group(1)
        spec = client.get(openapi).json()
        assert "/api/v1/items" in spec["paths"]


def test_vendored_swagger_ui_carries_its_version_and_licence(tmp_path):
    with _client(tmp_path) as client:
        from web.pages.api_docs import VENDOR

        licence = client.get(f"{VENDOR}/LICENSE")
        assert licence.status_code == 200 and "Apache License" in licence.text
        assert "5.36.0" in client.get(f"{VENDOR}/VERSION.txt").text
        assert client.get("/redoc").status_code == 404  # ReDoc (another CDN page) stays disabled
