"""Issue 21 walk, finding 8: a .docx with a phone photo (several MB) imports; its photo is shrunk on the
server like an uploaded one; the limit is 20 MB and the route's request body cap follows it."""

from __future__ import annotations

import io
import os

from docx import Document
from docx.shared import Cm
from PIL import Image

from content.docx_import import DOCX_MAX_BYTES
from tests.web.pages.test_docx_import import _import


def _phone_photo() -> bytes:
    """A noisy 4032×3024 JPEG: several MB, as a phone takes them."""
    img = Image.frombytes("RGB", (4032, 3024), os.urandom(4032 * 3024 * 3))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


def _docx_with(photo: bytes) -> bytes:
    doc = Document()
    doc.add_paragraph("现场检查照片：")
    doc.add_picture(io.BytesIO(photo), width=Cm(12))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_word_file_with_a_phone_photo_imports_and_the_photo_is_shrunk(client_for):
    c = client_for("drafter")
    c.page("/items/new")
    photo = _phone_photo()
    data = _docx_with(photo)
    assert 2 * 1024 * 1024 < len(data) < DOCX_MAX_BYTES  # more than the old 1 MB limit (and the app's 2 MB)
    r = c.page("/items/new")
    assert f'data-max-bytes="{DOCX_MAX_BYTES}"' in r.text and "不超过 20 MB" in r.text
    r = _import(c, data, name="现场照片.docx")
    assert r.status_code == 200, r.text
    assert r.json()["images"] == 1
    src = r.json()["html"].split('src="', 1)[1].split('"', 1)[0]
    stored = c.get(src)
    assert stored.status_code == 200 and len(stored.content) < 1024 * 1024
    with Image.open(io.BytesIO(stored.content)) as img:
        assert max(img.size) == 1920 and img.format == "JPEG"


def test_a_word_file_over_20_mb_is_refused_with_a_chinese_413(client_for):
    c = client_for("drafter")
    c.page("/items/new")
    r = _import(c, b"PK" + b"\0" * (DOCX_MAX_BYTES + 10), name="太大.docx")
    assert r.status_code == 413
    assert "过大" in r.json()["message"] or "超过" in r.json()["message"]
