"""The official account's image loading: our files from the store (verified), others through the guarded
fetcher, oversize images shrunk. No network: loopback servers and an injected resolver."""

from __future__ import annotations

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from channels.base import PermanentError
from channels.mp.mp import MpChannel
from channels.mp.mp_images import fit_for_wechat
from channels.safe_fetch import FetchRefused, safe_get
from content.files import DirectoryBackend
from content.files.store import read_verified, sha256_of


class Site:
    """A loopback web server: /img.png answers bytes, /hop redirects to `redirect_to`."""

    def __init__(self, redirect_to: str = "") -> None:
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                site.hosts.append(self.headers.get("host"))
                if self.path == "/hop":
                    self.send_response(302)
                    self.send_header("location", site.redirect_to)
                    self.send_header("content-length", "0")
                    self.end_headers()
                    return
                body = b"\x89PNG\r\n\x1a\nimage"
                self.send_response(200)
                self.send_header("content-type", "image/png")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.hosts: list[str] = []
        self.redirect_to = redirect_to
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "0x7f.0.0.1", "0177.0.0.1", "2130706433", "[::ffff:127.0.0.1]"])
def test_loopback_in_any_notation_is_refused_before_connecting(site, host):
    with pytest.raises(FetchRefused, match="内网"):
        safe_get(f"http://{host}:{site.port}/img.png")
    assert site.hosts == []


def test_a_name_resolving_to_loopback_is_refused(site):
    with pytest.raises(FetchRefused, match="内网"):
        safe_get(f"http://images.example.gov.cn:{site.port}/img.png", resolve=lambda h, p: ["127.0.0.1"])
    with pytest.raises(FetchRefused):  # one private answer among public ones is enough to refuse
        safe_get(f"http://images.example.gov.cn:{site.port}/img.png", resolve=lambda h, p: ["8.8.8.8", "10.0.0.1"])
    assert site.hosts == []


def test_every_redirect_hop_is_checked_and_the_checked_address_is_used(site):
    allowed = frozenset({f"portal.sandbox:{site.port}"})
    resolve = lambda h, p: ["127.0.0.1"]  # noqa: E731
    url, kind, body = safe_get(f"http://portal.sandbox:{site.port}/img.png", allow=allowed, resolve=resolve)
    assert body.startswith(b"\x89PNG") and kind == "image/png"
    assert site.hosts == [f"portal.sandbox:{site.port}"]  # the Host header names the host; the socket the IP
    site.redirect_to = f"http://127.1:{site.port}/img.png"
    with pytest.raises(FetchRefused, match="内网"):
        safe_get(f"http://portal.sandbox:{site.port}/hop", allow=allowed, resolve=resolve)
    site.redirect_to = f"http://portal.sandbox:{site.port}/hop"
    with pytest.raises(FetchRefused, match="重定向次数过多"):
        safe_get(f"http://portal.sandbox:{site.port}/hop", allow=allowed, resolve=resolve, max_redirects=3)
    with pytest.raises(FetchRefused, match="过大"):
        safe_get(f"http://portal.sandbox:{site.port}/img.png", allow=allowed, resolve=resolve, max_bytes=4)
    for bad in ("file:///etc/passwd", "gopher://x/", "javascript:alert(1)"):
        with pytest.raises(FetchRefused):
            safe_get(bad)


def _channel(backend, **kw) -> MpChannel:
    def reader(org_id: int, sha: str):
        return "photo.jpg", read_verified(backend, sha)
    return MpChannel(client=None, public_url="https://gk.example.gov.cn", file_reader=reader, **kw)


def test_our_files_are_read_from_the_store_not_over_http(tmp_path, site):
    backend = DirectoryBackend(tmp_path)
    data = b"\x89PNG\r\n\x1a\n" + b"1" * 100
    sha = sha256_of(data)
    backend.put(sha, data)
    channel = _channel(backend)
    assert channel._load(f"/files/{sha}", 1) == ("photo.jpg", data)
    assert channel._load(f"https://gk.example.gov.cn/files/{sha}", 1)[1] == data
    (tmp_path / sha[:2] / sha).write_bytes(data + b"x")
    with pytest.raises(PermanentError, match="已被改动"):
        channel._load(f"/files/{sha}", 1)
    with pytest.raises(PermanentError, match="不安全"):  # a content URL to loopback: refused, never fetched
        channel._load(f"http://127.1:{site.port}/img.png", 1)
    assert site.hosts == []


def test_oversize_images_are_shrunk_below_wechats_limit(tmp_path):
    noise = Image.effect_noise((3000, 2200), 100).convert("RGB")
    buf = io.BytesIO()
    noise.save(buf, "PNG")
    big = buf.getvalue()
    assert len(big) > 1024 * 1024
    name, small = fit_for_wechat("photo.png", big, 1024 * 1024)
    assert name == "photo.jpg" and len(small) < 1024 * 1024 and small.startswith(b"\xff\xd8\xff")
    assert max(Image.open(io.BytesIO(small)).size) == 1920
    backend = DirectoryBackend(tmp_path)
    backend.put(sha256_of(big), big)
    assert len(_channel(backend)._load(f"/files/{sha256_of(big)}", 1)[1]) < 1024 * 1024
