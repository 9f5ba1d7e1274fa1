"""A loopback emulator of the government portal's publishing interface (tests and the sandbox).

The interface it defines is the one `channels.portal` speaks:

- `POST   /api/v1/posts` (Bearer token, `Idempotency-Key` header, JSON title/body_html/column/…)
  → 201 `{id, url}`; the same key again → 200 with the first post, nothing new stored.
- `GET    /api/v1/posts?idempotency_key=K` → `{"posts": [...]}` (reconciliation)
- `GET    /api/v1/posts/{id}` → JSON; `DELETE /api/v1/posts/{id}` → 204 (404 when absent)
- `GET    /posts/{id}.html` and `GET /` → the posts as public HTML pages: the column's name where the
  emulator knows it (`column_names`, by default the columns `gongkai init` seeds) and the attachments
  as links, so the sandbox shows what the portal got.

Every request is recorded (`requests`). Failures can be injected: `fail_next(n, status)` answers
the next n POSTs with `status` without storing; `hang_after_store(n, seconds)` stores the post
and then waits before answering, so a client with a shorter timeout gives up on a stored post;
`hold_posts()` makes every POST wait (before storing) until the returned event is set, and sets
`held` when the first one is waiting — a hung portal for tests that must not depend on timing.
"""

from __future__ import annotations

import asyncio
import html
import threading
from dataclasses import dataclass, field
from datetime import datetime

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from content.timeutil import utcnow
from sandbox.server import LoopbackServer


@dataclass
class RecordedRequest:
    method: str
    path: str
    idempotency_key: str | None
    status: int
    at: datetime


@dataclass
class PortalPost:
    id: int
    idempotency_key: str
    title: str
    column: str
    body_html: str
    data: dict
    created_at: datetime
    deleted: bool = False


@dataclass
class _Faults:
    fail_status: int = 500
    fail_count: int = 0
    hang_count: int = 0
    hang_seconds: float = 0.0


def seeded_column_names() -> dict[str, str]:
    """The portal columns of a new organization (content.seed): code → name."""
    from content.models import TOPIC_HEADINGS

    return {f"T{n + 1:02d}": heading for n, heading in enumerate(TOPIC_HEADINGS)}


def _attachment_links(attachments) -> str:
    """The post's attachments as links (only http(s) URLs become links)."""
    rows = []
    for entry in attachments if isinstance(attachments, list) else []:
        if not isinstance(entry, dict):
            continue
        url, name = str(entry.get("url") or ""), str(entry.get("name") or "附件")
        link = (f"<a href='{html.escape(url, quote=True)}'>{html.escape(name)}</a>"
                if url.startswith(("http://", "https://")) else html.escape(name))
        rows.append(f"<li>{link}</li>")
    return f"<section class='attachments'><h2>附件</h2><ul>{''.join(rows)}</ul></section>" if rows else ""


@dataclass
class PortalEmulator:
    token: str | None = None
    columns: set[str] | None = None  # when set, other column codes get 422
    column_names: dict[str, str] = field(default_factory=seeded_column_names)  # shown on the pages
    posts: dict[int, PortalPost] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    _by_key: dict[str, int] = field(default_factory=dict)
    _faults: _Faults = field(default_factory=_Faults)
    held: threading.Event = field(default_factory=threading.Event)  # a POST is waiting on `_release`
    _release: threading.Event | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: LoopbackServer | None = None

    # ---- control (called from tests / the sandbox) ----
    def fail_next(self, count: int, status: int = 500) -> None:
        with self._lock:
            self._faults.fail_count, self._faults.fail_status = count, status

    def hang_after_store(self, count: int, seconds: float) -> None:
        with self._lock:
            self._faults.hang_count, self._faults.hang_seconds = count, seconds

    def hold_posts(self) -> threading.Event:
        """Every POST hangs until the returned event is set (`stop()` sets it too)."""
        self._release = threading.Event()
        return self._release

    def post_requests(self) -> list[RecordedRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def live_posts(self) -> list[PortalPost]:
        with self._lock:
            return [p for p in self.posts.values() if not p.deleted]

    # ---- server ----
    def start(self) -> PortalEmulator:
        self._server = LoopbackServer(self.app()).start()
        return self

    def stop(self) -> None:
        if self._release is not None:
            self._release.set()
        if self._server:
            self._server.stop()

    @property
    def url(self) -> str:
        assert self._server, "emulator not started"
        return self._server.url

    def __enter__(self) -> PortalEmulator:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/api/v1/posts", self._create, methods=["POST"]),
            Route("/api/v1/posts", self._find, methods=["GET"]),
            Route("/api/v1/posts/{post_id:int}", self._get_json, methods=["GET"]),
            Route("/api/v1/posts/{post_id:int}", self._delete, methods=["DELETE"]),
            Route("/posts/{post_id:int}.html", self._page, methods=["GET"]),
            Route("/", self._index, methods=["GET"]),
        ])  # fmt: skip

    # ---- handlers ----
    def _record(self, request: Request, status: int) -> None:
        key = request.headers.get("idempotency-key")
        self.requests.append(RecordedRequest(request.method, request.url.path, key, status, utcnow()))

    def _authorized(self, request: Request) -> bool:
        return self.token is None or request.headers.get("authorization") == f"Bearer {self.token}"

    def _json(self, post: PortalPost, request: Request) -> dict:
        base = str(request.base_url).rstrip("/")
        return {"id": post.id, "url": f"{base}/posts/{post.id}.html", "title": post.title,
                "column": post.column, "idempotency_key": post.idempotency_key,
                "created_at": post.created_at.isoformat(), **post.data}  # fmt: skip

    async def _create(self, request: Request) -> Response:
        key = request.headers.get("idempotency-key", "")
        try:
            data = await request.json()
        except ValueError:
            data = None
        release = self._release
        if release is not None and not release.is_set():
            self.held.set()
            while not release.is_set():
                await asyncio.sleep(0.01)
        hang = 0.0
        with self._lock:
            status, body = self._create_locked(request, key, data)
            if status in (200, 201) and self._faults.hang_count > 0:
                self._faults.hang_count -= 1
                hang = self._faults.hang_seconds
            self._record(request, status)
        if hang:
            await asyncio.sleep(hang)
        return JSONResponse(body, status_code=status)

    def _create_locked(self, request: Request, key: str, data) -> tuple[int, dict]:
        if self._faults.fail_count > 0:
            self._faults.fail_count -= 1
            return self._faults.fail_status, {"code": "injected", "message": "注入的故障"}
        if not self._authorized(request):
            return 401, {"code": "unauthorized", "message": "令牌无效"}
        if not key:
            return 400, {"code": "idempotency_key_required", "message": "缺少 Idempotency-Key"}
        if not isinstance(data, dict) or not str(data.get("title") or "").strip():
            return 400, {"code": "title_required", "message": "标题不能为空"}
        column = str(data.get("column") or "")
        if not column or (self.columns is not None and column not in self.columns):
            return 422, {"code": "unknown_column", "message": f"栏目代码无效：{column or '（空）'}"}
        if key in self._by_key:
            return 200, self._json(self.posts[self._by_key[key]], request)
        post = PortalPost(
            id=len(self.posts) + 1, idempotency_key=key, title=data["title"], column=column,
            body_html=str(data.get("body_html") or ""),
            data={k: v for k, v in data.items() if k not in {"title", "column", "body_html"}},
            created_at=utcnow(),
        )  # fmt: skip
        self.posts[post.id] = post
        self._by_key[key] = post.id
        return 201, self._json(post, request)

    async def _find(self, request: Request) -> Response:
        key = request.query_params.get("idempotency_key")
        with self._lock:
            self._record(request, 200)
            found = [
                p for p in self.posts.values() if not p.deleted and (key is None or p.idempotency_key == key)
            ]
            return JSONResponse({"posts": [self._json(p, request) for p in found]})

    async def _get_json(self, request: Request) -> Response:
        with self._lock:
            post = self.posts.get(request.path_params["post_id"])
            status = 200 if post and not post.deleted else 404
            self._record(request, status)
            if status == 404:
                return JSONResponse({"code": "not_found", "message": "稿件不存在"}, status_code=404)
            return JSONResponse(self._json(post, request))

    async def _delete(self, request: Request) -> Response:
        with self._lock:
            if not self._authorized(request):
                self._record(request, 401)
                return JSONResponse({"code": "unauthorized", "message": "令牌无效"}, status_code=401)
            post = self.posts.get(request.path_params["post_id"])
            status = 204 if post and not post.deleted else 404
            self._record(request, status)
            if post:
                post.deleted = True
        return Response(status_code=status)

    async def _page(self, request: Request) -> Response:
        with self._lock:
            post = self.posts.get(request.path_params["post_id"])
            if not post or post.deleted:
                return HTMLResponse("<h1>页面不存在</h1>", status_code=404)
            name = self.column_names.get(post.column)
            column = f"{name}（{post.column}）" if name else post.column
            return HTMLResponse(
                f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'><title>{html.escape(post.title)}</title>"
                f"<h1>{html.escape(post.title)}</h1><p>栏目：{html.escape(column)}</p>"
                f"<article>{post.body_html}</article>{_attachment_links(post.data.get('attachments'))}</html>"
            )

    async def _index(self, request: Request) -> Response:
        with self._lock:
            rows = "".join(
                f"<li><a href='/posts/{p.id}.html'>{html.escape(p.title)}</a></li>"
                for p in sorted(self.posts.values(), key=lambda p: -p.id) if not p.deleted
            )  # fmt: skip
        return HTMLResponse(
            f"<!doctype html><html lang='zh-CN'><meta charset='utf-8'>"
            f"<title>门户网站（模拟）</title><h1>政务公开（模拟门户）</h1><ul>{rows}</ul></html>"
        )


_shared_lock = threading.Lock()
_shared: PortalEmulator | None = None


def shared_portal_emulator() -> PortalEmulator:
    """One portal emulator per process for sandbox mode (`gongkai run` without credentials)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = PortalEmulator(token="sandbox-portal-token").start()
        return _shared


def main() -> None:
    """`python -m sandbox.portal_emulator --port 8100`: a standalone emulator (demos, benchmarks)."""
    import argparse

    import uvicorn

    parser = argparse.ArgumentParser(description="门户网站模拟器")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--token", default="")
    args = parser.parse_args()
    uvicorn.run(
        PortalEmulator(token=args.token or None).app(), host=args.host, port=args.port, log_level="warning"
    )


if __name__ == "__main__":
    main()
