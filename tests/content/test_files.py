"""File store backends (directory and a loopback S3 emulator), address classification, the link check,
and migration 0012's move of data: URIs (both databases)."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlmodel import Session, select

from content.addresses import is_public_ip, literal_ip
from content.checks import is_intranet
from content.files import DirectoryBackend, S3Backend
from content.files.models import StoredFile
from content.files.sigv4 import sign
from content.files.store import FileUnreadable, read_verified
from content.models import AuditEvent, Item, Revision
from content.store import content_hash, create_item

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class S3Emulator:
    """A tiny S3: PUT/GET of objects in one bucket, refusing requests whose SigV4 signature is wrong."""

    def __init__(self, access_key: str = "AK", secret_key: str = "SK", region: str = "cn-test-1") -> None:
        self.objects: dict[str, bytes] = {}
        emu = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _verified(self, body: bytes) -> bool:
                from datetime import datetime

                got = self.headers.get("authorization", "")
                when = datetime.strptime(self.headers["x-amz-date"], "%Y%m%dT%H%M%SZ").replace(
                    tzinfo=__import__("datetime").UTC)
                signed = got.split("SignedHeaders=")[1].split(",")[0].split(";")
                headers = {h: self.headers[h] for h in signed if h not in ("host", "x-amz-date", "x-amz-content-sha256")}
                url = f"http://{self.headers['host']}{self.path}"
                want = sign(self.command, url, headers=headers, payload_hash=hashlib.sha256(body).hexdigest(),
                            access_key=access_key, secret_key=secret_key, region=region, now=when)
                return want["authorization"] == got and self.headers["x-amz-content-sha256"] == \
                    hashlib.sha256(body).hexdigest()

            def _answer(self, status: int, body: bytes = b"") -> None:
                self.send_response(status)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_PUT(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if not self._verified(body):
                    return self._answer(403, b"SignatureDoesNotMatch")
                emu.objects[self.path] = body
                self._answer(200)

            def do_GET(self) -> None:
                if not self._verified(b""):
                    return self._answer(403, b"SignatureDoesNotMatch")
                if self.path not in emu.objects:
                    return self._answer(404, b"NoSuchKey")
                self._answer(200, emu.objects[self.path])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def s3():
    emu = S3Emulator()
    yield emu
    emu.close()


def test_s3_backend_stores_signed_and_reads_back_verified(s3):
    backend = S3Backend(s3.url, "gongkai", access_key="AK", secret_key="SK", region="cn-test-1")
    sha = hashlib.sha256(PNG).hexdigest()
    backend.put(sha, PNG)
    assert s3.objects[f"/gongkai/{sha}"] == PNG
    assert read_verified(backend, sha) == PNG
    assert backend.get("0" * 64) is None
    s3.objects[f"/gongkai/{sha}"] = PNG + b"tampered"
    with pytest.raises(FileUnreadable) as err:
        read_verified(backend, sha)
    assert err.value.code == "file_altered"
    wrong = S3Backend(s3.url, "gongkai", access_key="AK", secret_key="wrong", region="cn-test-1")
    with pytest.raises(Exception, match="HTTP 403"):
        wrong.put(sha, PNG)


def test_directory_backend_writes_whole_files_and_refuses_odd_names(tmp_path):
    backend = DirectoryBackend(tmp_path)
    sha = hashlib.sha256(PNG).hexdigest()
    backend.put(sha, PNG)
    assert (tmp_path / sha[:2] / sha).read_bytes() == PNG
    assert not list(tmp_path.rglob(".part-*"))
    with pytest.raises(ValueError):
        backend.get("../../etc/passwd")
    with pytest.raises(FileUnreadable):
        read_verified(backend, "1" * 64)


@pytest.mark.parametrize("host", ["127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "[::1]", "[::ffff:127.0.0.1]",
                                  "10.1.2.3", "169.254.169.254", "0.0.0.0", "100.64.0.1", "[fe80::1]", "224.0.0.1",
                                  "[::ffff:a00:1]", "[2002:7f00:1::]"])
def test_non_public_addresses_in_any_notation(host):
    ip = literal_ip(host)
    assert ip is not None and not is_public_ip(ip)
    assert is_intranet(f"http://{host}/x")


def test_public_addresses_and_names():
    assert is_public_ip(literal_ip("8.8.8.8")) and is_public_ip(literal_ip("[2001:4860::8888]"))
    assert literal_ip("www.gov.cn") is None
    assert not is_intranet("https://www.gov.cn/zhengce/")
    assert is_intranet("http://localhost:8000/") and is_intranet("http://oa.intra/")


def _migration():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0012_file_store.py"
    spec = importlib.util.spec_from_file_location("m0012", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_migration_moves_data_uris_and_keeps_approvals_consistent(engine, world, tmp_path):
    from content.models import Review, ReviewStep, User

    uri = "data:image/png;base64," + base64.b64encode(PNG).decode()
    pdf = b"%PDF-1.4 test"
    with Session(engine) as s:
        drafter = s.get(User, world.drafter)
        item = create_item(s, actor=drafter, data={"title": "旧稿件", "body_html": "<p>正文</p>", "channels": ["portal"]})
        s.commit()
        item_id = item.id
        # rows as an older gongkai wrote them: bytes inside the item and its revision
        legacy = {"body_html": f'<p>图<img src="{uri}" alt="图"></p>', "cover_image": uri,
                  "attachments": [{"name": "通知.pdf", "data": "data:application/pdf;base64," +
                                   base64.b64encode(pdf).decode()}]}
        for k, v in legacy.items():
            setattr(item, k, v)
        rev = s.exec(select(Revision).where(Revision.item_id == item_id)).one()
        content = {**rev.content, **legacy}
        old_hash = content_hash(content)
        rev.content, rev.content_hash = content, old_hash
        review = Review(org_id=world.org_id, item_id=item_id, revision_id=rev.id, state="approved",
                        started_by=world.drafter)
        s.add_all([item, rev, review])
        s.flush()
        s.add(ReviewStep(org_id=world.org_id, review_id=review.id, item_id=item_id, gate="dept_head",
                         content_hash=old_hash))
        s.commit()

    backend = DirectoryBackend(tmp_path)
    with engine.begin() as conn:
        _migration()._move_data_uris(conn, backend)

    sha_png, sha_pdf = hashlib.sha256(PNG).hexdigest(), hashlib.sha256(pdf).hexdigest()
    with Session(engine) as s:
        item = s.get(Item, item_id)
        rev = s.exec(select(Revision).where(Revision.item_id == item_id)).one()
        step = s.exec(select(ReviewStep).where(ReviewStep.item_id == item_id)).one()
        files = s.exec(select(StoredFile).where(StoredFile.org_id == world.org_id)).all()
        event = s.exec(select(AuditEvent).where(AuditEvent.action == "files.migrate")).one()
    assert "data:" not in item.body_html and f'src="/files/{sha_png}"' in item.body_html
    assert item.cover_image == f"/files/{sha_png}"
    assert item.attachments == [{"name": "通知.pdf", "url": f"/files/{sha_pdf}", "size": len(pdf),
                                 "mime": "application/pdf"}]
    assert rev.content["cover_image"] == item.cover_image and rev.content_hash == content_hash(rev.content)
    assert rev.content_hash != old_hash and step.content_hash == rev.content_hash
    assert event.data["content_hashes"] == {old_hash: rev.content_hash}
    assert {f.sha256 for f in files} == {sha_png, sha_pdf}
    assert read_verified(backend, sha_png) == PNG and read_verified(backend, sha_pdf) == pdf
