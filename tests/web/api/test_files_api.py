"""`POST /api/v1/files`: uploads for API clients into the file store (both databases)."""

from __future__ import annotations

import hashlib

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.factory import create_app
from content.files.models import StoredFile
from content.models import Item
from content.settings import Settings
from tests.web.api.util import item_body
from tests.web.pages.test_uploads import PDF, png

IMAGE_MAX, ATTACHMENT_MAX = 20_000, 40_000


@pytest.fixture
def files_client(engine, db_url, world, tmp_path):
    settings = Settings(database_url=db_url, secret_key="test-secret-key-for-api", max_body_bytes=200_000,
                        files_dir=str(tmp_path / "files"), image_max_bytes=IMAGE_MAX,
                        attachment_max_bytes=ATTACHMENT_MAX)
    with TestClient(create_app(settings, engine=engine)) as c:
        token = c.post("/api/v1/auth/token", json={"login": "drafter", "password": world.password}).json()["token"]
        c.headers["Authorization"] = f"Bearer {token}"
        c.files_dir = tmp_path / "files"
        yield c


def rows(engine) -> list[StoredFile]:
    with Session(engine) as s:
        return list(s.exec(select(StoredFile)).all())


def test_an_image_and_an_attachment_are_stored_once_and_usable_in_an_item(files_client, engine, world):
    image = png(32)
    r = files_client.post("/api/v1/files", data={"kind": "image"}, files={"file": ("照片.png", image, "image/png")})
    assert r.status_code == 200, r.text
    sha = hashlib.sha256(image).hexdigest()
    assert r.json() == {"url": f"/files/{sha}", "sha256": sha, "size": len(image), "mime": "image/png",
                        "name": "照片.png"}
    again = files_client.post("/api/v1/files", data={"kind": "image"}, files={"file": ("b.png", image)})
    assert again.json()["sha256"] == sha
    att = files_client.post("/api/v1/files", files={"file": ("通知.pdf", PDF, "application/pdf")}).json()
    assert att["mime"] == "application/pdf" and att["name"] == "通知.pdf"
    assert len(rows(engine)) == 2  # the same bytes twice are one row

    body = item_body(body_html=f'<p>正文</p><p><img src="{r.json()["url"]}" alt="照片"></p>',
                     cover_image=r.json()["url"], attachments=[{"name": "通知.pdf", "url": att["url"]}])
    created = files_client.post("/api/v1/items", json=body)
    assert created.status_code in (200, 201), created.text
    with Session(engine) as s:
        item = s.get(Item, created.json()["id"])
        assert item.cover_image == f"/files/{sha}"
        assert item.attachments[0]["url"] == att["url"] and item.attachments[0]["size"] == len(PDF)
    stored = next(p for p in files_client.files_dir.rglob("*") if p.name == sha)
    assert stored.read_bytes() == image


@pytest.mark.parametrize(("kind", "name", "data", "status", "code"), [
    ("image", "a.png", png(120, seed=3), 413, "image_too_large"),
    ("image", "a.gif", b"GIF89a" + b"\x00" * 50, 415, "image_type"),
    ("attachment", "a.pdf", b"%PDF-" + b"\x00" * ATTACHMENT_MAX, 413, "attachment_too_large"),
    ("attachment", "a.exe", b"MZ\x00\x00", 415, "attachment_type"),
    ("attachment", "a.pdf", b"PK\x03\x04 not a pdf", 415, "attachment_content"),
    ("video", "a.pdf", PDF, 422, "invalid_kind"),
])
def test_refusals_have_a_chinese_message_and_store_nothing(files_client, engine, kind, name, data, status, code):
    r = files_client.post("/api/v1/files", data={"kind": kind}, files={"file": (name, data)})
    assert r.status_code == status, r.text
    assert r.json()["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])
    assert rows(engine) == []


def test_missing_file_token_and_oversized_body(files_client, engine):
    r = files_client.post("/api/v1/files", data={"kind": "image"})
    assert r.status_code == 422 and r.json()["code"] == "file_required"
    r = files_client.post("/api/v1/files", json={"file": "x"})
    assert r.status_code == 422 and r.json()["code"] == "file_required"
    anonymous = files_client.post("/api/v1/files", files={"file": ("a.pdf", PDF)},
                                  headers={"Authorization": "Bearer nope"})
    assert anonymous.status_code == 401
    huge = b"%PDF-" + b"\x00" * 400_000  # over the upload routes' body cap
    r = files_client.post("/api/v1/files", files={"file": ("a.pdf", huge)})
    assert r.status_code == 413 and r.json()["message"]
    assert rows(engine) == []
