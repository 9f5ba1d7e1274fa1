""".docx import: a real Word document (heading, bold runs, bordered table, photo) keeps its formatting;
zip bombs are refused from the zip directory; the server answers while a conversion runs."""

from __future__ import annotations

import io
import random
import re
import socket
import struct
import sys
import threading
import zipfile
import zlib

import httpx
import pytest
import uvicorn
from docx import Document
from docx.shared import Cm

from content.docx_import import DocxRefused, convert, inspect_archive
from tests.waiting import wait_for
from tests.web.pages.conftest import csrf_of


def _png(width: int = 120, height: int = 80) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    noise = random.Random(3)
    raw = zlib.compress(b"".join(b"\x00" + noise.randbytes(width * 3) for _ in range(height)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


def word_document() -> bytes:
    """What a drafter brings: a heading, a paragraph with one bold run, a bordered table, a photo."""
    doc = Document()
    doc.add_heading("关于做好冬季安全生产工作的通知", level=1)
    p = doc.add_paragraph("为切实做好")
    p.add_run("冬季安全生产").bold = True
    p.add_run("工作，现将有关事项通知如下。")
    table = doc.add_table(rows=2, cols=2)
    table.style = "Table Grid"  # Word's bordered table
    for (r, col), text in {(0, 0): "村名", (0, 1): "责任人", (1, 0): "一村", (1, 1): "张三"}.items():
        table.cell(r, col).text = text
    doc.add_picture(io.BytesIO(_png()), width=Cm(4))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _bomb(entries: int = 1, size: int = 20 * 1024 * 1024) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b"<" + b" " * size)
        for n in range(1, entries):
            z.writestr(f"word/media/pad{n}.xml", b" " * size)
    return out.getvalue()


def _import(client, data: bytes, name: str = "通知.docx"):
    return client.post("/items/import-docx", data={"csrf_token": client.csrf}, headers={"accept": "application/json"},
                       files={"file": (name, data, "application/octet-stream")})


def test_word_document_keeps_heading_bold_table_borders_and_photo(client_for):
    c = client_for("drafter")
    c.page("/items/new")
    r = _import(c, word_document())
    assert r.status_code == 200, r.text
    html = r.json()["html"]
    assert "<h1>关于做好冬季安全生产工作的通知</h1>" in html
    assert "为切实做好<strong>冬季安全生产</strong>工作" in html  # bold exactly where it was
    assert html.count("<strong>") == 1
    assert re.search(r'<table style="[^"]*border-collapse:collapse', html)
    assert len(re.findall(r'<td style="[^"]*border:1px solid #000', html)) == 4
    srcs = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(srcs) == 1 and r.json()["images"] == 1
    assert srcs[0].startswith("/files/")  # the photo went to the file store, not into the row
    photo = c.get(srcs[0])
    assert photo.status_code == 200 and photo.content == _png()


def test_zip_bombs_are_refused_from_the_directory_with_a_chinese_4xx(client_for):
    c = client_for("drafter")
    c.page("/items/new")
    for bomb in (_bomb(), _bomb(entries=3)):  # one entry of ratio ~1000:1; 60 MB in total
        assert len(bomb) < 1024 * 1024
        r = _import(c, bomb)
        assert r.status_code == 413 and r.json()["code"] == "docx_bomb", r.text
        assert "压缩" in r.json()["message"] or "过大" in r.json()["message"]
    r = _import(c, b"PK\x03\x04 not really a zip")
    assert r.status_code == 415 and "只能导入 .docx" in r.json()["message"]
    r = _import(c, word_document(), name="通知.doc")
    assert r.status_code == 415


def test_inspect_archive_accepts_real_documents():
    inspect_archive(word_document())
    with pytest.raises(DocxRefused) as refused:
        inspect_archive(_bomb())
    assert refused.value.status == 413


def test_a_conversion_that_runs_too_long_is_killed():
    sleeper = [sys.executable, "-c", "import time; time.sleep(120)"]
    with pytest.raises(DocxRefused) as refused:
        convert(word_document(), command=sleeper, time_limit=1)
    assert refused.value.code == "docx_timeout" and "限定时间" in refused.value.message


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_server_answers_other_requests_while_an_import_converts(web_app, world, tmp_path):
    """A converter that blocks until the test releases it: while it runs, the server still answers."""
    started, release = tmp_path / "started", tmp_path / "release"
    script = (f"import json,os,sys,time\nsys.stdin.buffer.read()\nopen({str(started)!r},'w').close()\n"
              f"for _ in range(1200):\n    time.sleep(0.05)\n    if os.path.exists({str(release)!r}): break\n"
              "json.dump({'html':'<p>转换完成</p>','images':[],'messages':0}, sys.stdout)\n")
    web_app.state.docx_converter = [sys.executable, "-c", script]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(web_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: server.started)
        with httpx.Client(base_url=base, follow_redirects=False, timeout=60) as client:
            csrf = csrf_of(client.get("/login").text)
            client.post("/login", data={"csrf_token": csrf, "login": "drafter", "password": world.password})
            csrf = csrf_of(client.get("/items/new", headers={"accept": "text/html"}).text)
            answer: dict = {}

            def do_import():
                answer["r"] = client.post("/items/import-docx", data={"csrf_token": csrf},
                                          files={"file": ("通知.docx", word_document())})

            importing = threading.Thread(target=do_import)
            importing.start()
            assert wait_for(started.exists), "the converter never started"
            with httpx.Client(base_url=base, timeout=10) as other:
                assert other.get("/healthz").status_code == 200
                assert other.get("/login").status_code == 200
            assert importing.is_alive() and not release.exists()  # the import was still converting
            release.touch()
            importing.join(timeout=60)
            assert answer["r"].status_code == 200 and answer["r"].json()["html"] == "<p>转换完成</p>"
    finally:
        release.touch()
        server.should_exit = True
        thread.join(timeout=10)
