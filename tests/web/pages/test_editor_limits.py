"""The editor's upload limits come from the settings (GONGKAI_IMAGE_MAX_BYTES / GONGKAI_ATTACHMENT_MAX_BYTES):
shown beside the fields and handed exactly to media.js; the server refuses past the same limits."""

from __future__ import annotations

import re

import pytest

from app.factory import create_app
from content.settings import Settings
from tests.web.pages.conftest import WebClient
from tests.web.pages.test_uploads import PDF, upload
from web.pages.editor import size_text


@pytest.fixture
def drafter(engine, world, tmp_path):
    settings = Settings(database_url=str(engine.url), secret_key="test-secret-key-for-web",
                        files_dir=str(tmp_path / "files"), image_max_bytes=1_572_864, attachment_max_bytes=3000)
    with WebClient(create_app(settings, engine=engine), raise_server_exceptions=False) as c:
        c.page("/login")
        assert c.submit("/login", {"login": "drafter", "password": world.password, "next": "/"}).status_code == 303
        yield c


def test_editor_shows_and_hands_media_js_the_configured_limits(drafter):
    page = drafter.page("/items/new").text
    media = re.search(r'<section class="card" id="media"[^>]*>', page).group(0)
    assert 'data-image-max="1572864"' in media and 'data-attachment-max="3000"' in media
    assert "不超过 1.5 MB" in page and "每个不超过 2.9 KB" in page
    assert "每个不超过 20 MB" not in page and "10 MB" not in page  # not the module defaults (导入 Word has its own 20 MB)
    r = upload(drafter, "/items/upload-attachment", "a.pdf", PDF + b"\x00" * 3000, "application/pdf")
    assert r.status_code == 413 and r.json()["code"] == "attachment_too_large"


@pytest.mark.parametrize(("n", "text"), [(10 * 1024 * 1024, "10 MB"), (1_572_864, "1.5 MB"), (512_000, "500 KB"),
                                         (3000, "2.9 KB")])
def test_size_text(n, text):
    assert size_text(n) == text


def test_body_image_label_says_mb_not_thousands_of_kb(client_for):
    """Issue 21 walk, 13b: the label said "小于 10240 KB" where 10 MB was meant."""
    page = client_for("drafter").page("/items/new").text
    assert "图片仅限 jpg/png，不超过 10 MB" in page
    assert "10240 KB" not in page
